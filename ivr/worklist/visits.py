"""The visits on the worklist: those phoned in during an outage under its line's post-registration rule (TES in
Linköping), per employee, and the administrator's list of the employees who cannot post-register themselves.

Visits phoned in outside every such outage are listed too (with the line's reports outside any outage), so none
is ever lost. Each visit is an item like a report: the note says exactly what to enter, and it is marked done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.lines.models import Lines
from ivr.notes import VISIT_NO_INTERVENTIONS, VISIT_NO_TIME, VISIT_NOTE, VISIT_REMARK_NOTE, VISIT_TITLE, visit_remark
from ivr.outages.models import Outage
from ivr.visits.record import Visit, list_visits
from ivr.visits.register import VisitRegister
from ivr.visits.service import handed_over
from ivr.worklist.items import Marking, StaffVisits, WorkItem

VISIT = "visit"
Markings = Mapping[tuple[str, str], list[Marking]]


def outage_visits(
    *,
    session: Session,
    outage: Outage,
    end: datetime,
    register: VisitRegister,
    markings: Markings,
    now: datetime,
    timezone: ZoneInfo,
) -> tuple[StaffVisits, ...]:
    """The visits that started or ended during the outage, per employee; the administrator's list last."""
    nearby = list_visits(
        session=session,
        now=now,
        flag_open_after=register.flag_open_after,
        start=outage.starts_at - register.flag_open_after,
        end=end + timedelta(microseconds=1),
        line_key=outage.line_key,
    )
    during = [v for v in nearby if _within(v, outage.starts_at, end)]
    administrator = handed_over(session=session, outage_id=outage.id)
    return per_employee(during, register=register, markings=markings, timezone=timezone, administrator=administrator)


def visits_outside_outages(
    *,
    session: Session,
    lines: Lines,
    register: VisitRegister,
    markings: Markings,
    now: datetime,
    timezone: ZoneInfo,
    line_key: str | None = None,
) -> dict[str, tuple[StaffVisits, ...]]:
    """Per line, the visits phoned in outside every outage under its post-registration rule (ended or not)."""
    windows: dict[str, list[tuple[datetime, datetime]]] = {}
    for outage in session.scalars(select(Outage).where(Outage.starts_at <= now)):
        line = lines.by_key(outage.line_key)
        if line is None or line.post_registration is None or not line.post_registration.covers(outage.system):
            continue
        # An outage still in progress covers everything up to now; its visits join its worklist when it ends.
        windows.setdefault(outage.line_key, []).append(
            (outage.starts_at, outage.ended_at or outage.planned_end_at or now)
        )
    found = list_visits(session=session, now=now, flag_open_after=register.flag_open_after, line_key=line_key)
    per_line: dict[str, list[Visit]] = {}
    for visit in found:
        if not any(_within(visit, start, end) for start, end in windows.get(visit.line_key, [])):
            per_line.setdefault(visit.line_key, []).append(visit)
    return {
        key: per_employee(visits, register=register, markings=markings, timezone=timezone, administrator=set())
        for key, visits in sorted(per_line.items())
    }


def per_employee(
    visits: Sequence[Visit],
    *,
    register: VisitRegister,
    markings: Markings,
    timezone: ZoneInfo,
    administrator: set[int],
) -> tuple[StaffVisits, ...]:
    """Visits grouped per employee by name; the employees on the administrator's list come last."""
    groups: dict[int, list[Visit]] = {}
    for visit in sorted(visits, key=lambda v: (v.first_at, v.entry_id)):
        groups.setdefault(visit.staff_id, []).append(visit)
    found = [
        StaffVisits(
            staff_id=staff_id,
            name=own[0].staff_name,
            team_code=own[0].team_code,
            team_name=register.team_name(own[0].team_code),
            to_administrator=staff_id in administrator,
            items=tuple(visit_item(v, register, markings, timezone) for v in own),
        )
        for staff_id, own in groups.items()
    ]
    return tuple(sorted(found, key=lambda g: (g.to_administrator, g.name.casefold(), g.staff_id)))


def visit_item(visit: Visit, register: VisitRegister, markings: Markings, timezone: ZoneInfo) -> WorkItem:
    """A visit as a worklist item: the note says what to post-register in TES, and what is missing."""
    interventions = ", ".join(f"{i.code} {i.name}" for i in visit.interventions) or VISIT_NO_INTERVENTIONS
    note = VISIT_NOTE.format(
        client=visit.client_code,
        date=visit.first_at.astimezone(timezone).date().isoformat(),
        start=_time(visit.start_at, timezone),
        end=_time(visit.end_at, timezone),
        interventions=interventions,
        reference=visit.reference,
    )
    if visit.flags:
        note += VISIT_REMARK_NOTE.format(remarks=", ".join(visit_remark(flag) for flag in visit.flags))
    return WorkItem(
        source=VISIT,
        reference=visit.reference,
        made_at=visit.first_at,
        title=VISIT_TITLE.format(
            client=visit.client_code, staff=visit.staff_name, team=register.team_name(visit.team_code)
        ),
        note=note,
        drill=visit.drill,
        markings=tuple(markings.get((VISIT, visit.reference), ())),
    )


def _within(visit: Visit, start: datetime, end: datetime) -> bool:
    return any(t is not None and start <= t <= end for t in (visit.start_at, visit.end_at))


def _time(moment: datetime | None, timezone: ZoneInfo) -> str:
    return VISIT_NO_TIME if moment is None else moment.astimezone(timezone).strftime("%H.%M")
