"""The worklist's own record: who marked which item done (or open again), and when. Never updated or deleted.

The items themselves are not stored: they are the reports and fault tickets made during an outage's window,
computed from the report store and the tickets, so a report registered a moment after the outage ended, or a
planned window that closed on its own, can never be missed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime

DONE = "done"
REOPENED = "reopened"


class WorklistMark(Base):
    """One marking of a worklist item; the latest one decides whether the item is open."""

    __tablename__ = "worklist_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(12), index=True)
    outage_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
