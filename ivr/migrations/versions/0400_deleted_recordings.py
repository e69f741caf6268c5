"""retention: the recordings deleted at Twilio after their retention period

Revision ID: 0400
Revises: 0301
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0400"
down_revision: str | None = "0301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("made_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", ivr.persistence.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_recordings")),
        sa.UniqueConstraint("url", name=op.f("uq_deleted_recordings_url")),
    )


def downgrade() -> None:
    op.drop_table("deleted_recordings")
