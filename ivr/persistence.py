"""Persistence without Flask: the declarative base, the UTC datetime type, engines and insert-or-ignore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


DEFAULT_WAIT_SECONDS = 3.0
SQLITE_BEGIN_MODES = {"IMMEDIATE": "IMMEDIATE", "DEFERRED": "DEFERRED"}  # and "READS", see make_engine


class Base(DeclarativeBase):
    """Base of every model; constraint names are stable across SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, also on SQLite (which forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are never stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(
    url: str,
    *,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    statement_seconds: float | None = None,
    pool_size: int = 5,
    sqlite_begin: str = "IMMEDIATE",
    **kwargs: Any,
) -> Engine:
    """An engine whose every wait is bounded: WAL, foreign keys and a busy timeout on SQLite (where every
    transaction takes the write lock when it begins, so a read-then-write never races another writer); on
    PostgreSQL connect, lock and (optionally) statement timeouts, UTC sessions, and a bounded pool checkout.

    Statement parameters are hidden from error messages: they can hold a personnummer, which must never reach a log.
    """
    wait_ms = int(wait_seconds * 1000)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": wait_seconds}, hide_parameters=True, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL still survives a crash of the process; only a power cut can lose the last
            # commits. SQLite is for local use; production runs on PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
            cursor.close()
            dbapi_connection.isolation_level = None  # the driver's own BEGIN is deferred; ours is below

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # IMMEDIATE: the write lock is taken before anything is read, so two requests that read the chain's
            # tail (or a ticket) and then write can never interleave, and a busy database is waited for,
            # boundedly. A session that only reads may ask for a DEFERRED one (execution option sqlite_begin).
            mode = connection.get_execution_options().get("sqlite_begin", sqlite_begin)
            raw = connection.connection.driver_connection
            if mode == "READS":
                # sqlite3's own behaviour: each read sees the latest commit, a write opens a deferred transaction.
                raw.isolation_level = ""
                return
            raw.isolation_level = None
            connection.exec_driver_sql(f"BEGIN {SQLITE_BEGIN_MODES[mode]}")

        return engine
    options = f"-c timezone=UTC -c lock_timeout={wait_ms}"
    if statement_seconds is not None:
        options += f" -c statement_timeout={int(statement_seconds * 1000)}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max(2, pool_size // 2),
        pool_timeout=wait_seconds,
        hide_parameters=True,
        connect_args={
            "options": options,
            "connect_timeout": max(1, round(wait_seconds)),
            # A peer that vanishes (a killed host, a cut link) is noticed in seconds, not hours.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": wait_ms,
        },
        **kwargs,
    )


def serialise(session: Session, name: str) -> None:
    """Make every transaction that calls this with the same name take turns, until it ends.

    On PostgreSQL a transaction-scoped advisory lock; on SQLite every writing transaction already holds the
    database's write lock from its start (make_engine), so nothing more is needed.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def insert_or_ignore(session: Session, model: type[Base], values: Mapping[str, Any], *, unique: Sequence[str]) -> bool:
    """INSERT a row unless one with the same unique columns exists (one statement, safe under concurrency).

    Returns True when this call inserted the row.
    """
    statement = _conflict_statement(_dialect(session), model.__table__, tuple(unique), None)
    result = session.execute(statement, dict(values))
    return bool(getattr(result, "rowcount", 0) == 1)


def upsert(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT a row, or UPDATE the named columns of the row with the same unique columns (one statement)."""
    statement = _conflict_statement(_dialect(session), model.__table__, tuple(unique), tuple(update))
    session.execute(statement, dict(values))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@lru_cache(maxsize=64)
def _conflict_statement(dialect: str, table: Any, unique: tuple[str, ...], update: tuple[str, ...] | None) -> Any:
    """The dialect's INSERT … ON CONFLICT for a table, built once and run with each row's values as parameters
    (the webhooks insert calls, states and receipts on every request)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table)
    if update is None:
        return statement.on_conflict_do_nothing(index_elements=list(unique))
    return statement.on_conflict_do_update(
        index_elements=list(unique), set_={name: getattr(statement.excluded, name) for name in update}
    )
