"""Logging in and out: the embedded password login, or the region's identity provider (OpenID Connect).

The seam is `IVR_LOGIN`: with `password` the console checks its own argon2 hashes; with `oidc` the identity
provider authenticates the person (strong authentication) and the console only maps the claim named by
IVR_OIDC_USERNAME_CLAIM to a user created with `ivr users add NAME --no-password`, which gives the role and the
organisation. Either way a failed password login counts against the account and the address (Flask-Limiter).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask import Response as FlaskResponse
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from console.access import ConsoleUser
from console.blueprint import check_csrf
from ivr.config import ConsoleSettings
from ivr.users.service import authenticate, count_users, find_user, normalise_username, record_login
from ivr.web.context import now, runtime
from ivr.web.session import get_session

bp = Blueprint("console_login", __name__, template_folder="templates")
OAUTH = "console.oauth"
FAILED = 401


@bp.before_request
def _csrf() -> None:
    check_csrf()


def limit_logins(limiter: Limiter, settings: ConsoleSettings) -> None:
    """Failed password logins are limited per account and per address; only failures count."""

    def failed(response: FlaskResponse) -> bool:
        return response.status_code == FAILED

    limiter.limit(
        settings.login_rate_limit,
        key_func=lambda: "account:" + normalise_username(request.form.get("username", "")),
        methods=["POST"],
        deduct_when=failed,
        scope="login-account",
    )(bp)
    limiter.limit(
        settings.login_address_rate_limit,
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=failed,
        scope="login-address",
    )(bp)


def init_identity_provider(app: Flask, settings: ConsoleSettings) -> None:
    """With IVR_LOGIN=oidc, register the identity provider from its discovery document."""
    if settings.login != "oidc":
        return
    oauth = OAuth(app)
    oauth.register(
        "idp",
        server_metadata_url=settings.oidc_metadata_url,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        client_kwargs={"scope": settings.oidc_scope},
    )
    app.extensions[OAUTH] = oauth


def _settings() -> ConsoleSettings:
    return runtime().config.console


@bp.get("/login")
def login() -> str:
    """The login page: the password form, or the button to the identity provider."""
    empty = count_users(session=get_session()) == 0
    return render_template("login.html", oidc=_settings().login == "oidc", no_users=empty, next=_next())


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    """Check the password; a failure answers 401 (and counts against the throttle)."""
    if _settings().login != "password":
        abort(404)
    db = get_session()
    user = authenticate(
        session=db, username=request.form.get("username", ""), password=request.form.get("password", ""), now=now()
    )
    if user is None:
        db.rollback()
        flash("login.failed", "error")
        return render_template("login.html", oidc=False, no_users=False, next=_next()), FAILED
    db.commit()
    return _start_session(ConsoleUser(user))


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    logout_user()
    session.clear()
    flash("login.logged_out", "info")
    return redirect(url_for("console_login.login"))


@bp.get("/login/oidc")
def oidc_login() -> Any:
    """Send the browser to the identity provider."""
    oauth = current_app.extensions.get(OAUTH)
    if oauth is None:
        abort(404)
    session["login_next"] = _next()
    return oauth.idp.authorize_redirect(url_for("console_login.oidc_callback", _external=True))


@bp.get("/login/oidc/callback")
def oidc_callback() -> Response | tuple[str, int]:
    """The identity provider sends the browser back: map its claim to a console user."""
    oauth = current_app.extensions.get(OAUTH)
    if oauth is None:
        abort(404)
    try:
        token = oauth.idp.authorize_access_token()
    except OAuthError:  # refused at the provider, a replayed or forged state, a bad ID token
        flash("login.oidc_failed", "error")
        return render_template("login.html", oidc=True, no_users=False, next=None), 403
    claims = token.get("userinfo") or {}
    username = str(claims.get(_settings().oidc_username_claim, ""))
    db = get_session()
    user = find_user(session=db, username=username) if username else None
    if user is None or not user.active:
        flash("login.unknown_user", "error")
        return render_template("login.html", oidc=True, no_users=False, next=None), 403
    record_login(session=db, user=user, method="oidc", now=now())
    db.commit()
    return _start_session(ConsoleUser(user), target=session.pop("login_next", None))


def _start_session(user: ConsoleUser, target: str | None = None) -> Response:
    session.clear()  # a fresh session at login (no fixation)
    session.permanent = True
    login_user(user)
    return redirect(_safe_next(target if target is not None else request.form.get("next")))


def _next() -> str | None:
    return _safe_next(request.args.get("next")) if request.args.get("next") else None


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is a place to go after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.live")
