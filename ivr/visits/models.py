"""The staff register and the visit record: phoned-in starts and ends, corrections, hand-overs to the administrator.

The record is append-only: no code path updates or deletes a visit entry, a correction or a hand-over, and on
PostgreSQL a trigger refuses it too (migration 0200). A mistake is put right by a correction, a new row that
restates the visit and says who made it and why. Staff codes are never stored, only their keyed hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ivr.persistence import Base, UTCDateTime

START = "start"
END = "end"
CALLER_ID = "caller_id"  # the client was known from the landline the call came from
KEYED = "keyed"  # the staff member keyed the client code
TO_ADMINISTRATOR = "to_administrator"
BACK_TO_STAFF = "back_to_staff"


class StaffMember(Base):
    """A member of a home-care team who registers visits by phone with a personal code (stored only hashed)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_code: Mapped[str] = mapped_column(String(16), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    disabled_by: Mapped[str | None] = mapped_column(String(200), default=None)


class VisitEntry(Base):
    """One registration by phone, one per call: a visit starts, or ends (closing the start it pairs with).

    `at` is the call's first moment, from the service's clock (like a report's official time); `interventions`
    is the JSON list of [code, name] pairs keyed at the end, as read back to the caller.
    """

    __tablename__ = "visit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    line_key: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    team_code: Mapped[str] = mapped_column(String(16), index=True)
    client_code: Mapped[str] = mapped_column(String(16), index=True)
    client_source: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # NO ACTION rather than RESTRICT: SQLite checks it at the end of a statement, so a test may empty the table.
    closes_id: Mapped[int | None] = mapped_column(ForeignKey("visit_entries.id"), unique=True, default=None)
    interventions: Mapped[str] = mapped_column(Text, default="[]")
    drill: Mapped[bool] = mapped_column(Boolean, default=False)


class VisitCorrection(Base):
    """A correction of a visit (named by its first entry): the whole visit restated, or withdrawn; the latest counts."""

    __tablename__ = "visit_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit_entries.id", ondelete="RESTRICT"), index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    made_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    client_code: Mapped[str] = mapped_column(String(16))
    team_code: Mapped[str] = mapped_column(String(16))
    interventions: Mapped[str] = mapped_column(Text, default="[]")
    void: Mapped[bool] = mapped_column(Boolean, default=False)


class VisitHandover(Base):
    """An employee who cannot post-register an outage's visits themselves (a day off): the administrator does it.

    The latest row per outage and employee counts; a hand-over is undone by a new row (back to the employee).
    """

    __tablename__ = "visit_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key into the outages feature's table (like the worklist's markings): the service checks the id.
    outage_id: Mapped[int] = mapped_column(Integer, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(200))
