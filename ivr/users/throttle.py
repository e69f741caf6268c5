"""The login throttle's storage for the `limits` library: fixed-window counters in the service's database.

The web tier is stateless and several processes serve one line, so the counters cannot live in one process's
memory. Each call runs in its own short transaction, apart from the request's unit of work.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from ivr.users.models import RateLimitCounter

SCHEME = "ivr+database"


class DatabaseStorage(Storage):
    """`limits` storage on the service's own database (the URI is `ivr+database://`; pass `engine=`)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the `limits` registry reads this class attribute)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        engine = options.pop("engine", None)
        if not isinstance(engine, Engine):
            raise ValueError("DatabaseStorage needs engine=<the service's SQLAlchemy engine>")
        self.engine = engine
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to a key's counter, starting a new window if the old one has expired."""
        now = time.time()
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as connection:
            connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.key == key, RateLimitCounter.expires_at <= now)
            )
            statement = insert(RateLimitCounter).values(key=key, count=amount, expires_at=now + expiry)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["key"], set_={"count": RateLimitCounter.count + amount})
            )
            count = connection.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == key))
        return int(count or 0)

    def get(self, key: str) -> int:
        """A key's counter in its current window (0 when expired or unknown)."""
        with self.engine.connect() as connection:
            count = connection.scalar(
                select(RateLimitCounter.count).where(
                    RateLimitCounter.key == key, RateLimitCounter.expires_at > time.time()
                )
            )
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        """When a key's window ends (epoch seconds; now if it has none)."""
        with self.engine.connect() as connection:
            expires = connection.scalar(select(RateLimitCounter.expires_at).where(RateLimitCounter.key == key))
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.scalar(select(RateLimitCounter.key).limit(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(RateLimitCounter))
        return int(getattr(result, "rowcount", 0))

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))
