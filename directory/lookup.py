"""Find units by caller ID, by keyed code, by spoken name, or by kind."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hours import parse_hours
from directory.models import Unit, UnitNumber
from directory.names import match_units
from directory.numbers import try_e164

MAX_CODE_DIGITS = 6


def find_unit_by_number(*, session: Session, number: str | None) -> Unit | None:
    """The unit a phone number belongs to (voice numbers first, then SMS numbers), in any format."""
    e164 = try_e164(number)
    if e164 is None:
        return None
    unit = session.scalar(select(Unit).join(UnitNumber).where(UnitNumber.e164 == e164))
    if unit is None:
        unit = session.scalars(select(Unit).where(Unit.sms_number == e164).order_by(Unit.id)).first()
    return unit


def find_unit_by_code(*, session: Session, code: str) -> Unit | None:
    """The unit with a keyed code such as 2580."""
    return session.scalar(select(Unit).where(Unit.code == code.strip()))


def find_units_by_name(*, session: Session, text: str, kinds: Collection[str] | None = None) -> list[Unit]:
    """The units a spoken or typed name ("Luleå", "över kalix", "2580") names, best first; only of `kinds` if given."""
    query = select(Unit).order_by(Unit.source_line)
    if kinds is not None:
        query = query.where(Unit.kind.in_(list(kinds)))
    units = list(session.scalars(query))
    by_code = {unit.code: unit for unit in units}
    return [by_code[match.code] for match in match_units(text, units)]


def all_units(*, session: Session) -> list[Unit]:
    """Every unit, in file order."""
    return list(session.scalars(select(Unit).order_by(Unit.source_line)))


def find_units_by_kind(*, session: Session, kind: str) -> list[Unit]:
    """All units of one kind, in file order."""
    return list(session.scalars(select(Unit).where(Unit.kind == kind).order_by(Unit.source_line)))


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


def lookup(*, session: Session, query: str) -> Unit | None:
    """A unit by code (short digit strings) or else by phone number in any common format."""
    text = query.strip()
    if text.isdigit() and len(text) <= MAX_CODE_DIGITS:
        unit = find_unit_by_code(session=session, code=text)
        if unit is not None:
            return unit
    return find_unit_by_number(session=session, number=text)


def unit_as_dict(unit: Unit) -> dict[str, Any]:
    """A unit as plain data for JSON output."""
    hours = parse_hours(unit.hours)
    return {
        "code": unit.code,
        "kind": unit.kind,
        "name": unit.name,
        "parent": unit.parent.code if unit.parent else None,
        "numbers": unit.voice_numbers,
        "sms": unit.sms_number,
        "hours": "always" if hours.always_open else unit.hours,
        "example": unit.example,
    }
