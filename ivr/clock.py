"""The one source of "now": the system clock in production, a settable clock in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock (so `faketime` moves it too)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment (any time zone; stored as UTC)."""
        self._now = _aware(moment)

    def advance(self, delta: timedelta) -> None:
        """Move forward by a duration."""
        self._now = self._now + delta


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware datetimes")
    return moment.astimezone(UTC)
