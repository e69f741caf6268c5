"""Opening hours such as "mon-fri 08:00-16:00; sat 10:00-14:00", and when a unit is open.

Public holidays and the eves follow Sunday's hours (ivr.calendar): "mon-fri 08:00-16:00" is closed on Christmas
Day, "mon-sun 07:00-22:00" is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ivr.calendar import opening_weekday

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<t1>\d{2}:\d{2})-(?P<t2>\d{2}:\d{2})$")
ALWAYS = "always"
LOOKAHEAD_DAYS = 40  # longer than any run of closed days (Christmas to Epiphany)


class HoursError(ValueError):
    """An opening-hours text that cannot be read."""


@dataclass(frozen=True)
class Window:
    """Open from `opens` to `closes` on the given weekdays (0 = Monday)."""

    weekdays: frozenset[int]
    opens: time
    closes: time


@dataclass(frozen=True)
class Hours:
    """A unit's weekly opening hours; no windows means always open."""

    windows: tuple[Window, ...]

    @property
    def always_open(self) -> bool:
        return not self.windows

    def is_open(self, local: datetime) -> bool:
        """Whether the unit is open at a local wall-clock time."""
        if self.always_open:
            return True
        moment, weekday = local.time(), opening_weekday(local.date())
        return any(weekday in w.weekdays and w.opens <= moment < w.closes for w in self.windows)

    def next_opening(self, local: datetime) -> datetime | None:
        """The next local time the unit opens (None if always open)."""
        if self.always_open:
            return None
        for offset in range(LOOKAHEAD_DAYS):
            day = (local + timedelta(days=offset)).date()
            starts = sorted(w.opens for w in self.windows if opening_weekday(day) in w.weekdays)
            for opens in starts:
                candidate = datetime.combine(day, opens, tzinfo=local.tzinfo)
                if candidate > local:
                    return candidate
        return None


def parse_hours(text: str) -> Hours:
    """Read "mon-sun 07:00-22:00" rules separated by ";"; empty or "always" means always open."""
    text = text.strip().lower()
    if text in ("", ALWAYS):
        return Hours(windows=())
    windows = []
    for part in text.split(";"):
        match = _RULE.match(part.strip())
        if not match:
            raise HoursError(f"cannot read opening hours {part.strip()!r} (expected e.g. 'mon-fri 08:00-16:00')")
        first, last = match["d1"], match["d2"] or match["d1"]
        if first not in DAYS or last not in DAYS:
            raise HoursError(f"unknown weekday in {part.strip()!r}; use {', '.join(DAYS)}")
        a, b = DAYS.index(first), DAYS.index(last)
        if b < a:
            raise HoursError(f"weekday range {first}-{last} runs backwards")
        try:
            opens, closes = time.fromisoformat(match["t1"]), time.fromisoformat(match["t2"])
        except ValueError as exc:
            raise HoursError(f"impossible time in {part.strip()!r}") from exc
        if closes <= opens:
            raise HoursError(f"closing time must be after opening time in {part.strip()!r}")
        windows.append(Window(frozenset(range(a, b + 1)), opens, closes))
    return Hours(windows=tuple(windows))
