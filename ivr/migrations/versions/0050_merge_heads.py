"""merge the feature branches (SMS outbox, voice line, reports, liability and worklist) into one head

Revision ID: 0050
Revises: 0010, 0020, 0030, 0040
"""

from collections.abc import Sequence

revision: str = "0050"
down_revision: str | Sequence[str] | None = ("0010", "0020", "0030", "0040")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
