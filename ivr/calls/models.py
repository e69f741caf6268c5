"""The call log (every call the service has seen) and each call's state (what it has answered so far)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime


class Call(Base):
    """One phone call, keyed by Twilio's CallSid; first_seen_at is the service's own clock."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(64))
    to_number: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(32))
    status_sequence: Mapped[int] = mapped_column(Integer, default=-1)
    duration_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CallStateRow(Base):
    """What one call has answered so far, as JSON (ivr.calls.state), kept server-side by CallSid."""

    __tablename__ = "call_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(64), default="", index=True)
    line_key: Mapped[str] = mapped_column(String(32), default="")
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)  # kept after the call: resumable
