"""Units and their phone numbers, as loaded from a directory file."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ivr.persistence import Base

UNIT_KINDS = (
    "region",
    "hospital",
    "ward",
    "outpatient_unit",
    "municipality",
    "home_care",
    "help_desk",
    "standby_line",
    "switchboard",
)


class Unit(Base):
    """One organisation or unit that callers reach or call from.

    Other records never point at a unit's id (the directory is replaced whole); they keep the code and
    a snapshot of the name and number they used.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), default=None)
    sms_number: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    hours: Mapped[str] = mapped_column(String(200), default="")
    example: Mapped[bool] = mapped_column(Boolean, default=False)
    source_line: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    numbers: Mapped[list[UnitNumber]] = relationship(
        back_populates="unit", order_by="UnitNumber.position", cascade="all, delete-orphan"
    )

    @property
    def voice_numbers(self) -> list[str]:
        """The unit's voice numbers in E.164, first one first."""
        return [n.e164 for n in self.numbers]


class UnitNumber(Base):
    """A voice number of a unit, in E.164; unique across the directory so caller ID finds one unit."""

    __tablename__ = "unit_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship(back_populates="numbers")
