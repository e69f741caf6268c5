"""The visits as they stand: each visit's phoned-in start and end with its latest correction, what is missing,
and corrections (new rows that restate a visit or withdraw it; nothing stored is ever changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.notes import local_iso, visit_remark
from ivr.visits.models import END, START, StaffMember, VisitCorrection, VisitEntry
from ivr.visits.register import Intervention, VisitRegister
from ivr.visits.service import VisitError, entry_interventions

CORRECTION_RANGE = timedelta(hours=24)  # how far a correction may move a visit from its registered time
NO_END = "no_end"  # a start without an end, longer ago than the flag_open_after_hours rule
NO_START = "no_start"  # an end that closed no start


@dataclass(frozen=True)
class Correction:
    """Who corrected (or withdrew) a visit, when and why."""

    made_at: datetime
    made_by: str
    reason: str
    void: bool


@dataclass(frozen=True)
class Visit:
    """One visit as it stands: its registered entries with the latest correction applied, and what is missing."""

    reference: str
    entry_id: int  # the visit's first entry, which corrections name
    line_key: str
    staff_id: int
    staff_name: str
    team_code: str
    client_code: str
    client_source: str
    start_at: datetime | None
    end_at: datetime | None
    interventions: tuple[Intervention, ...]
    drill: bool
    void: bool
    flags: tuple[str, ...]
    registered_start: datetime | None
    registered_end: datetime | None
    corrections: tuple[Correction, ...] = ()

    @property
    def registered_first(self) -> datetime:
        """The first phoned-in moment of the visit (its start, or its end when no start was phoned in)."""
        moment = self.registered_start or self.registered_end
        assert moment is not None  # every visit has an entry
        return moment

    @property
    def first_at(self) -> datetime:
        """When the visit began, or (without a start) ended: what visits are sorted and filtered by."""
        return self.start_at or self.end_at or self.registered_first

    @property
    def minutes(self) -> int | None:
        """How long the visit lasted, in whole minutes (None without both times)."""
        if self.start_at is None or self.end_at is None:
            return None
        return int((self.end_at - self.start_at).total_seconds() // 60)


def list_visits(
    *,
    session: Session,
    now: datetime,
    flag_open_after: timedelta,
    start: datetime | None = None,
    end: datetime | None = None,
    line_key: str | None = None,
    team_code: str | None = None,
    staff_id: int | None = None,
    client_code: str | None = None,
    include_void: bool = False,
) -> list[Visit]:
    """The visits that began (or, without a start, ended) in [start, end), oldest first, optionally filtered."""
    # A visit's entries lie within flag_open_after of each other, and a correction moves it at most CORRECTION_RANGE.
    margin = CORRECTION_RANGE + flag_open_after
    query = select(VisitEntry).order_by(VisitEntry.at, VisitEntry.id)
    if start is not None:
        query = query.where(VisitEntry.at >= start - margin)
    if end is not None:
        query = query.where(VisitEntry.at < end + margin)
    if line_key is not None:
        query = query.where(VisitEntry.line_key == line_key)
    if staff_id is not None:
        query = query.where(VisitEntry.staff_id == staff_id)
    visits = _visits(session, list(session.scalars(query)), now=now, flag_open_after=flag_open_after)
    return [
        v
        for v in visits
        if (include_void or not v.void)
        and (team_code is None or v.team_code == team_code)
        and (client_code is None or v.client_code == client_code)
        and (start is None or v.first_at >= start)
        and (end is None or v.first_at < end)
    ]


def find_visit(*, session: Session, reference: str, now: datetime, flag_open_after: timedelta) -> Visit | None:
    """The visit one of whose entries has this reference (withdrawn or not)."""
    entry = session.scalar(select(VisitEntry).where(VisitEntry.reference == reference.strip()))
    if entry is None:
        return None
    first_id = entry.closes_id if entry.closes_id is not None else entry.id
    query = select(VisitEntry).where(or_(VisitEntry.id == first_id, VisitEntry.closes_id == first_id))
    visits = _visits(session, list(session.scalars(query)), now=now, flag_open_after=flag_open_after)
    return next((v for v in visits if v.entry_id == first_id), None)


def _visits(
    session: Session, entries: Sequence[VisitEntry], *, now: datetime, flag_open_after: timedelta
) -> list[Visit]:
    ends: dict[int | None, VisitEntry] = {e.closes_id: e for e in entries if e.kind == END and e.closes_id is not None}
    firsts = [e for e in entries if e.kind == START or e.closes_id is None]
    missing_ends = [e.id for e in firsts if e.kind == START and e.id not in ends]
    if missing_ends:  # an end just past the loaded window
        for found in session.scalars(select(VisitEntry).where(VisitEntry.closes_id.in_(missing_ends))):
            ends[found.closes_id] = found
    starts_needed = {e.closes_id for e in entries if e.closes_id is not None} - {e.id for e in firsts}
    if starts_needed:  # a start just before the loaded window
        firsts += list(session.scalars(select(VisitEntry).where(VisitEntry.id.in_(starts_needed))))
    names = _staff_names(session, {e.staff_id for e in firsts})
    corrections = _corrections(session, [e.id for e in firsts])
    visits = []
    for first in firsts:
        start = first if first.kind == START else None
        end = ends.get(first.id) if start is not None else first
        visits.append(_visit(first, start, end, names, corrections.get(first.id, []), now, flag_open_after))
    return sorted(visits, key=lambda v: (v.first_at, v.entry_id))


def _visit(
    first: VisitEntry,
    start: VisitEntry | None,
    end: VisitEntry | None,
    names: dict[int, str],
    corrections: list[VisitCorrection],
    now: datetime,
    flag_open_after: timedelta,
) -> Visit:
    start_at = start.at if start else None
    end_at = end.at if end else None
    client, team = first.client_code, first.team_code
    interventions = entry_interventions(end.interventions) if end else ()
    void = False
    if corrections:
        latest = corrections[-1]
        start_at, end_at, client, team = latest.start_at, latest.end_at, latest.client_code, latest.team_code
        interventions, void = entry_interventions(latest.interventions), latest.void
    flags = []
    if start_at is not None and end_at is None and now - start_at >= flag_open_after:
        flags.append(NO_END)
    if start_at is None and end_at is not None:
        flags.append(NO_START)
    return Visit(
        reference=first.reference,
        entry_id=first.id,
        line_key=first.line_key,
        staff_id=first.staff_id,
        staff_name=names.get(first.staff_id, ""),
        team_code=team,
        client_code=client,
        client_source=first.client_source,
        start_at=start_at,
        end_at=end_at,
        interventions=interventions,
        drill=first.drill,
        void=void,
        flags=tuple(flags),
        registered_start=start.at if start else None,
        registered_end=end.at if end else None,
        corrections=tuple(Correction(c.made_at, c.made_by, c.reason, c.void) for c in corrections),
    )


def _staff_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(StaffMember.id, StaffMember.name).where(StaffMember.id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}


def _corrections(session: Session, visit_ids: Sequence[int]) -> dict[int, list[VisitCorrection]]:
    found: dict[int, list[VisitCorrection]] = {}
    if not visit_ids:
        return found
    query = select(VisitCorrection).where(VisitCorrection.visit_id.in_(visit_ids)).order_by(VisitCorrection.id)
    for row in session.scalars(query):
        found.setdefault(row.visit_id, []).append(row)
    return found


# ---- corrections -------------------------------------------------------------------------------------------


def correct_visit(
    *,
    session: Session,
    reference: str,
    by: str,
    reason: str,
    register: VisitRegister,
    now: datetime,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    client_code: str | None = None,
    intervention_codes: Sequence[str] | None = None,
    void: bool = False,
) -> Visit:
    """Restate a visit with the given changes (or withdraw it) in a new, audited correction; returns it corrected."""
    visit = find_visit(session=session, reference=reference, now=now, flag_open_after=register.flag_open_after)
    if visit is None:
        raise VisitError(f"no visit with reference {reference}")
    if visit.void:
        raise VisitError(f"visit {visit.reference} is withdrawn")
    if not reason.strip():
        raise VisitError("a correction needs a reason")
    if not by.strip():
        raise VisitError("say who corrects it: --by NAME")
    client = register.client(client_code) if client_code else None
    if client_code and client is None:
        raise VisitError(f"no client {client_code} in the client register")
    team = client.team_code if client else visit.team_code
    new_start, new_end = start_at or visit.start_at, end_at or visit.end_at
    for moment in (m for m in (start_at, end_at) if m is not None):
        if abs(moment - visit.registered_first) > CORRECTION_RANGE:
            raise VisitError("a correction may move a visit at most 24 hours from the time it was phoned in")
    if new_start is not None and new_end is not None and new_end <= new_start:
        raise VisitError("the visit must end after it starts")
    interventions = visit.interventions
    if intervention_codes is not None:
        interventions = _interventions(register, team, intervention_codes)
    values = (new_start, new_end, client.code if client else visit.client_code, team, interventions)
    if not void and values == (visit.start_at, visit.end_at, visit.client_code, visit.team_code, visit.interventions):
        raise VisitError("nothing to correct: give --start, --end, --client, --interventions or --withdraw")
    session.add(
        VisitCorrection(
            visit_id=visit.entry_id,
            made_at=now,
            made_by=by.strip(),
            reason=reason.strip(),
            start_at=new_start,
            end_at=new_end,
            client_code=values[2],
            team_code=team,
            interventions=json.dumps([[i.code, i.name] for i in interventions], ensure_ascii=False),
            void=void,
        )
    )
    record_audit(
        session=session,
        actor=by.strip(),
        action="visit.withdraw" if void else "visit.correct",
        subject=f"visit:{visit.reference}",
        detail={"reason": reason.strip(), "start": new_start, "end": new_end, "client": values[2]},
        now=now,
    )
    session.flush()
    rule = register.flag_open_after
    corrected = find_visit(session=session, reference=visit.reference, now=now, flag_open_after=rule)
    assert corrected is not None
    return corrected


def _interventions(register: VisitRegister, team: str, codes: Sequence[str]) -> tuple[Intervention, ...]:
    found = []
    for code in codes:
        intervention = register.intervention(team, code.strip())
        if intervention is None:
            raise VisitError(f"no intervention {code.strip()} in the catalogue of team {team}")
        if intervention not in found:
            found.append(intervention)
    return tuple(found)


# ---- as plain data -----------------------------------------------------------------------------------------


def visit_as_dict(visit: Visit, register: VisitRegister, timezone: ZoneInfo) -> dict[str, Any]:
    """A visit as plain data for JSON: times in Swedish local time, ready to copy into TES."""
    return {
        "reference": visit.reference,
        "line": visit.line_key,
        "staff": {"id": visit.staff_id, "name": visit.staff_name},
        "team": {"code": visit.team_code, "name": register.team_name(visit.team_code)},
        "client": visit.client_code,
        "client_from": visit.client_source,
        "date": visit.first_at.astimezone(timezone).date().isoformat(),
        "start": _local(visit.start_at, timezone),
        "end": _local(visit.end_at, timezone),
        "minutes": visit.minutes,
        "interventions": [{"code": i.code, "name": i.name} for i in visit.interventions],
        "flags": list(visit.flags),
        "remarks": [visit_remark(flag) for flag in visit.flags],
        "registered": {
            "start": _local(visit.registered_start, timezone),
            "end": _local(visit.registered_end, timezone),
        },
        "corrections": [
            {"at": _local(c.made_at, timezone), "by": c.made_by, "reason": c.reason, "withdrawn": c.void}
            for c in visit.corrections
        ],
        "withdrawn": visit.void,
        "drill": visit.drill,
    }


def _local(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    return None if moment is None else local_iso(moment, timezone)
