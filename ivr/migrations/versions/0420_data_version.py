"""snapshot: a data version that every change of the directory and the outages bumps

Each process serves read-mostly data from a snapshot tagged with this number (ivr.snapshot). Triggers bump it
in the same transaction as the change, whoever makes it, so no process can go on serving what was replaced.
A missing row is made again at a random number, so a process that read the old row can never mistake the
new one for it (an emptied or restored table never leaves a snapshot standing).

Revision ID: 0420
Revises: 0410
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0420"
down_revision: str | None = "0410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("units", "unit_numbers", "outages")  # ivr.snapshot.VERSIONED_TABLES
BUMP_SQLITE = (
    "INSERT OR REPLACE INTO data_versions (id, version) "
    "VALUES (1, COALESCE((SELECT version FROM data_versions WHERE id = 1) + 1, abs(random() % 1000000000000)))"
)
BUMP_POSTGRESQL = """
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (id, version) VALUES (1, floor(random() * 1e12)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = data_versions.version + 1;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_versions")),
    )
    op.execute("INSERT INTO data_versions (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BUMP_POSTGRESQL)
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()"
            )
    else:  # SQLite has row triggers only: one per kind of change
        for table in TABLES:
            for change in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_{change.lower()}_bumps_data_version AFTER {change} ON {table} "
                    f"BEGIN {BUMP_SQLITE}; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    else:
        for table in TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{change}_bumps_data_version")
    op.drop_table("data_versions")
