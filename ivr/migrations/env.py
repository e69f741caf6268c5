"""Alembic environment: migrates the engine handed over by ivr.migrate.

On PostgreSQL the migration holds an advisory lock, so several instances starting at once (each `ivr serve`
migrates first) take turns and the later ones find nothing left to do.
"""

from alembic import context
from sqlalchemy import Engine, text

from ivr.schema import metadata

MIGRATION_LOCK = 0x69767264625F7570  # an arbitrary constant ("ivrdb_up" in ASCII)

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if postgres:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
