"""calls: a call's state outlives its call for a while when it holds an unfinished report (resumable drafts)

Revision ID: 0410
Revises: 0400
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0410"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("call_states") as batch:
        batch.add_column(sa.Column("ended_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call_states") as batch:
        batch.drop_column("ended_at")
