"""The web console: server-rendered pages in Swedish for the people behind the phones (issue 14).

`init_console` puts it on the app: sessions, login (password or the identity provider), CSRF, the login
throttle, security headers, the pages and a Swedish error page for everything that goes wrong.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from console import access, auth, errors, formatting, pages
from ivr.config import DATABASE_STORAGE, Config
from ivr.users.throttle import SCHEME as DATABASE_SCHEME
from ivr.web.session import engine_of

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "media-src": "'self'",
    "style-src": "'self'",
    "script-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def init_console(app: Flask, config: Config) -> None:
    """Register the console on the app (the factory calls this once)."""
    settings = config.console
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.secret_key = config.secret_key()
    app.config.update(
        SESSION_COOKIE_NAME="reservlinjen_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        WTF_CSRF_CHECK_DEFAULT=False,  # webhooks are signed by Twilio; the console checks its own forms
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        RATELIMIT_HEADERS_ENABLED=False,
    )
    if settings.rate_limit_storage == DATABASE_STORAGE:
        app.config["RATELIMIT_STORAGE_URI"] = f"{DATABASE_SCHEME}://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": engine_of(app)}
    else:
        app.config["RATELIMIT_STORAGE_URI"] = settings.rate_limit_storage
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app)
    # Only the login form is limited: every other request (a webhook above all) skips the limiter's work.
    limiter.request_filter(lambda: request.blueprint != auth.bp.name)
    auth.limit_logins(limiter, settings)
    logins = LoginManager(app)
    access.init_login_manager(logins)
    Talisman(
        app,
        force_https=False,  # TLS ends at the proxy in front; Twilio's webhooks must not be redirected
        session_cookie_secure=settings.cookie_secure,
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        strict_transport_security=True,
    )
    auth.init_identity_provider(app, settings)
    formatting.init_templates(app, config.timezone)
    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.console_blueprint())
    errors.init_errors(app)
