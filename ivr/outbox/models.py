"""The outbox tables: one row per SMS, and the delivery status events Twilio reports for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime

# Outbox states before Twilio has the message; after that, `status` is Twilio's own message status.
PENDING = "pending"  # waiting for the worker (first try or a retry at next_attempt_at)
SKIPPED = "skipped"  # no usable recipient; skip_reason says why
PRINTED = "printed"  # local use without Twilio credentials: printed on the worker's console
FAILED = "failed"  # permanently refused by Twilio, or reported failed by Twilio

# Twilio's message statuses in the order they happen; a later callback never moves a message backwards.
STATUS_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}
TERMINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})


class OutboxMessage(Base):
    """One SMS, rendered when the report that causes it was stored; never deleted."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    subject: Mapped[str] = mapped_column(String(200), index=True)
    template: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str | None] = mapped_column(String(20), default=None)
    body: Mapped[str] = mapped_column(Text)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    skip_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    last_error_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    status_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Set when an attempt may have reached Twilio without us hearing back (a timeout, a lost worker): before
    # sending again the worker asks Twilio whether it has the message, so a receipt is not sent twice.
    uncertain_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class SmsStatusEvent(Base):
    """One status callback from Twilio for a message, kept as history even when it arrived out of order."""

    __tablename__ = "sms_status_events"
    __table_args__ = (UniqueConstraint("message_sid", "status", name="uq_sms_status_events_message_sid_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_outbox.id"), default=None, index=True)
    message_sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[int | None] = mapped_column(Integer, default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
