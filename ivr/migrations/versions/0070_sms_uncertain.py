"""sms outbox: when a send's outcome became uncertain (a timeout after Twilio may have taken it)

Before such a message is sent again, the worker asks Twilio whether it already has it.

Revision ID: 0070
Revises: 0060
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0070"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sms_outbox") as batch_op:
        batch_op.add_column(sa.Column("uncertain_since", ivr.persistence.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sms_outbox") as batch_op:
        batch_op.drop_column("uncertain_since")
