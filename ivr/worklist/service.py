"""The reconciliation worklist: every report and fault ticket made during an outage that has ended.

Each item carries the exact note to enter with it once the system is back. An item is marked done by name;
the marking is never changed, only followed by a new one (reopened, with a reason), and both are audited.
Reports phoned in while no outage was recorded on their line are listed too, so none is ever lost.
No item carries patient data: the patient is looked up with `ivr reports show REF`, which logs the read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.faults.models import FaultTicket
from ivr.notes import (
    OTHER_SYSTEM,
    REPEAT_SUFFIX,
    REPORT_NOTE,
    REPORT_TITLE,
    TICKET_NOTE,
    TICKET_TITLE,
    UNKNOWN_UNIT,
    PostRegistrationRoutine,
    event_name,
    fault_kind_name,
    note_text,
    post_registration_routine,
)
from ivr.outages.models import Outage
from ivr.reports.models import Report, ReportKind
from ivr.reports.service import seen_by
from ivr.worklist.models import DONE, REOPENED, WorklistMark

REPORT = "report"
TICKET = "fault_ticket"
OPEN = "open"


class WorklistError(ValueError):
    """A worklist operation that cannot be carried out (unknown reference, already done, not done)."""


@dataclass(frozen=True)
class Marking:
    """One marking of an item: done or reopened, by whom, when, and why (for a reopening)."""

    action: str
    at: datetime
    by: str
    reason: str | None


@dataclass(frozen=True)
class WorkItem:
    """A report or fault ticket made during an outage, with the note to enter and its markings."""

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
class OutageWorklist:
    """One ended outage (or, with outage_id None, a line's reports outside every recorded outage) and its items."""

    outage_id: int | None
    line_key: str
    system: str
    starts_at: datetime | None
    ends_at: datetime | None
    drill: bool
    routine: PostRegistrationRoutine | None
    items: tuple[WorkItem, ...] = field(default=())

    @property
    def open_items(self) -> int:
        """How many items are still to be entered."""
        return sum(1 for item in self.items if item.state == OPEN)

    @property
    def lasted(self) -> timedelta | None:
        """How long the outage lasted."""
        return None if self.starts_at is None or self.ends_at is None else self.ends_at - self.starts_at


def build_worklists(
    *,
    session: Session,
    now: datetime,
    timezone: ZoneInfo,
    line_systems: Mapping[str, Sequence[str]] | None = None,
    line_key: str | None = None,
    outage_id: int | None = None,
    line_keys: Collection[str] | None = None,
    unit_codes: Collection[str] | None = None,
) -> list[OutageWorklist]:
    """The worklist of every ended outage (optionally one line or one outage), oldest outage first.

    `line_systems` names each line's systems, for the note of reports made outside any recorded outage.
    `line_keys` keeps only those lines; `unit_codes` keeps only the reports that name one of those units as
    reporter or receiver (a console user's organisation), with every fault ticket of the kept lines.
    """
    lists = _all_worklists(
        session=session, now=now, timezone=timezone, line_systems=line_systems, line_key=line_key, outage_id=outage_id
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
    line_systems: Mapping[str, Sequence[str]] | None,
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
        _outage_worklist(session, outage, markings=markings, cancellations=cancellations, timezone=timezone)
        for outage in outages
    ]
    if outage_id is None:
        lists += _unassigned(
            session,
            now=now,
            line_key=line_key,
            line_systems=line_systems or {},
            markings=markings,
            cancellations=cancellations,
            timezone=timezone,
        )
    return lists


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
    return OutageWorklist(
        outage_id=outage.id,
        line_key=outage.line_key,
        system=outage.system,
        starts_at=start,
        ends_at=end,
        drill=outage.drill,
        routine=post_registration_routine(outage.line_key, outage.system),
        items=tuple(sorted(items, key=lambda i: i.made_at)),
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
            routine=None,
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


# ---- marking ------------------------------------------------------------------------------------------------


def find_item(
    lists: Sequence[OutageWorklist], reference: str, *, source: str | None = None
) -> tuple[OutageWorklist, WorkItem]:
    """The one item with this reference (and source, when a report and a ticket share a reference)."""
    found = [
        (worklist, item)
        for worklist in lists
        for item in worklist.items
        if item.reference == reference.strip() and (source is None or item.source == source)
    ]
    if not found:
        raise WorklistError(f"no worklist item with reference {reference}")
    # A ticket about no particular system is listed under every outage of its line at the time: one item.
    if len({(item.source, item.reference) for _, item in found}) > 1:
        raise WorklistError(f"reference {reference} is both a report and a fault ticket: say which with --source")
    return found[0]


def mark_done(
    *,
    session: Session,
    lists: Sequence[OutageWorklist],
    reference: str,
    by: str,
    now: datetime,
    source: str | None = None,
) -> WorkItem:
    """Record that an item was entered (by whom, when); audited. An item already done is refused."""
    worklist, item = find_item(lists, reference, source=source)
    if item.done is not None:
        raise WorklistError(f"{reference} was already marked done by {item.done.by} at {item.done.at.isoformat()}")
    if not by.strip():
        raise WorklistError("say who entered it: --by NAME")
    _mark(session, worklist, item, action=DONE, by=by.strip(), reason=None, now=now)
    return item


def reopen(
    *,
    session: Session,
    lists: Sequence[OutageWorklist],
    reference: str,
    by: str,
    reason: str,
    now: datetime,
    source: str | None = None,
) -> WorkItem:
    """Open a done item again with a new marking (the earlier one stays); needs a reason; audited."""
    worklist, item = find_item(lists, reference, source=source)
    if item.done is None:
        raise WorklistError(f"{reference} is not marked done")
    if not reason.strip():
        raise WorklistError("a reopening needs a reason")
    _mark(session, worklist, item, action=REOPENED, by=by.strip(), reason=reason.strip(), now=now)
    return item


def _mark(
    session: Session,
    worklist: OutageWorklist,
    item: WorkItem,
    *,
    action: str,
    by: str,
    reason: str | None,
    now: datetime,
) -> None:
    session.add(
        WorklistMark(
            source=item.source,
            reference=item.reference,
            outage_id=worklist.outage_id,
            action=action,
            at=now,
            by=by,
            reason=reason,
        )
    )
    record_audit(
        session=session,
        actor=by,
        action=f"worklist.{action}",
        subject=f"{item.source}:{item.reference}",
        detail={"outage": worklist.outage_id, "line": worklist.line_key, "reason": reason},
        now=now,
    )
    session.flush()
