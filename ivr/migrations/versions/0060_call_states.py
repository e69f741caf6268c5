"""call states: what one call has answered so far (its caller's name and unit, each flow's draft)

Replaces report_drafts: unfinished reports are part of the call's state, which every flow shares.

Revision ID: 0060
Revises: 0050
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0060"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("report_drafts")  # unfinished drafts of calls in progress; they never outlive their call
    op.create_table(
        "call_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("from_number", sa.String(length=64), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_states")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_call_states_call_sid")),
    )
    with op.batch_alter_table("call_states") as batch_op:
        batch_op.create_index(batch_op.f("ix_call_states_updated_at"), ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_states_from_number"), ["from_number"], unique=False)


def downgrade() -> None:
    op.drop_table("call_states")
    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_report_drafts_call_sid")),
    )
    with op.batch_alter_table("report_drafts") as batch_op:
        batch_op.create_index(batch_op.f("ix_report_drafts_updated_at"), ["updated_at"], unique=False)
