"""sms outbox and delivery status history

Revision ID: 0010
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0010"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("to_number", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("skip_reason", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("last_error_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("twilio_sid", sa.String(length=64), nullable=True),
        sa.Column("sent_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_updated_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
        sa.UniqueConstraint("twilio_sid", name=op.f("uq_sms_outbox_twilio_sid")),
    )
    with op.batch_alter_table("sms_outbox") as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_outbox_subject"), ["subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_outbox_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_outbox_next_attempt_at"), ["next_attempt_at"], unique=False)

    op.create_table(
        "sms_status_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("received_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["sms_outbox.id"], name=op.f("fk_sms_status_events_message_id_sms_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_status_events")),
        sa.UniqueConstraint("message_sid", "status", name="uq_sms_status_events_message_sid_status"),
    )
    with op.batch_alter_table("sms_status_events") as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_status_events_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sms_status_events")
    op.drop_table("sms_outbox")
