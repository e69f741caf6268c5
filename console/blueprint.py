"""The console's blueprint: every page needs a logged-in user, and every form post a valid CSRF token."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

bp = Blueprint(
    "console", __name__, template_folder="templates", static_folder="static", static_url_path="/console-static"
)


def check_csrf() -> None:
    """Refuse (400) a form post without the session's CSRF token."""
    if request.method == "POST":
        current_app.extensions["csrf"].protect()


@bp.before_request
def _logged_in_and_csrf() -> Response | None:
    if request.endpoint == "console.static":
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("console_login.login", next=request.full_path if request.method == "GET" else None))
    check_csrf()
    return None
