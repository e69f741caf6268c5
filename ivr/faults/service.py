"""Fault tickets: a draft per call, filed with a short reference, routed along the line's chain of numbers.

Every function is safe to run twice, also at the same moment, for the same call and step (Twilio retries):
drafts and dial attempts are insert-or-ignore, filing and the voicemail lock the ticket's row and happen once,
and so do their SMS; an acceptance is a conditional update.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.hours import parse_hours
from directory.lookup import find_unit_by_code
from directory.numbers import national, try_e164
from directory.snapshot import UnitSnapshot
from ivr.audit.service import record_audit
from ivr.faults.models import FaultDialAttempt, FaultTicket
from ivr.lines.models import Line
from ivr.lines.service import Destination, destination
from ivr.notes import OTHER_SYSTEM as OTHER_SYSTEM_NAME
from ivr.notes import UNKNOWN_UNIT, fault_kind_name, local_iso
from ivr.outbox.service import enqueue_sms, sms_recipient
from ivr.outbox.templates import UNKNOWN_PHONE, official_time
from ivr.persistence import insert_or_ignore
from ivr.schedule.models import HELP_DESK

log = logging.getLogger("ivr.faults")


class TicketError(ValueError):
    """A ticket operation that cannot be carried out (already closed, no note)."""


REFERENCE_DIGITS = 6

# The kinds of fault a caller chooses from, in menu order: (key, kind).
FAULT_KINDS: tuple[tuple[str, str], ...] = (("1", "login"), ("2", "unreachable"), ("3", "slow"), ("4", "other"))
OTHER_SYSTEM = "other"


def open_draft(*, session: Session, call_sid: str, line: Line, from_number: str, now: datetime) -> FaultTicket:
    """The call's ticket, created the first time the caller enters the fault report."""
    values = {
        "call_sid": call_sid,
        "line_key": line.key,
        "from_number": from_number,
        "started_at": now,
        "outcome": "draft",
        "drill": line.drill,
    }
    insert_or_ignore(session, FaultTicket, values, unique=["call_sid"])
    return ticket_for_call(session=session, call_sid=call_sid)


@dataclass(frozen=True)
class FiledBy:
    """Who reports the fault: the name said (or recorded) and the unit confirmed, as the call's state holds them."""

    name: str | None
    name_recording: str | None
    unit: UnitSnapshot | None


def ticket_for_call(*, session: Session, call_sid: str, for_update: bool = False) -> FaultTicket:
    """The ticket of a call; raises if the call has none (a step reached out of order).

    With `for_update` the row is locked until the transaction ends (PostgreSQL), so two identical requests
    arriving at once take turns; SQLite transactions hold the database's write lock from their start.
    """
    query = select(FaultTicket).where(FaultTicket.call_sid == call_sid)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one()


def file_ticket(
    *,
    session: Session,
    call_sid: str,
    line: Line,
    kind: str,
    by: FiledBy,
    routed_to: str,
    now: datetime,
    timezone: ZoneInfo,
) -> FaultTicket:
    """Give the call's ticket its kind, reporter, reference and route, once; the reporter gets a receipt by SMS."""
    ticket = ticket_for_call(session=session, call_sid=call_sid, for_update=True)
    if ticket.filed_at is not None:
        return ticket
    ticket.kind = kind
    ticket.reporter_name = by.name
    ticket.name_recording_url = by.name_recording
    if by.unit is not None:
        ticket.unit_code, ticket.unit_name, ticket.unit_sms = by.unit.code, by.unit.name, by.unit.sms
    ticket.reference = _new_reference(session)
    ticket.filed_at = now
    ticket.routed_to = routed_to
    ticket.outcome = "filed"
    session.flush()
    first = destination(session=session, code=first_code(line, routed_to))
    enqueue_sms(
        session=session,
        to=sms_recipient(unit_sms=ticket.unit_sms, caller_number=ticket.from_number),
        template="fault_receipt",
        values={
            "system": ticket.system or OTHER_SYSTEM_NAME,
            "fault_kind": fault_kind_name(ticket.kind),
            "time": official_time(now, timezone),
            "receiver": first.name if first else line.organisation,
            "reference": ticket.reference,
        },
        subject=f"ticket:{ticket.reference}",
        now=now,
        drill=ticket.drill,
    )
    log.info("fault ticket %s filed on %s, routed to %s", ticket.reference, line.key, routed_to)
    return ticket


def first_code(line: Line, routed_to: str) -> str:
    """The directory code a filed ticket rings first."""
    return line.help_desk_code if routed_to == HELP_DESK else line.standby_code


def next_destination(
    *, session: Session, ticket: FaultTicket, line: Line, after: int, now: datetime, timezone: ZoneInfo
) -> tuple[int, Destination] | None:
    """The next number to ring after chain position `after` (-1 for the first), skipping closed or missing units."""
    chain = [first_code(line, ticket.routed_to or HELP_DESK)]
    chain += [code for code in line.chain if code not in chain]
    local = now.astimezone(timezone)
    for position in range(after + 1, len(chain)):
        code = chain[position]
        unit = find_unit_by_code(session=session, code=code)
        if position > 0 and unit is not None and not parse_hours(unit.hours).is_open(local):
            continue
        found = destination(session=session, code=code)
        if found is not None:
            return position, found
    return None


def start_attempt(
    *, session: Session, ticket: FaultTicket, position: int, target: Destination, now: datetime
) -> FaultDialAttempt:
    """Record that a chain position is being rung (once, however often Twilio asks)."""
    values = {
        "ticket_id": ticket.id,
        "position": position,
        "code": target.code,
        "name": target.name,
        "number": target.number,
        "started_at": now,
    }
    insert_or_ignore(session, FaultDialAttempt, values, unique=["ticket_id", "position"])
    ticket.outcome = "ringing"
    return attempt_at(session=session, ticket_id=ticket.id, position=position)


def attempt_at(*, session: Session, ticket_id: int, position: int) -> FaultDialAttempt:
    """The dial attempt of a ticket at a chain position."""
    query = select(FaultDialAttempt).where(
        FaultDialAttempt.ticket_id == ticket_id, FaultDialAttempt.position == position
    )
    return session.scalars(query).one()


def accept_attempt(*, session: Session, ticket_id: int, position: int, now: datetime) -> bool:
    """The answering person pressed 1: the call is theirs (kept from the first press); True if this press set it."""
    result = session.execute(
        update(FaultDialAttempt)
        .where(
            FaultDialAttempt.ticket_id == ticket_id,
            FaultDialAttempt.position == position,
            FaultDialAttempt.accepted_at.is_(None),
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def finish_attempt(*, session: Session, ticket: FaultTicket, attempt: FaultDialAttempt, dial_status: str) -> bool:
    """Store how the dial ended; True when the call was taken (accepted in the whisper and bridged)."""
    attempt.dial_status = dial_status
    taken = attempt.accepted_at is not None and dial_status in ("completed", "answered")
    if taken:
        ticket.outcome = "connected"
        ticket.connected_number = attempt.number
    return taken


def attach_voicemail(
    *,
    session: Session,
    call_sid: str,
    line: Line,
    url: str,
    seconds: int | None,
    now: datetime,
    timezone: ZoneInfo,
) -> FaultTicket:
    """Attach the caller's voicemail to the call's ticket and tell the standby by SMS (once)."""
    ticket = ticket_for_call(session=session, call_sid=call_sid, for_update=True)
    if ticket.voicemail_url is not None:
        return ticket
    ticket.voicemail_url = url
    ticket.voicemail_seconds = seconds
    ticket.outcome = "voicemail"
    standby = find_unit_by_code(session=session, code=line.standby_code)
    enqueue_sms(
        session=session,
        to=standby.sms_number if standby else None,
        template="fault_voicemail_notice",
        values={
            "system": ticket.system or OTHER_SYSTEM_NAME,
            "fault_kind": fault_kind_name(ticket.kind),
            "time": official_time(now, timezone),
            "unit": ticket.unit_name or UNKNOWN_UNIT,
            "unit_phone": _callback_number(ticket.from_number),
            "reference": ticket.reference or "",
        },
        subject=f"ticket:{ticket.reference}",
        now=now,
        drill=ticket.drill,
    )
    log.info("fault ticket %s: voicemail attached, standby notified", ticket.reference)
    return ticket


def _callback_number(number: str | None) -> str:
    """The number the standby calls back on, as Swedes write it (the caller's, from caller ID)."""
    e164 = try_e164(number)
    return national(e164) if e164 else UNKNOWN_PHONE


def list_tickets(
    *,
    session: Session,
    line_keys: Collection[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    only_open: bool = False,
    limit: int | None = None,
) -> list[FaultTicket]:
    """Filed tickets, newest first; optionally of some lines, filed in [start, end), not closed, at most `limit`."""
    query = select(FaultTicket).where(FaultTicket.filed_at.is_not(None)).order_by(FaultTicket.filed_at.desc())
    if line_keys is not None:
        query = query.where(FaultTicket.line_key.in_(list(line_keys)))
    if start is not None:
        query = query.where(FaultTicket.filed_at >= start)
    if end is not None:
        query = query.where(FaultTicket.filed_at < end)
    if only_open:
        query = query.where(FaultTicket.closed_at.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def find_ticket(*, session: Session, reference: str, line_keys: Collection[str] | None = None) -> FaultTicket | None:
    """The filed ticket with this reference (None if it is on none of `line_keys`, when given)."""
    query = select(FaultTicket).where(FaultTicket.reference == reference.strip(), FaultTicket.filed_at.is_not(None))
    if line_keys is not None:
        query = query.where(FaultTicket.line_key.in_(list(line_keys)))
    return session.scalar(query)


def assign_ticket(*, session: Session, ticket: FaultTicket, assignee: str, by: str, now: datetime) -> FaultTicket:
    """Give a ticket to someone (or take it back with an empty name); audited."""
    name = assignee.strip()[:200] or None
    ticket.assigned_to = name
    ticket.assigned_at = now if name else None
    record_audit(
        session=session,
        actor=by,
        action="tickets.assign",
        subject=f"ticket:{ticket.reference}",
        detail={"assigned_to": name},
        now=now,
    )
    session.flush()
    return ticket


def close_ticket(*, session: Session, ticket: FaultTicket, note: str, by: str, now: datetime) -> FaultTicket:
    """Close a ticket with a note on what was done (a ticket is closed once); audited."""
    if ticket.closed_at is not None:
        raise TicketError(f"ticket {ticket.reference} is already closed")
    if not note.strip():
        raise TicketError("closing a ticket needs a note")
    ticket.closed_at = now
    ticket.closed_by = by
    ticket.close_note = note.strip()
    record_audit(session=session, actor=by, action="tickets.close", subject=f"ticket:{ticket.reference}", now=now)
    session.flush()
    return ticket


def attempts_of(*, session: Session, ticket_id: int) -> list[FaultDialAttempt]:
    """The numbers a ticket rang, in order."""
    query = select(FaultDialAttempt).where(FaultDialAttempt.ticket_id == ticket_id).order_by(FaultDialAttempt.position)
    return list(session.scalars(query))


def ticket_as_dict(ticket: FaultTicket, attempts: list[FaultDialAttempt], timezone: ZoneInfo) -> dict[str, Any]:
    """A ticket as plain data for `ivr tickets list --json`."""
    filed = local_iso(ticket.filed_at, timezone) if ticket.filed_at else None
    return {
        "reference": ticket.reference,
        "time": filed,
        "line": ticket.line_key,
        "unit": {"code": ticket.unit_code, "name": ticket.unit_name},
        # The reporter's name: the fault routine says who reports; staff, not patient data (never in an SMS).
        "reporter": {"name": ticket.reporter_name, "name_recorded": ticket.name_recording_url is not None},
        "kind_name": fault_kind_name(ticket.kind),
        "system": ticket.system,
        "kind": ticket.kind,
        "routed_to": ticket.routed_to,
        "rang": [
            {
                "code": a.code,
                "name": a.name,
                "number": a.number,
                "status": a.dial_status,
                "accepted": a.accepted_at is not None,
            }
            for a in attempts
        ],
        "outcome": ticket.outcome,
        "connected_number": ticket.connected_number,
        "voicemail": ticket.voicemail_url,
        "name_recording": ticket.name_recording_url,
        "drill": ticket.drill,
        "assigned_to": ticket.assigned_to,
        "closed": local_iso(ticket.closed_at, timezone) if ticket.closed_at else None,
        "closed_by": ticket.closed_by,
        "close_note": ticket.close_note,
    }


def _new_reference(session: Session) -> str:
    low = 10 ** (REFERENCE_DIGITS - 1)
    while True:
        reference = str(low + secrets.randbelow(9 * low))
        if session.scalar(select(FaultTicket.id).where(FaultTicket.reference == reference)) is None:
            return reference
