"""Manual overrides of a line's schedule: help desk or standby, temporary or until reset."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime

HELP_DESK = "help_desk"
STANDBY = "standby"
TARGETS = (HELP_DESK, STANDBY)


class ScheduleOverride(Base):
    """A manual "help desk" or "standby" for a line: temporary (ends at `until`) or until reset."""

    __tablename__ = "schedule_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_key: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(16))
    until_reset: Mapped[bool] = mapped_column(Boolean, default=False)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by: Mapped[str] = mapped_column(String(200))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cleared_by: Mapped[str | None] = mapped_column(String(200), default=None)
