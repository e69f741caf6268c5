"""Fault tickets from the voice line, and the numbers each ticket rang."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime


class FaultTicket(Base):
    """One fault report, one per call (keyed by CallSid); it gets its reference when it is filed.

    The unit is a snapshot (code, name), never a key to `units`. The reporter's name is personal data:
    it is spoken back and stored here, never logged or sent by SMS.
    """

    __tablename__ = "fault_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    reference: Mapped[str | None] = mapped_column(String(12), unique=True, default=None)
    line_key: Mapped[str] = mapped_column(String(32))
    from_number: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(200), default=None)
    name_recording_url: Mapped[str | None] = mapped_column(String(500), default=None)
    unit_code: Mapped[str | None] = mapped_column(String(16), default=None)
    unit_name: Mapped[str | None] = mapped_column(String(200), default=None)
    unit_sms: Mapped[str | None] = mapped_column(String(20), default=None)
    system: Mapped[str | None] = mapped_column(String(64), default=None)
    kind: Mapped[str | None] = mapped_column(String(32), default=None)
    routed_to: Mapped[str | None] = mapped_column(String(16), default=None)
    outcome: Mapped[str] = mapped_column(String(32), default="draft")
    connected_number: Mapped[str | None] = mapped_column(String(20), default=None)
    voicemail_url: Mapped[str | None] = mapped_column(String(500), default=None)
    voicemail_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_to: Mapped[str | None] = mapped_column(String(200), default=None)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    close_note: Mapped[str | None] = mapped_column(Text, default=None)


class FaultDialAttempt(Base):
    """One number a ticket's call rang, in chain order; `accepted_at` is set when the answerer pressed 1."""

    __tablename__ = "fault_dial_attempts"
    __table_args__ = (UniqueConstraint("ticket_id", "position", name="uq_fault_dial_attempts_ticket_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("fault_tickets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    dial_status: Mapped[str | None] = mapped_column(String(32), default=None)
