"""home-care visits by phone: the staff register (codes only hashed), visit entries, corrections, hand-overs

On PostgreSQL, triggers make the visit record append-only: an entry, a correction or a hand-over is never
updated or deleted; a mistake is put right by a new correction, a hand-over undone by a new hand-over.

Revision ID: 0200
Revises: 0070
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0200"
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("visit_entries", "visit_corrections", "visit_handovers")
APPEND_ONLY = """
CREATE FUNCTION visits_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the visit record is append-only: % on % refused; add a correction instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""
TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION visits_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team_code", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("disabled_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_code_hash")),
    )
    with op.batch_alter_table("staff") as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_team_code"), ["team_code"], unique=False)

    op.create_table(
        "visit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("team_code", sa.String(length=16), nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("client_source", sa.String(length=16), nullable=False),
        sa.Column("at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_id", sa.Integer(), nullable=True),
        sa.Column("interventions", sa.Text(), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closes_id"], ["visit_entries.id"], name=op.f("fk_visit_entries_closes_id_visit_entries")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_visit_entries_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_entries")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_visit_entries_call_sid")),
        sa.UniqueConstraint("closes_id", name=op.f("uq_visit_entries_closes_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_visit_entries_reference")),
    )
    with op.batch_alter_table("visit_entries") as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_entries_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_entries_client_code"), ["client_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_entries_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_entries_team_code"), ["team_code"], unique=False)

    op.create_table(
        "visit_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("made_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("start_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("team_code", sa.String(length=16), nullable=False),
        sa.Column("interventions", sa.Text(), nullable=False),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit_entries.id"],
            name=op.f("fk_visit_corrections_visit_id_visit_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_corrections")),
    )
    with op.batch_alter_table("visit_corrections") as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_corrections_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "visit_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outage_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_visit_handovers_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_handovers")),
    )
    with op.batch_alter_table("visit_handovers") as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_handovers_outage_id"), ["outage_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
        for table in APPEND_ONLY_TABLES:
            op.execute(TRIGGER.format(table=table))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS visits_append_only()")
    op.drop_table("visit_handovers")
    op.drop_table("visit_corrections")
    op.drop_table("visit_entries")
    op.drop_table("staff")
