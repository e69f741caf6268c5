"""Read-mostly data (the directory and the outages) served from a per-process snapshot.

Every webhook needs the caller's unit, the outages to announce and where a fault goes; these change a few
times a day and are read thousands of times an hour. Each process keeps what it read, tagged with the
database's data version: one row (`data_versions`) that a trigger on every read-mostly table bumps in the
same transaction as the change, whoever makes it (a CLI command, the console, a migration, psql). A request
reads that one number (a webhook once, everyone else at every use) and uses the snapshot
only if it was read at the same version, else it reads again. A change committed anywhere is therefore seen
by every process from its next request on; nothing serves data older than the version it read.

    outages = snapshot(session, "outages", load_outages)   # load_outages(session) runs only when stale

What is cached must be plain values (frozen dataclasses, tuples), never ORM objects: they outlive the
session that read them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Engine, Integer, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ivr.persistence import Base

T = TypeVar("T")

# The tables whose every change bumps the version (the triggers are made by migration 0420).
VERSIONED_TABLES = ("units", "unit_numbers", "outages")
_READ_VERSION = text("SELECT version FROM data_versions WHERE id = 1")
_VERSION_KEY = "ivr.data_version"
_ONCE_KEY = "ivr.data_version_once"


class DataVersion(Base):
    """The one row whose number every change of read-mostly data bumps (by trigger, in the same transaction)."""

    __tablename__ = "data_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


_lock = threading.Lock()
_by_engine: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, Any]]] = weakref.WeakKeyDictionary()


def read_version_once(session: Session) -> Session:
    """Mark a short-lived session (one webhook's) to read the data version once, at its first use."""
    session.info[_ONCE_KEY] = True
    return session


def data_version(session: Session) -> int | None:
    """The database's data version (None: no version row, so nothing is cached).

    Read at every use; in a session marked by read_version_once (a webhook's), once, so all of one request's
    lookups see the data of one version and what it says after its commit needs no new transaction.
    """
    once = session.info.get(_ONCE_KEY, False)
    if once and _VERSION_KEY in session.info:
        return session.info[_VERSION_KEY]  # type: ignore[no-any-return]
    found = session.execute(_READ_VERSION).scalar()
    version = int(found) if found is not None else None
    if once:
        session.info[_VERSION_KEY] = version
    return version


def snapshot(session: Session, name: str, load: Callable[[Session], T]) -> T:
    """`load(session)`'s result as of the database's current data version, from this process's snapshot if
    it was read at that version."""
    version = data_version(session)
    engine = session.get_bind().engine
    with _lock:
        entry = _by_engine.get(engine, {}).get(name)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]  # type: ignore[no-any-return]
    value = load(session)
    if version is not None:
        with _lock:
            _by_engine.setdefault(engine, {})[name] = (version, value)
    return value


def forget(engine: Engine) -> None:
    """Drop this process's snapshots for an engine (its database was replaced, e.g. restored)."""
    with _lock:
        _by_engine.pop(engine, None)
