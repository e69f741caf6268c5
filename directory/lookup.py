"""Find units by caller ID, by keyed code, by spoken name, or by kind."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.hours import parse_hours
from directory.models import Unit
from directory.names import match_units
from directory.numbers import try_e164
from ivr.snapshot import snapshot

MAX_CODE_DIGITS = 6


@dataclass(frozen=True)
class UnitRecord:
    """A unit as this process's directory snapshot holds it (ivr.snapshot): read-only, detached from sessions.

    It has the attributes of a directory.models.Unit that readers use; changes go through the directory loader.
    """

    id: int
    code: str
    kind: str
    name: str
    parent_id: int | None
    sms_number: str | None
    hours: str
    example: bool
    source_line: int
    voice_numbers: tuple[str, ...]
    _index: Mapping[int, UnitRecord] = field(repr=False, compare=False, hash=False)

    @property
    def parent(self) -> UnitRecord | None:
        return self._index.get(self.parent_id) if self.parent_id is not None else None


@dataclass(frozen=True)
class DirectoryIndex:
    """Every unit, by code, by voice number and by SMS number, in file order."""

    units: tuple[UnitRecord, ...]
    by_code: Mapping[str, UnitRecord]
    by_voice_number: Mapping[str, UnitRecord]
    by_sms_number: Mapping[str, UnitRecord]


def directory_index(session: Session) -> DirectoryIndex:
    """The directory as of the database's data version, from this process's snapshot when it is current."""
    return snapshot(session, "directory", _load_index)


def _load_index(session: Session) -> DirectoryIndex:
    by_id: dict[int, UnitRecord] = {}
    for unit in session.scalars(select(Unit).options(selectinload(Unit.numbers)).order_by(Unit.source_line, Unit.id)):
        by_id[unit.id] = UnitRecord(
            id=unit.id,
            code=unit.code,
            kind=unit.kind,
            name=unit.name,
            parent_id=unit.parent_id,
            sms_number=unit.sms_number,
            hours=unit.hours,
            example=unit.example,
            source_line=unit.source_line,
            voice_numbers=tuple(unit.voice_numbers),
            _index=by_id,
        )
    units = tuple(by_id.values())
    by_sms: dict[str, UnitRecord] = {}
    for record in sorted(units, key=lambda r: r.id):  # the first unit (by id) with an SMS number has it
        if record.sms_number is not None:
            by_sms.setdefault(record.sms_number, record)
    return DirectoryIndex(
        units=units,
        by_code={r.code: r for r in units},
        by_voice_number={number: r for r in units for number in r.voice_numbers},
        by_sms_number=by_sms,
    )


def find_unit_by_number(*, session: Session, number: str | None) -> UnitRecord | None:
    """The unit a phone number belongs to (voice numbers first, then SMS numbers), in any format."""
    e164 = try_e164(number)
    if e164 is None:
        return None
    index = directory_index(session)
    return index.by_voice_number.get(e164) or index.by_sms_number.get(e164)


def find_unit_by_code(*, session: Session, code: str) -> UnitRecord | None:
    """The unit with a keyed code such as 2580."""
    return directory_index(session).by_code.get(code.strip())


def find_units_by_name(*, session: Session, text: str, kinds: Collection[str] | None = None) -> list[UnitRecord]:
    """The units a spoken or typed name ("Luleå", "över kalix", "2580") names, best first; only of `kinds` if given."""
    index = directory_index(session)
    units = [u for u in index.units if kinds is None or u.kind in kinds]
    return [index.by_code[match.code] for match in match_units(text, units)]


def all_units(*, session: Session) -> list[Unit]:
    """Every unit, in file order."""
    return list(session.scalars(select(Unit).order_by(Unit.source_line)))


def find_units_by_kind(*, session: Session, kind: str) -> list[UnitRecord]:
    """All units of one kind, in file order."""
    return [unit for unit in directory_index(session).units if unit.kind == kind]


def descendant_codes(*, session: Session, code: str) -> frozenset[str]:
    """The unit's own code and the codes of every unit under it (its wards, its help desk, …); empty if unknown."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    codes = dict(session.execute(select(Unit.id, Unit.code)).all())
    by_code = {c: i for i, c in codes.items()}
    top = by_code.get(code)
    if top is None:
        return frozenset()
    found = set()
    for unit_id in codes:
        cursor: int | None = unit_id
        for _ in range(len(codes)):  # a bounded walk: a parent cycle in bad data ends here
            if cursor is None or cursor in found or cursor == top:
                break
            cursor = parents.get(cursor)
        if cursor is not None and (cursor in found or cursor == top):
            found.add(unit_id)
    return frozenset(codes[i] for i in found | {top})


def root_code(*, session: Session, code: str) -> str | None:
    """The code of the topmost unit above this one (Region Norrbotten for a ward at Sunderby), or None."""
    unit = find_unit_by_code(session=session, code=code)
    seen: set[int] = set()
    while unit is not None and unit.parent is not None and unit.id not in seen:
        seen.add(unit.id)
        unit = unit.parent
    return unit.code if unit is not None else None


def lookup(*, session: Session, query: str) -> UnitRecord | None:
    """A unit by code (short digit strings) or else by phone number in any common format."""
    text = query.strip()
    if text.isdigit() and len(text) <= MAX_CODE_DIGITS:
        unit = find_unit_by_code(session=session, code=text)
        if unit is not None:
            return unit
    return find_unit_by_number(session=session, number=text)


def unit_as_dict(unit: Unit | UnitRecord) -> dict[str, Any]:
    """A unit as plain data for JSON output."""
    hours = parse_hours(unit.hours)
    return {
        "code": unit.code,
        "kind": unit.kind,
        "name": unit.name,
        "parent": unit.parent.code if unit.parent else None,
        "numbers": list(unit.voice_numbers),
        "sms": unit.sms_number,
        "hours": "always" if hours.always_open else unit.hours,
        "example": unit.example,
    }
