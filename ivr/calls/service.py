"""The call log: when the service first saw each call, and how it ended."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.calls.models import Call
from ivr.persistence import insert_or_ignore

log = logging.getLogger("ivr.calls")
TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def note_call_seen(
    *, session: Session, call_sid: str, from_number: str, to_number: str, status: str, now: datetime
) -> None:
    """Store the call the first time any webhook sees it (one INSERT); later sightings change nothing."""
    values = {
        "call_sid": call_sid,
        "from_number": from_number,
        "to_number": to_number,
        "first_seen_at": now,
        "status": status or "in-progress",
        "status_sequence": -1,
    }
    if insert_or_ignore(session, Call, values, unique=["call_sid"]):
        log.info("call %s from %s to %s first seen at %s", call_sid, from_number, to_number, now.isoformat())


def record_call_seen(
    *, session: Session, call_sid: str, from_number: str, to_number: str, status: str, now: datetime
) -> Call:
    """Like note_call_seen, and return the stored call."""
    note_call_seen(
        session=session, call_sid=call_sid, from_number=from_number, to_number=to_number, status=status, now=now
    )
    call = session.scalars(select(Call).where(Call.call_sid == call_sid)).one()
    return call


def first_seen_at(*, session: Session, call_sid: str) -> datetime | None:
    """When the service first saw a call (its official first moment), or None for a call it never saw."""
    return session.scalar(select(Call.first_seen_at).where(Call.call_sid == call_sid))


def record_call_status(
    *,
    session: Session,
    call_sid: str,
    from_number: str,
    to_number: str,
    status: str,
    sequence: int | None,
    duration: int | None,
    timestamp: datetime | None,
    now: datetime,
) -> Call:
    """Apply a status callback; late or repeated callbacks never move a call backwards."""
    call = record_call_seen(
        session=session, call_sid=call_sid, from_number=from_number, to_number=to_number, status=status, now=now
    )
    seq = sequence if sequence is not None else (1_000_000 if status in TERMINAL else 0)
    if call.status in TERMINAL and status not in TERMINAL:
        return call
    if seq >= call.status_sequence or status in TERMINAL:
        call.status = status
        call.status_sequence = max(seq, call.status_sequence)
    if duration is not None:
        call.duration_seconds = duration
        ended = timestamp or now
        call.ended_at = ended
    if status in TERMINAL and call.ended_at is None:
        call.ended_at = timestamp or now
    if duration is not None and call.ended_at is not None:
        started = call.ended_at - timedelta(seconds=duration)
        log.info("call %s %s after %s s (started about %s)", call_sid, status, duration, started.isoformat())
    else:
        log.info("call %s status %s", call_sid, status)
    return call
