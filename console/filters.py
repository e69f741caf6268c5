"""Reading the console's query-string filters into plain values (times in local time, as people type them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from ivr.notes import EVENT_NAMES

TICKETS_ONLY = "fault_ticket"


@dataclass(frozen=True)
class LiveFilter:
    """The live log's filters as typed by the user (for the form) and as values (for the services)."""

    raw: dict[str, str]
    start: datetime | None
    end: datetime | None
    event: str | None
    receiver: str | None
    acknowledged: bool | None

    @property
    def tickets_only(self) -> bool:
        return self.event == TICKETS_ONLY

    @property
    def shows_tickets(self) -> bool:
        """Tickets have no event, receiver or acknowledgement: those filters leave them out."""
        return (self.event in (None, TICKETS_ONLY)) and self.receiver is None and self.acknowledged is None


def parse_moment(value: str | None, timezone: ZoneInfo, *, end_of_day: bool = False) -> datetime | None:
    """A date (2026-11-23: the day's start, or the next day's with end_of_day) or a time (2026-11-23T11:58)."""
    if not value or not value.strip():
        return None
    text = value.strip().replace(" ", "T", 1)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + (timedelta(days=1) if end_of_day else timedelta())
            return datetime.combine(day, time(0), tzinfo=timezone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


def live_filter(args: MultiDict[str, str], timezone: ZoneInfo) -> LiveFilter:
    """The live log's filters from the query string; anything unreadable is ignored."""
    raw = {name: args.get(name, "").strip()[:40] for name in ("from", "to", "event", "receiver", "acknowledged")}
    event = raw["event"] if raw["event"] in (*EVENT_NAMES, TICKETS_ONLY) else None
    receiver = raw["receiver"] if raw["receiver"].isdigit() else None
    acknowledged = {"yes": True, "no": False}.get(raw["acknowledged"])
    return LiveFilter(
        raw=raw,
        start=parse_moment(raw["from"], timezone),
        end=parse_moment(raw["to"], timezone, end_of_day=True),
        event=event,
        receiver=receiver,
        acknowledged=acknowledged,
    )
