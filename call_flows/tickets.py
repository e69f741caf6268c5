"""Fault tickets: a draft per call, filed with a short reference, routed along the line's chain of numbers.

Every function is safe to run twice for the same call and step (Twilio retries): drafts and dial attempts are
insert-or-ignore, filing and the voicemail happen once, and so do their SMS.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from call_flows.destinations import Destination, destination
from call_flows.lines import Line
from call_flows.models import HELP_DESK, FaultDialAttempt, FaultTicket
from call_flows.prompts import prompt
from directory.hours import parse_hours
from directory.lookup import find_unit_by_code
from ivr.outbox.service import enqueue_sms, sms_recipient
from ivr.outbox.templates import official_time

log = logging.getLogger("call_flows.tickets")
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
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(FaultTicket).values(**values).on_conflict_do_nothing(index_elements=["call_sid"]))
    return ticket_for_call(session=session, call_sid=call_sid)


def ticket_for_call(*, session: Session, call_sid: str) -> FaultTicket:
    """The ticket of a call; raises if the call has none (a step reached out of order)."""
    return session.scalars(select(FaultTicket).where(FaultTicket.call_sid == call_sid)).one()


def file_ticket(
    *, session: Session, ticket: FaultTicket, line: Line, routed_to: str, now: datetime, timezone: ZoneInfo
) -> FaultTicket:
    """Give the ticket its reference and route, once; the reporter gets a receipt by SMS when possible."""
    if ticket.filed_at is not None:
        return ticket
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
            "system": ticket.system or prompt("fault_system_other_name"),
            "fault_kind": kind_name(ticket.kind),
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
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(FaultDialAttempt).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["ticket_id", "position"]))
    ticket.outcome = "ringing"
    return attempt_at(session=session, ticket_id=ticket.id, position=position)


def attempt_at(*, session: Session, ticket_id: int, position: int) -> FaultDialAttempt:
    """The dial attempt of a ticket at a chain position."""
    query = select(FaultDialAttempt).where(
        FaultDialAttempt.ticket_id == ticket_id, FaultDialAttempt.position == position
    )
    return session.scalars(query).one()


def accept_attempt(*, session: Session, ticket_id: int, position: int, now: datetime) -> FaultDialAttempt:
    """The answering person pressed 1: the call is theirs (kept from the first press)."""
    attempt = attempt_at(session=session, ticket_id=ticket_id, position=position)
    if attempt.accepted_at is None:
        attempt.accepted_at = now
    return attempt


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
    ticket: FaultTicket,
    line: Line,
    url: str,
    seconds: int | None,
    now: datetime,
    timezone: ZoneInfo,
) -> None:
    """Attach the caller's voicemail to the ticket and tell the standby by SMS (once)."""
    if ticket.voicemail_url is not None:
        return
    ticket.voicemail_url = url
    ticket.voicemail_seconds = seconds
    ticket.outcome = "voicemail"
    standby = find_unit_by_code(session=session, code=line.standby_code)
    enqueue_sms(
        session=session,
        to=standby.sms_number if standby else None,
        template="fault_voicemail_notice",
        values={
            "system": ticket.system or prompt("fault_system_other_name"),
            "fault_kind": kind_name(ticket.kind),
            "time": official_time(now, timezone),
            "unit": ticket.unit_name or prompt("unknown_unit_name"),
            "reference": ticket.reference or "",
        },
        subject=f"ticket:{ticket.reference}",
        now=now,
        drill=ticket.drill,
    )
    log.info("fault ticket %s: voicemail attached, standby notified", ticket.reference)


def kind_name(kind: str | None) -> str:
    """A fault kind in words ("kan inte logga in")."""
    return prompt(f"fault_kind_{kind}") if kind else prompt("fault_kind_other")


def list_tickets(*, session: Session) -> list[FaultTicket]:
    """Filed tickets, newest first."""
    query = select(FaultTicket).where(FaultTicket.filed_at.is_not(None)).order_by(FaultTicket.filed_at.desc())
    return list(session.scalars(query))


def attempts_of(*, session: Session, ticket_id: int) -> list[FaultDialAttempt]:
    """The numbers a ticket rang, in order."""
    query = select(FaultDialAttempt).where(FaultDialAttempt.ticket_id == ticket_id).order_by(FaultDialAttempt.position)
    return list(session.scalars(query))


def ticket_as_dict(ticket: FaultTicket, attempts: list[FaultDialAttempt], timezone: ZoneInfo) -> dict[str, Any]:
    """A ticket as plain data for `ivr tickets list --json` (no reporter name: it stays in the database)."""
    filed = ticket.filed_at.astimezone(timezone).isoformat() if ticket.filed_at else None
    return {
        "reference": ticket.reference,
        "time": filed,
        "line": ticket.line_key,
        "unit": {"code": ticket.unit_code, "name": ticket.unit_name},
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
    }


def _new_reference(session: Session) -> str:
    low = 10 ** (REFERENCE_DIGITS - 1)
    while True:
        reference = str(low + secrets.randbelow(9 * low))
        if session.scalar(select(FaultTicket.id).where(FaultTicket.reference == reference)) is None:
            return reference
