"""Who is logged in, what their organisation covers, and the permission check every page makes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, g
from flask_login import LoginManager, UserMixin, current_user

from ivr.users.models import User
from ivr.users.roles import Permission, may
from ivr.users.service import Scope, scope_of, user_for_session
from ivr.web.context import runtime
from ivr.web.session import get_session

P = ParamSpec("P")
R = TypeVar("R")


class ConsoleUser(UserMixin):  # type: ignore[misc]  # flask_login ships no type hints
    """The logged-in user as Flask-Login sees it: the session names the user and the password's generation."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.session_version}"

    @property
    def username(self) -> str:
        return self.user.username

    def may(self, permission: str) -> bool:
        """Whether the user's role may do this."""
        return may(self.user.role, Permission(permission))


def init_login_manager(manager: LoginManager) -> None:
    """Load the session's user from the database on each request (a disabled user is logged out at once)."""
    manager.login_view = "console_login.login"
    manager.session_protection = "basic"

    @manager.user_loader  # type: ignore[untyped-decorator]
    def _load(user_id: str) -> ConsoleUser | None:
        identity, _, version = user_id.partition(".")
        if not identity.isdigit() or not version.isdigit():
            return None
        user = user_for_session(session=get_session(), user_id=int(identity), version=int(version))
        return ConsoleUser(user) if user is not None else None


def me() -> ConsoleUser:
    """The logged-in user (the blueprint lets no one else in)."""
    found: ConsoleUser = current_user._get_current_object()
    return found


def scope() -> Scope:
    """What the logged-in user's organisation covers (worked out once per request)."""
    if "console_scope" not in g:
        g.console_scope = scope_of(session=get_session(), user=me().user, lines=runtime().lines)
    found: Scope = g.console_scope
    return found


def require(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A view only a role with this permission may open (403 otherwise)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if not me().may(permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]  # read by the route test
        return guarded

    return decorate
