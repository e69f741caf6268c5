"""The reconciliation worklist: every report, fault ticket and home-care visit phoned in during an ended outage.

Each item carries the exact note to enter with it once the system is back. An item is marked done by name;
the marking is never changed, only followed by a new one (reopened, with a reason), and both are audited.
Reports and visits phoned in while no outage was recorded on their line are listed too, so none is ever lost.
Visits are listed per employee, with the administrator's list apart (ivr.worklist.visits).
No item carries patient data: the patient is looked up with `ivr reports show REF`, which logs the read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ivr.faults.models import FaultTicket
from ivr.lines.models import Lines
from ivr.notes import (
    OTHER_SYSTEM,
    REPEAT_SUFFIX,
    REPORT_NOTE,
    REPORT_TITLE,
    TICKET_NOTE,
    TICKET_TITLE,
    UNKNOWN_UNIT,
    event_name,
    fault_kind_name,
    note_text,
)
from ivr.outages.models import Outage
from ivr.outages.service import PostRegistrationState, post_registration_state
from ivr.reports.models import Report, ReportKind
from ivr.reports.service import seen_by
from ivr.visits.register import VisitRegister
from ivr.worklist.items import OPEN, Marking, StaffVisits, WorkItem
from ivr.worklist.models import WorklistMark
from ivr.worklist.visits import VISIT, outage_visits, visits_outside_outages

__all__ = ["OPEN", "REPORT", "TICKET", "VISIT", "Marking", "OutageWorklist", "StaffVisits", "WorkItem"]

REPORT = "report"
TICKET = "fault_ticket"


class WorklistError(ValueError):
    """A worklist operation that cannot be carried out (unknown reference, already done, not done)."""


@dataclass(frozen=True)
class OutageWorklist:
    """One ended outage (or, with outage_id None, a line's reports outside every recorded outage) and its items."""

    outage_id: int | None
    line_key: str
    system: str
    starts_at: datetime | None
    ends_at: datetime | None
    drill: bool
    post_registration: PostRegistrationState | None
    items: tuple[WorkItem, ...] = field(default=())
    visits: tuple[StaffVisits, ...] = field(default=())  # per employee; to_administrator marks the administrator's

    @property
    def all_items(self) -> tuple[WorkItem, ...]:
        """The reports and tickets, then every employee's visits."""
        return (*self.items, *(item for group in self.visits for item in group.items))

    @property
    def open_items(self) -> int:
        """How many items are still to be entered."""
        return sum(1 for item in self.all_items if item.state == OPEN)

    @property
    def lasted(self) -> timedelta | None:
        """How long the outage lasted."""
        return None if self.starts_at is None or self.ends_at is None else self.ends_at - self.starts_at


def build_worklists(
    *,
    session: Session,
    now: datetime,
    timezone: ZoneInfo,
    lines: Lines | None = None,
    visits: VisitRegister | None = None,
    line_key: str | None = None,
    outage_id: int | None = None,
    line_keys: Collection[str] | None = None,
    unit_codes: Collection[str] | None = None,
) -> list[OutageWorklist]:
    """The worklist of every ended outage (optionally one line or one outage), oldest outage first.

    `lines` gives each line's systems (for the note of reports made outside any recorded outage) and its
    post-registration rule (Linköping's 10 hours for TES); with `visits` (the client register and catalogue)
    the visits phoned in during an outage under that rule are listed per employee.
    `line_keys` keeps only those lines; `unit_codes` keeps only the reports that name one of those units as
    reporter or receiver (a console user's organisation), with every fault ticket and visit of the kept lines.
    """
    lists = _all_worklists(
        session=session, now=now, timezone=timezone, lines=lines, visits=visits, line_key=line_key, outage_id=outage_id
    )
    if line_keys is not None:
        lists = [w for w in lists if w.line_key in line_keys]
    if unit_codes is not None:
        seen = set(
            session.scalars(select(Report.reference).where(Report.kind == ReportKind.REPORT, seen_by(unit_codes)))
        )
        lists = [
            replace(w, items=tuple(i for i in w.items if i.source != REPORT or i.reference in seen)) for w in lists
        ]
    return lists


def _all_worklists(
    *,
    session: Session,
    now: datetime,
    timezone: ZoneInfo,
    lines: Lines | None,
    visits: VisitRegister | None,
    line_key: str | None,
    outage_id: int | None,
) -> list[OutageWorklist]:
    outages = _ended_outages(session=session, now=now, line_key=line_key, outage_id=outage_id)
    markings = _markings(session)
    query = select(Report.cancels, Report.reference).where(
        Report.kind == ReportKind.CANCELLATION, Report.cancels.is_not(None)
    )
    cancellations = {cancelled: cancelling for cancelled, cancelling in session.execute(query)}
    lists = [
        _outage_worklist(
            session,
            outage,
            lines=lines,
            visits=visits,
            markings=markings,
            cancellations=cancellations,
            now=now,
            timezone=timezone,
        )
        for outage in outages
    ]
    if outage_id is None:
        unassigned = _unassigned(
            session,
            now=now,
            line_key=line_key,
            line_systems={line.key: line.systems for line in lines or ()},
            markings=markings,
            cancellations=cancellations,
            timezone=timezone,
        )
        if lines is not None and visits is not None:
            outside = visits_outside_outages(
                session=session,
                lines=lines,
                register=visits,
                markings=markings,
                now=now,
                timezone=timezone,
                line_key=line_key,
            )
            unassigned = _with_visits(unassigned, outside, lines)
        lists += unassigned
    return lists


def _with_visits(
    unassigned: list[OutageWorklist], outside: Mapping[str, tuple[StaffVisits, ...]], lines: Lines
) -> list[OutageWorklist]:
    """Each line's list outside any outage, with the visits phoned in outside every outage of its rule."""
    by_line = {w.line_key: w for w in unassigned}
    for key, groups in outside.items():
        line = lines.by_key(key)
        systems = " / ".join(line.systems) if line else ""
        empty = OutageWorklist(
            outage_id=None,
            line_key=key,
            system=systems,
            starts_at=None,
            ends_at=None,
            drill=False,
            post_registration=None,
        )
        by_line[key] = replace(by_line.get(key, empty), visits=groups)
    return [by_line[key] for key in sorted(by_line)]


def _ended_outages(*, session: Session, now: datetime, line_key: str | None, outage_id: int | None) -> list[Outage]:
    # Ended by hand, or a planned window that has closed; a planned outage cancelled before it began never ran.
    ended = or_(
        and_(Outage.ended_at.is_not(None), Outage.ended_at > Outage.starts_at),
        and_(Outage.ended_at.is_(None), Outage.planned_end_at.is_not(None), Outage.planned_end_at <= now),
    )
    query = select(Outage).where(ended).order_by(Outage.starts_at, Outage.id)
    if line_key is not None:
        query = query.where(Outage.line_key == line_key)
    if outage_id is not None:
        query = query.where(Outage.id == outage_id)
    return list(session.scalars(query))


def _window_end(outage: Outage) -> datetime:
    end = outage.ended_at or outage.planned_end_at
    assert end is not None  # only ended outages get here
    return end


def _outage_worklist(
    session: Session,
    outage: Outage,
    *,
    lines: Lines | None,
    visits: VisitRegister | None,
    now: datetime,
    markings: Mapping[tuple[str, str], list[Marking]],
    cancellations: Mapping[str | None, str],
    timezone: ZoneInfo,
) -> OutageWorklist:
    start, end = outage.starts_at, _window_end(outage)
    reports = session.scalars(
        select(Report)
        .where(
            Report.kind == ReportKind.REPORT,
            Report.line_key == outage.line_key,
            Report.official_at >= start,
            Report.official_at <= end,
        )
        .order_by(Report.official_at, Report.seq)
    ).all()
    tickets = session.scalars(
        select(FaultTicket)
        .where(
            FaultTicket.line_key == outage.line_key,
            FaultTicket.reference.is_not(None),
            FaultTicket.filed_at >= start,
            FaultTicket.filed_at <= end,
            or_(FaultTicket.system.is_(None), FaultTicket.system == outage.system),
        )
        .order_by(FaultTicket.filed_at)
    ).all()
    items = [
        item
        for report in reports
        if (item := _report_item(report, outage.system, markings, cancellations, timezone)) is not None
    ]
    items += [_ticket_item(ticket, outage.system, markings, timezone) for ticket in tickets]
    post_registration = post_registration_state(lines.by_key(outage.line_key) if lines else None, outage, until=end)
    staff_visits: tuple[StaffVisits, ...] = ()
    if post_registration is not None and visits is not None:
        staff_visits = outage_visits(
            session=session, outage=outage, end=end, register=visits, markings=markings, now=now, timezone=timezone
        )
    return OutageWorklist(
        outage_id=outage.id,
        line_key=outage.line_key,
        system=outage.system,
        starts_at=start,
        ends_at=end,
        drill=outage.drill,
        post_registration=post_registration,
        items=tuple(sorted(items, key=lambda i: i.made_at)),
        visits=staff_visits,
    )


def _unassigned(
    session: Session,
    *,
    now: datetime,
    line_key: str | None,
    line_systems: Mapping[str, Sequence[str]],
    markings: Mapping[tuple[str, str], list[Marking]],
    cancellations: Mapping[str | None, str],
    timezone: ZoneInfo,
) -> list[OutageWorklist]:
    """Reports outside every recorded outage window (ended or in progress), per line."""
    windows: dict[str, list[tuple[datetime, datetime]]] = {}
    for outage in session.scalars(select(Outage).where(Outage.starts_at <= now)):
        # An outage still in progress covers everything up to now; its reports join its worklist when it ends.
        end = outage.ended_at or outage.planned_end_at or now
        windows.setdefault(outage.line_key, []).append((outage.starts_at, end))
    query = select(Report).where(Report.kind == ReportKind.REPORT).order_by(Report.official_at, Report.seq)
    if line_key is not None:
        query = query.where(Report.line_key == line_key)
    per_line: dict[str, list[WorkItem]] = {}
    for report in session.scalars(query):
        if any(start <= report.official_at <= end for start, end in windows.get(report.line_key, [])):
            continue
        system = " / ".join(line_systems.get(report.line_key, ())) or "verksamhetssystemet"
        item = _report_item(report, system, markings, cancellations, timezone)
        if item is not None:
            per_line.setdefault(report.line_key, []).append(item)
    return [
        OutageWorklist(
            outage_id=None,
            line_key=key,
            system=" / ".join(line_systems.get(key, ())),
            starts_at=None,
            ends_at=None,
            drill=False,
            post_registration=None,
            items=tuple(items),
        )
        for key, items in sorted(per_line.items())
    ]


def _report_item(
    report: Report,
    system: str,
    markings: Mapping[tuple[str, str], list[Marking]],
    cancellations: Mapping[str | None, str],
    timezone: ZoneInfo,
) -> WorkItem | None:
    marks = tuple(markings.get((REPORT, report.reference), ()))
    cancelled_by = cancellations.get(report.reference)
    if cancelled_by is not None and not marks:
        return None  # cancelled before anyone entered it: nothing to enter
    receivers = ", ".join(d.receiver_name for d in report.deliveries)
    repeat = REPEAT_SUFFIX.format(reference=report.duplicate_of) if report.duplicate_of else ""
    return WorkItem(
        source=REPORT,
        reference=report.reference,
        made_at=report.official_at,
        title=REPORT_TITLE.format(event=event_name(report.event), unit=report.reporter_name, receivers=receivers)
        + repeat,
        note=note_text(
            REPORT_NOTE,
            line_key=report.line_key,
            made_at=report.official_at,
            reference=report.reference,
            system=system,
            timezone=timezone,
        ),
        drill=report.drill,
        cancelled_by=cancelled_by,
        markings=marks,
    )


def _ticket_item(
    ticket: FaultTicket, system: str, markings: Mapping[tuple[str, str], list[Marking]], timezone: ZoneInfo
) -> WorkItem:
    assert ticket.reference is not None and ticket.filed_at is not None  # only filed tickets get here
    return WorkItem(
        source=TICKET,
        reference=ticket.reference,
        made_at=ticket.filed_at,
        title=TICKET_TITLE.format(
            unit=ticket.unit_name or UNKNOWN_UNIT,
            system=ticket.system or OTHER_SYSTEM,
            kind=fault_kind_name(ticket.kind),
        ),
        note=note_text(
            TICKET_NOTE,
            line_key=ticket.line_key,
            made_at=ticket.filed_at,
            reference=ticket.reference,
            system=system,
            timezone=timezone,
        ),
        drill=ticket.drill,
        markings=tuple(markings.get((TICKET, ticket.reference), ())),
    )


def _markings(session: Session) -> dict[tuple[str, str], list[Marking]]:
    found: dict[tuple[str, str], list[Marking]] = {}
    for mark in session.scalars(select(WorklistMark).order_by(WorklistMark.id)):
        found.setdefault((mark.source, mark.reference), []).append(
            Marking(action=mark.action, at=mark.at, by=mark.by, reason=mark.reason)
        )
    return found
