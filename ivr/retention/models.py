"""Which recordings the retention job has deleted at Twilio (so it never asks twice, and pages can say so)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime


class DeletedRecording(Base):
    """A recording deleted after its retention period; the record that named it keeps its URL."""

    __tablename__ = "deleted_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    source: Mapped[str] = mapped_column(String(64))  # e.g. "ticket:482913 voicemail", "report:519233 caller name"
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())
