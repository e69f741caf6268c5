"""GET /healthz: is the service up and its database reachable."""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ivr.web.session import get_session

bp = Blueprint("health", __name__)
log = logging.getLogger("ivr.health")


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 with database "ok", or 503 when the database cannot be reached."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        return {"status": "unhealthy", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
