"""Where a line's calls go: its directory codes resolved to today's numbers in the stored directory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from call_flows.lines import Line
from directory.lookup import find_unit_by_code


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


def switchboard_number(*, session: Session, line: Line) -> str:
    """The line's switchboard; the one read at startup if the stored directory lost it."""
    found = destination(session=session, code=line.switchboard_code)
    if found is not None:
        return found.number
    fallback: str = current_app.extensions["ivr.switchboard"]
    return fallback


def code_numbers(*, session: Session, line: Line) -> dict[str, str | None]:
    """Every code the line uses, with its number (None when the directory no longer has it)."""
    codes = {line.help_desk_code, line.standby_code, line.switchboard_code, *line.chain}
    found = {code: destination(session=session, code=code) for code in sorted(codes)}
    return {code: d.number if d else None for code, d in found.items()}
