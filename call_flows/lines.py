"""The outage numbers ("lines") the service answers, read once at startup from a TOML file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from call_flows.twiml import Voice
from call_flows.webhook import CallParams
from directory.hours import HoursError, parse_hours
from directory.loader import Row
from directory.numbers import NumberError, to_e164, try_e164
from ivr.config import ConfigError

BUNDLED_LINES = Path(__file__).resolve().parent / "data" / "lines.toml"
LINES_VARIABLE = "IVR_LINES"
MENU_OPTIONS = ("report", "fault", "connect", "switchboard")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class Line:
    """One outage number: who answers it, which systems it covers, its menu and where calls go."""

    key: str
    name: str
    number: str
    organisation: str
    systems: tuple[str, ...]
    voice: Voice
    help_desk_code: str
    standby_code: str
    switchboard_code: str
    chain: tuple[str, ...]
    help_desk_hours: str
    extra_closed_dates: tuple[date, ...]
    drill: bool
    routine_after_hours: int
    menu: tuple[tuple[str, str], ...]

    @property
    def menu_keys(self) -> tuple[str, ...]:
        """The keys of the main menu, in the order they are spoken."""
        return tuple(digit for digit, _ in self.menu)

    def option_for(self, digit: str) -> str | None:
        """The menu option behind a key, or None."""
        return dict(self.menu).get(digit)

    def key_for(self, option: str) -> str | None:
        """The key that selects a menu option on this line, or None if the line does not offer it."""
        return next((digit for digit, name in self.menu if name == option), None)


def load_lines(path: Path, directory: Sequence[Row]) -> tuple[Line, ...]:
    """Read and validate a lines file against the directory; ConfigError names the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(LINES_VARIABLE, f"{path}: cannot read lines file: {exc}") from exc
    raw_lines = data.get("line")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ConfigError(LINES_VARIABLE, f"{path}: no [[line]] tables")
    codes = {row.code: row for row in directory}
    lines: list[Line] = []
    for position, raw in enumerate(raw_lines, start=1):
        where = f"{path}: line {position} ({raw.get('key', '?') if isinstance(raw, dict) else '?'})"
        try:
            lines.append(_line(raw, codes))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(LINES_VARIABLE, f"{where}: {_problem(exc)}") from exc
    for field in ("key", "number"):
        seen = [getattr(line, field) for line in lines]
        duplicates = sorted({value for value in seen if seen.count(value) > 1})
        if duplicates:
            raise ConfigError(LINES_VARIABLE, f"{path}: duplicate {field} {', '.join(duplicates)}")
    return tuple(lines)


def lines_path(environ: Mapping[str, str]) -> Path:
    """The lines file: IVR_LINES if set, else the bundled one."""
    value = (environ.get(LINES_VARIABLE) or "").strip()
    path = Path(value) if value else BUNDLED_LINES
    if not path.is_file():
        raise ConfigError(LINES_VARIABLE, f"no such file: {path}")
    return path


def init_lines(app: Flask, rows: Sequence[Row]) -> None:
    """Load and validate the lines once at startup (against the directory's rows) into app.extensions."""
    lines = load_lines(lines_path(os.environ), rows)
    app.extensions["ivr.lines"] = lines
    # The fallback URL and the apology answer without the database, so each line's switchboard comes from the file.
    by_code = {row.code: row for row in rows}
    app.extensions["ivr.line_switchboards"] = {
        line.key: by_code[line.switchboard_code].voice[0] for line in lines if by_code[line.switchboard_code].voice
    }


def all_lines() -> tuple[Line, ...]:
    """Every configured line, first line first."""
    lines: tuple[Line, ...] = current_app.extensions["ivr.lines"]
    return lines


def line_by_key(key: str) -> Line | None:
    """The line with a key such as "norrbotten"."""
    return next((line for line in all_lines() if line.key == key), None)


def line_for_number(to_number: str | None) -> Line:
    """The line a call to this number reached; the first line when the number is not configured."""
    lines = all_lines()
    e164 = try_e164(to_number)
    return next((line for line in lines if line.number == e164), lines[0])


def current_line(params: CallParams, *, key: str | None = None) -> Line:
    """The line of the current call: an explicit key (whisper legs), else the dialled number, else the caller's."""
    if key:
        line = line_by_key(key)
        if line is not None:
            return line
    numbers = {line.number: line for line in all_lines()}
    for number in (params.to_number, params.from_number):
        e164 = try_e164(number)
        if e164 in numbers:
            return numbers[e164]
    return all_lines()[0]


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
    }


def _line(raw: Any, codes: Mapping[str, Row]) -> Line:
    if not isinstance(raw, dict):
        raise TypeError("each [[line]] must be a table")
    key = _text(raw, "key")
    if not set(key) <= _KEY_CHARS:
        raise ValueError(f"key {key!r} may only hold a-z, 0-9 and -")
    try:
        number = to_e164(_text(raw, "number"))
    except NumberError as exc:
        raise ValueError(f"number: {exc}") from exc
    systems = _texts(raw, "systems")
    if not systems:
        raise ValueError("systems must name at least one system")
    for name in ("help_desk_code", "standby_code", "switchboard_code"):
        _known_code(_text(raw, name), name, codes)
    chain = _texts(raw, "chain", required=False)
    for code in chain:
        _known_code(code, "chain", codes)
    hours = _text(raw, "help_desk_hours")
    try:
        parse_hours(hours)
    except HoursError as exc:
        raise ValueError(f"help_desk_hours: {exc}") from exc
    closed = raw.get("extra_closed_dates", [])
    if not isinstance(closed, list) or not all(isinstance(d, date) for d in closed):
        raise ValueError("extra_closed_dates must be a list of dates such as 2026-12-28")
    menu = raw.get("menu", {})
    if not isinstance(menu, dict) or not menu:
        raise ValueError('menu must map keys to options, e.g. { "2" = "fault" }')
    for digit, option in menu.items():
        if digit not in "0123456789" or len(digit) != 1:
            raise ValueError(f"menu key {digit!r} must be one digit 0-9")
        if option not in MENU_OPTIONS:
            raise ValueError(f"menu option {option!r} is unknown; use one of {', '.join(MENU_OPTIONS)}")
    if menu.get("0", "switchboard") != "switchboard":
        raise ValueError("menu key 0 is always the switchboard")
    drill = raw.get("drill", False)
    after = raw.get("routine_after_hours", 0)
    if not isinstance(drill, bool):
        raise ValueError("drill must be true or false")
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= 72:
        raise ValueError("routine_after_hours must be a whole number of hours 0-72")
    ordered = sorted(menu.items(), key=lambda item: (item[0] == "0", item[0]))
    return Line(
        key=key,
        name=_text(raw, "name"),
        number=number,
        organisation=_text(raw, "organisation"),
        systems=systems,
        voice=Voice(voice=_text(raw, "voice"), language=_text(raw, "language")),
        help_desk_code=raw["help_desk_code"],
        standby_code=raw["standby_code"],
        switchboard_code=raw["switchboard_code"],
        chain=chain,
        help_desk_hours=hours,
        extra_closed_dates=tuple(sorted(closed)),
        drill=drill,
        routine_after_hours=after,
        menu=(*((digit, option) for digit, option in ordered if digit != "0"), ("0", "switchboard")),
    )


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty text")
    return value.strip()


def _texts(raw: Mapping[str, Any], name: str, *, required: bool = True) -> tuple[str, ...]:
    value = raw.get(name, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name} must be a list of texts")
    return tuple(v.strip() for v in value)


def _known_code(code: str, field: str, codes: Mapping[str, Row]) -> None:
    row = codes.get(code)
    if row is None:
        raise ValueError(f"{field}: code {code!r} is not in the directory")
    if not row.voice:
        raise ValueError(f"{field}: {row.name} ({code}) has no voice number in the directory")


def _problem(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
