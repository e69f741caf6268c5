"""ticket handling: who a fault ticket is assigned to, and when and how it was closed

Revision ID: 0300
Revises: 0200
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ivr.persistence

revision: str = "0300"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fault_tickets") as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", ivr.persistence.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("close_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fault_tickets") as batch_op:
        for name in ("close_note", "closed_by", "closed_at", "assigned_at", "assigned_to"):
            batch_op.drop_column(name)
