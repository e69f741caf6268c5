"""Where a line's calls go: its directory codes resolved to today's numbers in the stored directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from directory.lookup import find_unit_by_code, root_code
from ivr.lines.models import Line, Lines


@dataclass(frozen=True)
class Destination:
    """A unit a call can be put through to: its code, name and first voice number (E.164)."""

    code: str
    name: str
    number: str


def destination(*, session: Session, code: str) -> Destination | None:
    """The unit with this code and a voice number, or None (unknown code, or no number to dial)."""
    unit = find_unit_by_code(session=session, code=code)
    if unit is None or not unit.voice_numbers:
        return None
    return Destination(code=unit.code, name=unit.name, number=unit.voice_numbers[0])


def switchboard_number(*, session: Session, line: Line, lines: Lines) -> str:
    """The line's switchboard; the one read at start-up if the stored directory lost it."""
    found = destination(session=session, code=line.switchboard_code)
    return found.number if found is not None else lines.switchboard_of(line)


def code_numbers(*, session: Session, line: Line) -> dict[str, str | None]:
    """Every code the line uses, with its number (None when the directory no longer has it)."""
    found = {code: destination(session=session, code=code) for code in sorted(line.codes)}
    return {code: d.number if d else None for code, d in found.items()}


def line_as_dict(line: Line, numbers: Mapping[str, str | None]) -> dict[str, Any]:
    """A line as plain data for JSON; `numbers` maps directory codes to their E.164 voice numbers."""
    return {
        "key": line.key,
        "name": line.name,
        "number": line.number,
        "organisation": line.organisation,
        "systems": list(line.systems),
        "voice": line.voice.voice,
        "language": line.voice.language,
        "menu": {digit: option for digit, option in line.menu},
        "menu_keys": list(line.menu_keys),
        "help_desk": {"code": line.help_desk_code, "number": numbers.get(line.help_desk_code)},
        "standby": {"code": line.standby_code, "number": numbers.get(line.standby_code)},
        "switchboard": {"code": line.switchboard_code, "number": numbers.get(line.switchboard_code)},
        "chain": [{"code": code, "number": numbers.get(code)} for code in line.chain],
        "help_desk_hours": line.help_desk_hours,
        "extra_closed_dates": [d.isoformat() for d in line.extra_closed_dates],
        "drill": line.drill,
        "routine_after_hours": line.routine_after_hours,
        "post_registration": None
        if line.post_registration is None
        else {
            "systems": list(line.post_registration.systems),
            "within_hours": line.post_registration.within_hours,
        },
    }


def lines_of_organisation(*, session: Session, lines: Lines, code: str) -> list[Line]:
    """The lines an organisation belongs to: those whose help desk sits in the same directory tree."""
    top = root_code(session=session, code=code)
    if top is None:
        return []
    return [line for line in lines if root_code(session=session, code=line.help_desk_code) == top]
