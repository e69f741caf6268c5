"""The staff register: who may register visits by phone, with a personal code that is stored only as a keyed hash.

A code of a few digits cannot be protected by a hash alone (anyone with the database could try them all), so it
is hashed with scrypt under the service's secret (IVR_STAFF_CODE_SECRET), kept outside the database. The hash is
deterministic so that a keyed code is found with one indexed lookup; two people can never share a code.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.notes import local_iso
from ivr.visits.models import StaffMember
from ivr.visits.register import without_comments

log = logging.getLogger("ivr.visits")
CODE_DIGITS = range(4, 9)
GENERATED_DIGITS = 6
IMPORT_COLUMNS = ("name", "team", "code")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_SALT = b"reservlinjen staff code\x00"


class StaffError(ValueError):
    """A staff register change that cannot be made (unknown team, a code that is taken or too easy, no such id)."""


def hash_code(code: str, *, secret: str) -> str:
    """The stored form of a personal code: scrypt under the service's secret, as hex."""
    if not secret:
        raise StaffError("no staff code secret is configured (IVR_STAFF_CODE_SECRET)")
    return hashlib.scrypt(code.encode("ascii"), salt=_SALT + secret.encode("utf-8"), **_SCRYPT).hex()


def code_problem(code: str) -> str | None:
    """Why a code cannot be a personal code (None if it can): 4-8 digits, not one digit repeated, not a run."""
    if not code.isdigit() or len(code) not in CODE_DIGITS:
        return "a personal code is 4-8 digits"
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(code)}
    if steps in ({0}, {1}, {9}):
        return "a personal code must not be one digit repeated or a run such as 1234"
    return None


def find_staff_by_code(*, session: Session, code: str, secret: str) -> StaffMember | None:
    """The active staff member with this code, or None; every code costs the same hash, found or not."""
    hashed = hash_code(code, secret=secret) if code.isdigit() and len(code) in CODE_DIGITS else None
    if hashed is None:
        hash_code("0" * GENERATED_DIGITS, secret=secret)  # the same time for a code of the wrong length
        return None
    member = session.scalar(select(StaffMember).where(StaffMember.code_hash == hashed))
    return member if member is not None and member.active else None


def add_staff(
    *,
    session: Session,
    name: str,
    team_code: str,
    code: str | None,
    secret: str,
    teams: Mapping[str, str],
    by: str,
    now: datetime,
) -> tuple[StaffMember, str]:
    """Register a staff member (audited); returns the member and the code (the given one, or a new random one)."""
    name = " ".join(name.split())
    if not name:
        raise StaffError("a staff member needs a name")
    if team_code not in teams:
        raise StaffError(f"team {team_code!r} is not a home-care unit in the directory ({', '.join(sorted(teams))})")
    if code is None:
        code = new_code(session=session, secret=secret)
    problem = code_problem(code)
    if problem is not None:
        raise StaffError(problem)
    hashed = hash_code(code, secret=secret)
    if session.scalar(select(StaffMember.id).where(StaffMember.code_hash == hashed)) is not None:
        raise StaffError("that code belongs to someone else (also a disabled code stays taken): choose another")
    member = StaffMember(name=name, team_code=team_code, code_hash=hashed, active=True, created_at=now, created_by=by)
    session.add(member)
    session.flush()
    record_audit(
        session=session,
        actor=by,
        action="staff.add",
        subject=f"staff:{member.id}",
        detail={"name": name, "team": team_code},
        now=now,
    )
    return member, code


def new_code(*, session: Session, secret: str) -> str:
    """A random personal code that nobody has and that passes code_problem."""
    while True:
        code = f"{secrets.randbelow(10**GENERATED_DIGITS):0{GENERATED_DIGITS}d}"
        if code_problem(code) is not None:
            continue
        hashed = hash_code(code, secret=secret)
        if session.scalar(select(StaffMember.id).where(StaffMember.code_hash == hashed)) is None:
            return code


def disable_staff(*, session: Session, staff_id: int, by: str, now: datetime) -> StaffMember:
    """Stop a staff member's code from working (audited); the visits they registered stay theirs."""
    member = session.get(StaffMember, staff_id)
    if member is None:
        raise StaffError(f"no staff member {staff_id}")
    if not member.active:
        raise StaffError(f"staff member {staff_id} was already disabled by {member.disabled_by}")
    member.active = False
    member.disabled_at, member.disabled_by = now, by
    record_audit(session=session, actor=by, action="staff.disable", subject=f"staff:{member.id}", now=now)
    return member


@dataclass(frozen=True)
class ImportRow:
    """One line of a staff file: name, team and code (empty: a new random code)."""

    line: int
    name: str
    team_code: str
    code: str | None


def read_staff_file(path: Path) -> list[ImportRow]:
    """Parse a staff file (CSV with the header name,team,code; # starts a comment line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StaffError(f"{path}: cannot read the file: {exc}") from exc
    reader = csv.reader(without_comments(text.splitlines()))
    rows: list[ImportRow] = []
    header_seen = False
    for record in reader:
        if not record or all(not cell.strip() for cell in record):
            continue
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in record) != IMPORT_COLUMNS:
                raise StaffError(f"{path}:{reader.line_num}: the header must be {','.join(IMPORT_COLUMNS)}")
            continue
        if len(record) != len(IMPORT_COLUMNS):
            raise StaffError(f"{path}:{reader.line_num}: expected {len(IMPORT_COLUMNS)} columns, found {len(record)}")
        name, team, code = (cell.strip() for cell in record)
        rows.append(ImportRow(line=reader.line_num, name=name, team_code=team, code=code or None))
    return rows


def import_staff(
    *,
    session: Session,
    rows: Sequence[ImportRow],
    secret: str,
    teams: Mapping[str, str],
    by: str,
    now: datetime,
    source: str,
) -> list[tuple[ImportRow, StaffMember, str]]:
    """Add every row, or none: the first bad row raises StaffError naming its line (never its code)."""
    seen: set[str] = set()
    added = []
    for row in rows:
        if row.code in seen:
            raise StaffError(f"{source}:{row.line}: the same code is given to more than one person in the file")
        if row.code:
            seen.add(row.code)
        try:
            member, code = add_staff(
                session=session,
                name=row.name,
                team_code=row.team_code,
                code=row.code,
                secret=secret,
                teams=teams,
                by=by,
                now=now,
            )
        except StaffError as exc:
            raise StaffError(f"{source}:{row.line}: {exc}") from exc
        added.append((row, member, code))
    return added


def list_staff(*, session: Session, team_code: str | None = None) -> list[StaffMember]:
    """The register, by team and name."""
    query = select(StaffMember).order_by(StaffMember.team_code, StaffMember.name, StaffMember.id)
    if team_code is not None:
        query = query.where(StaffMember.team_code == team_code)
    return list(session.scalars(query))


def staff_as_dict(member: StaffMember, teams: Mapping[str, str], timezone: ZoneInfo) -> dict[str, Any]:
    """A staff member as plain data: never the code, nor its hash."""
    return {
        "id": member.id,
        "name": member.name,
        "team": {"code": member.team_code, "name": teams.get(member.team_code, member.team_code)},
        "active": member.active,
        "added": local_iso(member.created_at, timezone),
        "added_by": member.created_by,
        "disabled": local_iso(member.disabled_at, timezone) if member.disabled_at else None,
        "disabled_by": member.disabled_by,
    }
