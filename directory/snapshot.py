"""A unit as a record keeps it: code, name, kind and today's numbers (the directory may change later)."""

from __future__ import annotations

from dataclasses import dataclass

from directory.lookup import UnitRecord
from directory.models import Unit


@dataclass
class UnitSnapshot:
    """A unit snapshotted from the directory when a caller confirmed it."""

    code: str
    name: str
    kind: str
    phone: str | None = None
    sms: str | None = None


def snapshot(unit: Unit | UnitRecord) -> UnitSnapshot:
    """The unit as it is now, for a record that must not change when the directory does."""
    numbers = unit.voice_numbers
    return UnitSnapshot(
        code=unit.code, name=unit.name, kind=unit.kind, phone=numbers[0] if numbers else None, sms=unit.sms_number
    )
