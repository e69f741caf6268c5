"""Read a directory file, validate every row, and replace the stored directory in one transaction."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from directory.hours import HoursError, parse_hours
from directory.models import UNIT_KINDS, Unit, UnitNumber
from directory.numbers import NumberError, national, to_e164

COLUMNS = ("code", "kind", "name", "parent", "voice", "sms", "hours", "example")
DEFAULT_HOURS = {"municipality": "mon-sun 07:00-22:00"}


class DirectoryError(ValueError):
    """A directory file with one or more bad rows; each problem reads `file:line: reason`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    """One validated unit from a directory file."""

    line: int
    code: str
    kind: str
    name: str
    parent: str | None
    voice: list[str] = field(default_factory=list)
    sms: str | None = None
    hours: str = ""
    example: bool = False


def read_directory(path: Path) -> list[Row]:
    """Parse and validate a directory file; raise DirectoryError listing every bad row."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError([f"{path}:0: cannot read file: {exc}"]) from exc
    return parse_directory(text, source=str(path))


def parse_directory(text: str, *, source: str) -> list[Row]:
    """Parse and validate a directory's text (as a file holds it); `source` names it in each problem."""
    path = source
    problems: list[str] = []
    rows: list[Row] = []
    text = text.removeprefix("\ufeff")  # a file saved by Excel starts with a byte-order mark
    reader = csv.reader(_without_comments(text.splitlines()))
    header_seen = False
    for record in reader:
        line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in record) != COLUMNS:
                problems.append(f"{path}:{line}: header must be {','.join(COLUMNS)}")
                break
            continue
        try:
            rows.append(_row(line, record))
        except ValueError as exc:
            problems.append(f"{path}:{line}: {exc}")
    if not header_seen and not problems:
        problems.append(f"{path}:1: empty directory file")
    problems.extend(_cross_check(path, rows))
    if problems:
        raise DirectoryError(problems)
    return rows


def _without_comments(lines: list[str]) -> Iterator[str]:
    # Blank out comments instead of dropping them, so csv's line numbers stay true to the file.
    for text in lines:
        yield "" if text.lstrip().startswith("#") else text


def _row(line: int, record: list[str]) -> Row:
    if len(record) != len(COLUMNS):
        raise ValueError(f"expected {len(COLUMNS)} columns ({','.join(COLUMNS)}), found {len(record)}")
    code, kind, name, parent, voice, sms, hours, example = (c.strip() for c in record)
    if not code.isdigit() or not 1 <= len(code) <= 6:
        raise ValueError(f"code {code!r} must be 1-6 digits")
    if kind not in UNIT_KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(UNIT_KINDS)}")
    if not name:
        raise ValueError("name is empty")
    if kind == "municipality" and len(code) != 4:
        raise ValueError(f"municipality code {code!r} must be the official 4-digit code")
    try:
        numbers = [to_e164(n) for n in voice.split("|") if n.strip()]
        sms_number = to_e164(sms) if sms else None
    except NumberError as exc:
        raise ValueError(str(exc)) from exc
    hours = hours or DEFAULT_HOURS.get(kind, "")
    try:
        parse_hours(hours)
    except HoursError as exc:
        raise ValueError(str(exc)) from exc
    if example.lower() not in ("", "yes", "no"):
        raise ValueError(f"example must be yes or no, not {example!r}")
    return Row(line, code, kind, name, parent or None, numbers, sms_number, hours, example.lower() == "yes")


def _cross_check(path: str, rows: list[Row]) -> list[str]:
    problems = []
    codes: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for row in rows:
        if row.code in codes:
            problems.append(f"{path}:{row.line}: duplicate code {row.code} (first on line {codes[row.code]})")
        codes.setdefault(row.code, row.line)
        for number in row.voice:
            if number in numbers:
                problems.append(f"{path}:{row.line}: duplicate voice number {number} (first on line {numbers[number]})")
            numbers.setdefault(number, row.line)
    for row in rows:
        if row.parent is not None and row.parent not in codes:
            problems.append(f"{path}:{row.line}: unknown parent {row.parent}")
        if row.parent == row.code:
            problems.append(f"{path}:{row.line}: a unit cannot be its own parent")
    return problems


def directory_as_csv(*, session: Session) -> str:
    """The stored directory as a directory file (the header and one row per unit, in file order)."""
    units = list(session.scalars(select(Unit).order_by(Unit.source_line, Unit.id)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for unit in units:
        writer.writerow(
            [
                unit.code,
                unit.kind,
                unit.name,
                unit.parent.code if unit.parent else "",
                "|".join(national(n) for n in unit.voice_numbers),
                national(unit.sms_number) if unit.sms_number else "",
                unit.hours,
                "yes" if unit.example else "no",
            ]
        )
    return buffer.getvalue()


def replace_directory(*, session: Session, rows: list[Row]) -> int:
    """Replace every stored unit with the given rows, in the caller's transaction; return the count."""
    session.execute(delete(UnitNumber))
    session.execute(delete(Unit))
    by_code: dict[str, Unit] = {}
    for row in rows:
        unit = Unit(
            code=row.code,
            kind=row.kind,
            name=row.name,
            sms_number=row.sms,
            hours=row.hours,
            example=row.example,
            source_line=row.line,
        )
        unit.numbers = [UnitNumber(e164=n, position=i) for i, n in enumerate(row.voice)]
        by_code[row.code] = unit
        session.add(unit)
    session.flush()
    for row in rows:
        if row.parent is not None:
            by_code[row.code].parent_id = by_code[row.parent].id
    session.flush()
    return len(rows)


def load_directory_file(*, session: Session, path: Path, refuse: Callable[[list[Row]], list[str]] | None = None) -> int:
    """Validate a file and replace the directory with it, committing only if every row is good.

    `refuse` may name further problems with the rows as a whole (the lines' help desks, standbys and
    switchboards that the file would take away): any of them rejects the file too.
    """
    rows = read_directory(path)
    problems = refuse(rows) if refuse is not None else []
    if problems:
        raise DirectoryError([f"{path}: {problem}" for problem in problems])
    try:
        count = replace_directory(session=session, rows=rows)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return count


def directory_is_empty(*, session: Session) -> bool:
    """True before any directory has been loaded."""
    return session.scalar(select(func.count()).select_from(Unit)) == 0
