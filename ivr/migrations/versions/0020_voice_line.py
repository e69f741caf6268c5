"""voice line: schedule overrides, outages, fault tickets and their dial attempts

Revision ID: 0020
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0020"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("until_reset", sa.Boolean(), nullable=False),
        sa.Column("until", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("set_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("cleared_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_overrides")),
    )
    with op.batch_alter_table("schedule_overrides") as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_overrides_line_key"), ["line_key"], unique=False)

    op.create_table(
        "outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("starts_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_end_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("ended_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
    )
    with op.batch_alter_table("outages") as batch_op:
        batch_op.create_index(batch_op.f("ix_outages_line_key"), ["line_key"], unique=False)

    op.create_table(
        "fault_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=True),
        sa.Column("line_key", sa.String(length=32), nullable=False),
        sa.Column("from_number", sa.String(length=64), nullable=False),
        sa.Column("started_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reporter_name", sa.String(length=200), nullable=True),
        sa.Column("name_recording_url", sa.String(length=500), nullable=True),
        sa.Column("unit_code", sa.String(length=16), nullable=True),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("unit_sms", sa.String(length=20), nullable=True),
        sa.Column("system", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("routed_to", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("connected_number", sa.String(length=20), nullable=True),
        sa.Column("voicemail_url", sa.String(length=500), nullable=True),
        sa.Column("voicemail_seconds", sa.Integer(), nullable=True),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_tickets")),
        sa.UniqueConstraint("call_sid", name=op.f("uq_fault_tickets_call_sid")),
        sa.UniqueConstraint("reference", name=op.f("uq_fault_tickets_reference")),
    )
    with op.batch_alter_table("fault_tickets") as batch_op:
        batch_op.create_index(batch_op.f("ix_fault_tickets_filed_at"), ["filed_at"], unique=False)

    op.create_table(
        "fault_dial_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("started_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dial_status", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["fault_tickets.id"],
            name=op.f("fk_fault_dial_attempts_ticket_id_fault_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_dial_attempts")),
        sa.UniqueConstraint("ticket_id", "position", name="uq_fault_dial_attempts_ticket_position"),
    )


def downgrade() -> None:
    op.drop_table("fault_dial_attempts")
    op.drop_table("fault_tickets")
    op.drop_table("outages")
    op.drop_table("schedule_overrides")
