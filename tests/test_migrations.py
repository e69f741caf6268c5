"""The migrations build exactly the schema the models describe, and can be taken down again."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ivr.migrate import downgrade, upgrade
from ivr.persistence import make_engine
from ivr.schema import metadata


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_again(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/roundtrip.sqlite3")
    try:
        upgrade(engine)
        downgrade(engine, "base")
        upgrade(engine)
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
