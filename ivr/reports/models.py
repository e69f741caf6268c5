"""The report store: an append-only, hash-chained list of reports and cancellations, with per-receiver deliveries.

No code path updates a report or deletes one; on PostgreSQL a trigger refuses it too (migration 0030). A
mistake is corrected by a cancellation: a new entry that references the old one. Deliveries record, once each,
when a receiver was dialled, answered and acknowledged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr.persistence import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class ReportKind:
    """The kinds of chain entry."""

    REPORT = "report"
    CANCELLATION = "cancellation"


class Report(Base):
    """One entry in the chain: a phoned-in report, or a cancellation of an earlier one.

    `official_at` is the moment the service first received the call (calls.first_seen_at); for a
    cancellation, the moment it was made. `entry_hash` covers every field here, the receivers, and
    `prev_hash` (the previous entry's hash), so altering or removing an entry breaks the chain.
    """

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("call_sid", "call_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    line_key: Mapped[str] = mapped_column(String(32), default="")
    call_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    call_position: Mapped[int | None] = mapped_column(Integer, default=None)
    official_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    event: Mapped[str | None] = mapped_column(String(32), default=None)
    reporter_code: Mapped[str | None] = mapped_column(String(16), default=None)
    reporter_name: Mapped[str | None] = mapped_column(String(200), default=None)
    reporter_kind: Mapped[str | None] = mapped_column(String(32), default=None)
    reporter_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    patient_number: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    patient_number_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    event_data: Mapped[str] = mapped_column(Text, default="{}")
    caller_name: Mapped[str | None] = mapped_column(String(200), default=None)
    caller_name_recording: Mapped[str | None] = mapped_column(String(500), default=None)
    duplicate_of: Mapped[str | None] = mapped_column(String(12), default=None)
    cancels: Mapped[str | None] = mapped_column(String(12), default=None, index=True)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    made_by: Mapped[str | None] = mapped_column(String(200), default=None)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    deliveries: Mapped[list[ReportDelivery]] = relationship(
        back_populates="report", order_by="ReportDelivery.position", lazy="selectin"
    )


class ReportDelivery(Base):
    """One receiver of a report: who (a snapshot of the directory), and when it was dialled, answered and accepted.

    The receiver fields are part of the report's hash and never change; each time is set once.
    """

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    receiver_code: Mapped[str] = mapped_column(String(16), index=True)
    receiver_name: Mapped[str] = mapped_column(String(200))
    receiver_kind: Mapped[str] = mapped_column(String(32))
    receiver_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    receiver_sms: Mapped[str | None] = mapped_column(String(20), default=None)
    dialled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    answered_call_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)

    report: Mapped[Report] = relationship(back_populates="deliveries")
