"""Adding, listing, disabling users and resetting passwords (argon2); checking a login; a user's scope.

Every function adds to the caller's transaction and audits what it changes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.lookup import descendant_codes, find_unit_by_code
from ivr.audit.service import record_audit
from ivr.lines.models import Lines
from ivr.lines.service import lines_of_organisation
from ivr.users.models import User
from ivr.users.roles import ROLES

MIN_PASSWORD_LENGTH = 12
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so a wrong name takes as long as a wrong password (made at
    the first login, not at start-up: a web worker that only answers calls never pays for it)."""
    return _HASHER.hash("not a password of anyone")


class UserError(ValueError):
    """A user operation that cannot be carried out (unknown user, bad role, weak password)."""


def normalise_username(username: str) -> str:
    """Usernames compare without case and surrounding space."""
    return username.strip().casefold()


def check_password_strength(password: str) -> None:
    """Refuse a password that is too short (length is what counts; no composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    organisation_code: str,
    role: str,
    password: str | None,
    by: str,
    now: datetime,
) -> User:
    """A new active user of an organisation in the directory; audited (never the password)."""
    name = normalise_username(username)
    if not name or len(name) > 200:
        raise UserError("the username must be 1-200 characters")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if find_unit_by_code(session=session, code=organisation_code) is None:
        raise UserError(f"no unit with code {organisation_code} in the directory")
    if find_user(session=session, username=name) is not None:
        raise UserError(f"user {name} already exists")
    if password is not None:
        check_password_strength(password)
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        organisation_code=organisation_code,
        role=role,
        password_hash=_HASHER.hash(password) if password is not None else None,
        active=True,
        session_version=1,
        created_at=now,
        created_by=by,
    )
    session.add(user)
    session.flush()
    record_audit(
        session=session,
        actor=by,
        action="users.add",
        subject=f"user:{name}",
        detail={"role": role, "organisation": organisation_code},
        now=now,
    )
    return user


def find_user(*, session: Session, username: str) -> User | None:
    """The user with this username (any case)."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def list_users(*, session: Session) -> list[User]:
    """Every user, by organisation and username."""
    return list(session.scalars(select(User).order_by(User.organisation_code, User.username)))


def disable_user(*, session: Session, username: str, by: str, now: datetime) -> User:
    """Stop a user from logging in and end their open sessions; audited."""
    user = _existing(session, username)
    user.active = False
    user.disabled_at = now
    user.session_version += 1
    record_audit(session=session, actor=by, action="users.disable", subject=f"user:{user.username}", now=now)
    session.flush()
    return user


def reset_password(*, session: Session, username: str, password: str, by: str, now: datetime) -> User:
    """Give a user a new password and end their open sessions; audited (never the password)."""
    user = _existing(session, username)
    check_password_strength(password)
    user.password_hash = _HASHER.hash(password)
    user.session_version += 1
    record_audit(session=session, actor=by, action="users.reset_password", subject=f"user:{user.username}", now=now)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str, now: datetime) -> User | None:
    """The active user with this username and password, or None; a successful login is audited."""
    user = find_user(session=session, username=username)
    stored = user.password_hash if user is not None and user.active else None
    try:
        _HASHER.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        user.password_hash = _HASHER.hash(password)
    return record_login(session=session, user=user, method="password", now=now)


def record_login(*, session: Session, user: User, method: str, now: datetime) -> User:
    """Note a successful login (password or the identity provider) in the user and the audit log."""
    user.last_login_at = now
    record_audit(
        session=session,
        actor=user.username,
        action="users.login",
        subject=f"user:{user.username}",
        detail={"method": method},
        now=now,
    )
    session.flush()
    return user


def user_for_session(*, session: Session, user_id: int, version: int) -> User | None:
    """The user a session cookie names, if still active and the session is still valid."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def count_users(*, session: Session) -> int:
    """How many users exist (none: the console tells how to create the first admin)."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def user_as_dict(user: User, timezone: ZoneInfo) -> dict[str, Any]:
    """A user as plain data (never the password hash)."""

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(timezone).isoformat(timespec="minutes") if moment else None

    return {
        "username": user.username,
        "name": user.display_name,
        "organisation": user.organisation_code,
        "role": user.role,
        "active": user.active,
        "password_login": user.password_hash is not None,
        "created": local(user.created_at),
        "created_by": user.created_by,
        "last_login": local(user.last_login_at),
    }


@dataclass(frozen=True)
class Scope:
    """What a user's organisation covers: its own code and every unit under it, and the lines it belongs to."""

    organisation_code: str
    organisation_name: str
    unit_codes: frozenset[str]
    line_keys: tuple[str, ...]


def scope_of(*, session: Session, user: User, lines: Lines) -> Scope:
    """The units and lines a user sees: their organisation's subtree in the directory, and its lines."""
    unit = find_unit_by_code(session=session, code=user.organisation_code)
    codes = descendant_codes(session=session, code=user.organisation_code)
    keys = tuple(line.key for line in lines_of_organisation(session=session, lines=lines, code=user.organisation_code))
    return Scope(
        organisation_code=user.organisation_code,
        organisation_name=unit.name if unit is not None else user.organisation_code,
        unit_codes=codes,
        line_keys=keys,
    )


def _existing(session: Session, username: str) -> User:
    user = find_user(session=session, username=username)
    if user is None:
        raise UserError(f"no user {normalise_username(username)}")
    return user
