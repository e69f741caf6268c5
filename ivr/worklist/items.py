"""What the worklist is made of: items (a report, a fault ticket, a visit) with their markings, and visits per
employee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.worklist.models import DONE

OPEN = "open"


@dataclass(frozen=True)
class Marking:
    """One marking of an item: done or reopened, by whom, when, and why (for a reopening)."""

    action: str
    at: datetime
    by: str
    reason: str | None


@dataclass(frozen=True)
class WorkItem:
    """A report, fault ticket or visit phoned in during an outage, with the note to enter and its markings."""

    source: str
    reference: str
    made_at: datetime
    title: str
    note: str
    drill: bool
    cancelled_by: str | None = None
    markings: tuple[Marking, ...] = ()

    @property
    def state(self) -> str:
        """Open until marked done; a reopening makes it open again."""
        return DONE if self.markings and self.markings[-1].action == DONE else OPEN

    @property
    def done(self) -> Marking | None:
        """The marking that made the item done, if it is done."""
        return self.markings[-1] if self.state == DONE else None


@dataclass(frozen=True)
class StaffVisits:
    """One employee's visits of an outage; `to_administrator` when the administrator post-registers them."""

    staff_id: int
    name: str
    team_code: str
    team_name: str
    to_administrator: bool
    items: tuple[WorkItem, ...]
