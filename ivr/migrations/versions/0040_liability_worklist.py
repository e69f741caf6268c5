"""reconciliation worklist: who marked which item done, and when

The worklist items are computed from the reports and fault tickets made during each outage; only the
markings are stored, so no foreign key to the report store or the voice line's tables is needed.

Revision ID: 0040
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0040"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On PostgreSQL a marking can never be changed or removed: it is undone only by a new marking.
MARKS_APPEND_ONLY = """
CREATE FUNCTION worklist_marks_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'worklist markings are append-only: % refused; add a new marking instead', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER worklist_marks_append_only BEFORE UPDATE OR DELETE ON worklist_marks
    FOR EACH ROW EXECUTE FUNCTION worklist_marks_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "worklist_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("outage_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worklist_marks")),
    )
    with op.batch_alter_table("worklist_marks") as batch_op:
        batch_op.create_index(batch_op.f("ix_worklist_marks_reference"), ["reference"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(MARKS_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS worklist_marks_append_only ON worklist_marks")
        op.execute("DROP FUNCTION IF EXISTS worklist_marks_append_only()")
    op.drop_table("worklist_marks")
