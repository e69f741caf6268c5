"""Writing to the outbox (in the caller's transaction), choosing recipients, and tracking delivery."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory.numbers import is_mobile, try_e164
from ivr.outbox.models import (
    FAILED,
    PENDING,
    SKIPPED,
    STATUS_RANK,
    TERMINAL_STATUSES,
    OutboxMessage,
    SmsStatusEvent,
)
from ivr.outbox.templates import render

NO_SMS_NUMBER = "mottagaren saknar SMS-nummer"
INVALID_NUMBER = "ogiltigt SMS-nummer"

# 10 or 12 digits, optionally with - or + before the last four: what a personnummer or
# samordningsnummer looks like. Phone numbers pass as Swedes write them (0920-28 40 00).
_IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{6}|\d{8})[-+]?\d{4}(?!\d)")


def contains_identity_number(text: str) -> bool:
    """Whether the text holds something that looks like a personnummer or samordningsnummer."""
    return _IDENTITY_NUMBER.search(text) is not None


def enqueue_sms(
    *,
    session: Session,
    to: str | None,
    template: str,
    values: Mapping[str, str],
    subject: str,
    now: datetime,
    drill: bool = False,
    skip_reason: str | None = None,
) -> OutboxMessage:
    """Render an SMS now and add it to the caller's transaction; with no recipient it is stored as skipped.

    Raises TemplateError (a ValueError) for an unknown template or wrong placeholders, and ValueError for
    any value that looks like a personnummer: the last line of defence for DOMAIN.md §7.
    """
    for name, value in values.items():
        if contains_identity_number(value):
            raise ValueError(f"SMS value {name!r} looks like a personnummer; SMS never carry one")
    body = render(template, dict(values), drill=drill)
    if contains_identity_number(body):
        raise ValueError(f"SMS template {template!r} rendered something that looks like a personnummer")
    number = try_e164(to)
    if to is None:
        reason: str | None = skip_reason or NO_SMS_NUMBER
    elif number is None:
        reason = INVALID_NUMBER
    else:
        reason = None
    message = OutboxMessage(
        created_at=now,
        subject=subject,
        template=template,
        to_number=number,
        body=body,
        drill=drill,
        status=SKIPPED if reason else PENDING,
        skip_reason=reason,
        attempts=0,
        next_attempt_at=None if reason else now,
    )
    session.add(message)
    return message


def sms_recipient(*, unit_sms: str | None, caller_number: str | None) -> str | None:
    """The unit's SMS number from the directory, else the caller's own number if it is a mobile, else None."""
    unit_number = try_e164(unit_sms)
    if unit_number is not None:
        return unit_number
    caller = try_e164(caller_number)
    if caller is not None and is_mobile(caller):
        return caller
    return None


def messages_for(*, session: Session, subject: str) -> list[OutboxMessage]:
    """Every message caused by one report or ticket, oldest first."""
    return list(
        session.scalars(select(OutboxMessage).where(OutboxMessage.subject == subject).order_by(OutboxMessage.id))
    )


def list_messages(
    *, session: Session, failed_only: bool = False, newest_first: bool = False, limit: int | None = None
) -> list[OutboxMessage]:
    """Every message, oldest first; with failed_only, those that will never arrive (failed or undelivered)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc() if newest_first else OutboxMessage.id)
    if failed_only:
        query = query.where(OutboxMessage.status.in_((FAILED, "undelivered")))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def record_status(
    *, session: Session, message_sid: str, status: str, error_code: int | None, now: datetime
) -> OutboxMessage | None:
    """Store a Twilio status callback in the history and move the message forward, never backwards.

    A repeated callback (Twilio retries) is stored once. Commits. Returns the message, or None when the SID
    is not known yet (the event is kept and applied when the worker records the SID).
    """
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.twilio_sid == message_sid)).first()
    seen = select(SmsStatusEvent.id).where(SmsStatusEvent.message_sid == message_sid, SmsStatusEvent.status == status)
    if session.scalars(seen).first() is None:
        session.add(
            SmsStatusEvent(
                message_id=message.id if message else None,
                message_sid=message_sid,
                status=status,
                error_code=error_code,
                received_at=now,
            )
        )
    if message is not None:
        _advance(message, status=status, error_code=error_code, now=now)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the same callback arrived twice at once; the other request stored it
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.twilio_sid == message_sid)).first()
    return message


def catch_up_status(*, session: Session, message: OutboxMessage) -> None:
    """Apply status callbacks that arrived before the worker recorded the message's SID."""
    early = session.scalars(
        select(SmsStatusEvent).where(SmsStatusEvent.message_sid == message.twilio_sid).order_by(SmsStatusEvent.id)
    )
    for event in early:
        event.message_id = message.id
        _advance(message, status=event.status, error_code=event.error_code, now=event.received_at)


def status_history(*, session: Session, message_sid: str) -> list[SmsStatusEvent]:
    """The status callbacks received for a message, in the order they arrived."""
    query = select(SmsStatusEvent).where(SmsStatusEvent.message_sid == message_sid).order_by(SmsStatusEvent.id)
    return list(session.scalars(query))


def _advance(message: OutboxMessage, *, status: str, error_code: int | None, now: datetime) -> None:
    if not _moves_forward(message.status, status):
        return
    message.status = status
    message.status_updated_at = now
    if error_code is not None:
        message.last_error_code = error_code
        message.last_error = f"Twilio reported {status} (error {error_code})"


def _moves_forward(current: str, new: str) -> bool:
    if new not in STATUS_RANK:
        return False
    if current in TERMINAL_STATUSES and new != "read":
        return False
    return STATUS_RANK[new] > STATUS_RANK.get(current, 0)


def message_as_dict(message: OutboxMessage, *, timezone: ZoneInfo) -> dict[str, Any]:
    """A message as `ivr sms list` shows it (times in local time)."""

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(timezone).isoformat(timespec="seconds") if moment else None

    return {
        "id": message.id,
        "created_at": local(message.created_at),
        "to": message.to_number,
        "template": message.template,
        "status": message.status,
        "drill": message.drill,
        "attempts": message.attempts,
        "last_error_code": message.last_error_code,
        "last_error": message.last_error,
        "twilio_sid": message.twilio_sid,
        "subject": message.subject,
        "skip_reason": message.skip_reason,
        "next_attempt_at": local(message.next_attempt_at),
        "sent_at": local(message.sent_at),
    }
