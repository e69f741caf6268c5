"""GET /healthz: is the service up, and can its database take a webhook's writes right now."""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ivr.web.session import get_session

bp = Blueprint("health", __name__)
log = logging.getLogger("ivr.health")
# The tables a webhook writes to. On PostgreSQL the probe takes the lock an INSERT takes on each (and gives it
# back): a table locked against writers, or a database that does not answer, makes the service unhealthy.
HOT_TABLES = (
    "calls",
    "call_states",
    "fault_tickets",
    "fault_dial_attempts",
    "reports",
    "report_deliveries",
    "sms_outbox",
)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 with database "ok", or 503 when the database is unreachable, locked against writes or stalled."""
    session = get_session()
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL lock_timeout = '1s'"))
            session.execute(text(f"LOCK TABLE {', '.join(HOT_TABLES)} IN ROW EXCLUSIVE MODE"))
        else:
            session.execute(text("SELECT 1"))  # the transaction began IMMEDIATE: it holds the write lock
        session.rollback()
    except SQLAlchemyError as exc:
        log.error("health check: database cannot take writes (%s)", type(exc).__name__)
        return {"status": "unhealthy", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}, 200
