"""Read the lines file once at start-up and check it against the directory; a bad file names what is wrong."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from directory.hours import HoursError, parse_hours
from directory.loader import Row
from directory.numbers import NumberError, to_e164
from ivr.config import ConfigError
from ivr.lines.models import Line, Lines, PostRegistration, Voice, code_problem

LINES_VARIABLE = "IVR_LINES"
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def load_lines(path: Path, directory: Sequence[Row], *, menu_options: Collection[str]) -> Lines:
    """Read and validate a lines file against the directory; ConfigError names the file and the problem.

    `menu_options` are the option names the voice menu knows (call_flows.menus), so a line never offers one
    that does not exist.
    """
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
            lines.append(_line(raw, codes, menu_options))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(LINES_VARIABLE, f"{where}: {_problem(exc)}") from exc
    for field in ("key", "number"):
        seen = [getattr(line, field) for line in lines]
        duplicates = sorted({value for value in seen if seen.count(value) > 1})
        if duplicates:
            raise ConfigError(LINES_VARIABLE, f"{path}: duplicate {field} {', '.join(duplicates)}")
    # The fallback URL and the apology answer without the database, so each line's switchboard comes from the file.
    switchboards = {line.key: codes[line.switchboard_code].voice[0] for line in lines}
    return Lines(all=tuple(lines), switchboards=switchboards)


def _line(raw: Any, codes: Mapping[str, Row], menu_options: Collection[str]) -> Line:
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
        if option not in menu_options:
            raise ValueError(f"menu option {option!r} is unknown; use one of {', '.join(sorted(menu_options))}")
    if menu.get("0", "switchboard") != "switchboard":
        raise ValueError("menu key 0 is always the switchboard")
    drill = raw.get("drill", False)
    after = raw.get("routine_after_hours", 0)
    if not isinstance(drill, bool):
        raise ValueError("drill must be true or false")
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= 72:
        raise ValueError("routine_after_hours must be a whole number of hours 0-72")
    post_registration = _post_registration(raw.get("post_registration"), systems)
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
        post_registration=post_registration,
    )


def _post_registration(raw: Any, line_systems: tuple[str, ...]) -> PostRegistration | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"systems", "within_hours"}:
        raise ValueError('post_registration must be { systems = ["TES"], within_hours = 10 }')
    systems = _texts(raw, "systems")
    unknown = [name for name in systems if name not in line_systems]
    if not systems or unknown:
        raise ValueError(f"post_registration.systems must name some of the line's systems ({', '.join(line_systems)})")
    hours = raw["within_hours"]
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 72:
        raise ValueError("post_registration.within_hours must be a whole number of hours 1-72")
    return PostRegistration(systems=systems, within_hours=hours)


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


def lines_problems(lines: Lines, rows: Sequence[Row]) -> list[str]:
    """What a new directory would break for the configured lines (see Lines.problems_with)."""
    return lines.problems_with(rows)


def _known_code(code: str, field: str, codes: Mapping[str, Row]) -> None:
    problem = code_problem(code, field, codes)
    if problem is not None:
        raise ValueError(problem)


def _problem(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
