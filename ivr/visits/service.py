"""Registering visits by phone (a start, an end paired with the staff member's open start at the client) and
handing an employee's post-registration over to the administrator. (The visits as they stand: ivr.visits.record.)

Every registration is safe to run twice, also at the same moment (Twilio retries): there is one entry per call
(insert-or-ignore on the CallSid), and an end first locks the start it closes, so two ends never share a start.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from ivr.audit.service import record_audit
from ivr.outages.models import Outage
from ivr.persistence import insert_or_ignore
from ivr.visits.models import (
    BACK_TO_STAFF,
    END,
    START,
    TO_ADMINISTRATOR,
    StaffMember,
    VisitCorrection,
    VisitEntry,
    VisitHandover,
)
from ivr.visits.register import Client, Intervention

REFERENCE_DIGITS = 6


class VisitError(ValueError):
    """A correction or hand-over that cannot be made (unknown reference, nothing to change, times backwards)."""


# ---- registering by phone ----------------------------------------------------------------------------------


def register_start(
    *,
    session: Session,
    call_sid: str,
    line_key: str,
    staff_id: int,
    client: Client,
    source: str,
    at: datetime,
    drill: bool,
    now: datetime,
) -> VisitEntry:
    """Register that a visit starts (once per call, however often Twilio asks)."""
    values = _entry_values(START, call_sid, line_key, staff_id, client, source, at, drill, now)
    insert_or_ignore(session, VisitEntry, {**values, "reference": _new_reference(session)}, unique=["call_sid"])
    return entry_for_call(session=session, call_sid=call_sid)


def register_end(
    *,
    session: Session,
    call_sid: str,
    line_key: str,
    staff_id: int,
    client: Client,
    source: str,
    at: datetime,
    interventions: Sequence[Intervention],
    drill: bool,
    open_within: timedelta,
    now: datetime,
) -> tuple[VisitEntry, VisitEntry | None]:
    """Register that a visit ends, closing the staff member's open start at this client; returns (end, start)."""
    closes = None
    while start := open_start(session=session, staff_id=staff_id, client_code=client.code, at=at, within=open_within):
        _lock(session, start)  # PostgreSQL: concurrent ends of this start take turns; SQLite writes one at a time
        if not _has_end(session, start.id):
            closes = start
            break
    values = _entry_values(END, call_sid, line_key, staff_id, client, source, at, drill, now)
    values |= {
        "reference": _new_reference(session),
        "closes_id": closes.id if closes else None,
        "interventions": json.dumps([[i.code, i.name] for i in interventions], ensure_ascii=False),
    }
    insert_or_ignore(session, VisitEntry, values, unique=["call_sid"])
    entry = entry_for_call(session=session, call_sid=call_sid)
    return entry, closed_start(session=session, entry=entry)


def closed_start(*, session: Session, entry: VisitEntry) -> VisitEntry | None:
    """The start an end entry closed (None for a start, or an end without a start)."""
    return None if entry.closes_id is None else session.get(VisitEntry, entry.closes_id)


def open_start(
    *, session: Session, staff_id: int, client_code: str, at: datetime, within: timedelta
) -> VisitEntry | None:
    """The staff member's latest start at this client less than `within` before `at` that nothing has ended yet."""
    end = aliased(VisitEntry)
    query = (
        select(VisitEntry)
        .where(
            VisitEntry.kind == START,
            VisitEntry.staff_id == staff_id,
            VisitEntry.client_code == client_code,
            VisitEntry.at <= at,
            VisitEntry.at > at - within,
            ~exists().where(end.closes_id == VisitEntry.id),
        )
        .order_by(VisitEntry.at.desc(), VisitEntry.id.desc())
    )
    return next((c for c in session.scalars(query) if not withdrawn(session=session, visit_id=c.id)), None)


def entry_for_call(*, session: Session, call_sid: str) -> VisitEntry:
    """The entry a call registered; raises if it registered none."""
    return session.scalars(select(VisitEntry).where(VisitEntry.call_sid == call_sid)).one()


def entry_of_call(*, session: Session, call_sid: str) -> VisitEntry | None:
    """The entry a call registered, if it has registered one (a retried request answers from it)."""
    return session.scalar(select(VisitEntry).where(VisitEntry.call_sid == call_sid))


def entry_interventions(raw: str) -> tuple[Intervention, ...]:
    """The interventions stored with an end entry or a correction."""
    return tuple(Intervention(code=code, name=name) for code, name in json.loads(raw or "[]"))


# ---- hand-overs to the administrator ------------------------------------------------------------------------


def hand_over(
    *, session: Session, outage_id: int, staff_id: int, by: str, now: datetime, back: bool = False
) -> VisitHandover:
    """Record that the administrator post-registers an employee's visits of an outage (or, `back`, no longer does)."""
    if session.get(Outage, outage_id) is None:
        raise VisitError(f"no outage {outage_id}")
    member = session.get(StaffMember, staff_id)
    if member is None:
        raise VisitError(f"no staff member {staff_id}")
    current = handed_over(session=session, outage_id=outage_id)
    if back and staff_id not in current:
        raise VisitError(f"{member.name}'s visits of outage {outage_id} are not with the administrator")
    if not back and staff_id in current:
        raise VisitError(f"{member.name}'s visits of outage {outage_id} are already with the administrator")
    action = BACK_TO_STAFF if back else TO_ADMINISTRATOR
    row = VisitHandover(outage_id=outage_id, staff_id=staff_id, action=action, at=now, by=by)
    session.add(row)
    record_audit(
        session=session,
        actor=by,
        action=f"visits.{action}",
        subject=f"staff:{staff_id}",
        detail={"outage": outage_id},
        now=now,
    )
    session.flush()
    return row


def handed_over(*, session: Session, outage_id: int) -> set[int]:
    """The employees whose visits of an outage the administrator post-registers (the latest row per employee)."""
    latest: dict[int, str] = {}
    query = select(VisitHandover).where(VisitHandover.outage_id == outage_id).order_by(VisitHandover.id)
    for row in session.scalars(query):
        latest[row.staff_id] = row.action
    return {staff_id for staff_id, action in latest.items() if action == TO_ADMINISTRATOR}


def _entry_values(
    kind: str,
    call_sid: str,
    line_key: str,
    staff_id: int,
    client: Client,
    source: str,
    at: datetime,
    drill: bool,
    now: datetime,
) -> dict[str, object]:
    return {
        "kind": kind,
        "call_sid": call_sid,
        "line_key": line_key,
        "staff_id": staff_id,
        "team_code": client.team_code,
        "client_code": client.code,
        "client_source": source,
        "at": at,
        "recorded_at": now,
        "closes_id": None,
        "interventions": "[]",
        "drill": drill,
    }


def _lock(session: Session, entry: VisitEntry) -> None:
    query = select(VisitEntry.id).where(VisitEntry.id == entry.id).with_for_update()
    session.execute(query)


def _has_end(session: Session, start_id: int) -> bool:
    return session.scalar(select(VisitEntry.id).where(VisitEntry.closes_id == start_id)) is not None


def withdrawn(*, session: Session, visit_id: int) -> bool:
    """Whether the latest correction of a visit withdrew it."""
    latest = session.scalars(
        select(VisitCorrection).where(VisitCorrection.visit_id == visit_id).order_by(VisitCorrection.id.desc())
    ).first()
    return latest is not None and latest.void


def _new_reference(session: Session) -> str:
    low = 10 ** (REFERENCE_DIGITS - 1)
    while True:
        reference = str(low + secrets.randbelow(9 * low))
        if session.scalar(select(VisitEntry.id).where(VisitEntry.reference == reference)) is None:
            return reference
