"""Nobody sees a Python traceback: every error outside the voice line ends on a short Swedish page."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from ivr.web.session import get_session

log = logging.getLogger("ivr.console")
KNOWN = (400, 403, 404, 405, 429)


def init_errors(app: Flask) -> None:
    """The Swedish error page for HTTP errors and unexpected exceptions (the voice line has its own apology)."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return _page(code if code in KNOWN else 500), code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        # The type and the path only: an exception's text may quote a personnummer from a query.
        log.error("console request %s %s failed: %s", request.method, request.path, type(exc).__name__, exc_info=True)
        try:
            get_session().rollback()
        except Exception:
            log.error("rollback after a failed console request also failed")
        return _page(500), 500


def _page(code: int) -> str:
    return render_template("error.html", code=code, message_key=f"error.{code}")
