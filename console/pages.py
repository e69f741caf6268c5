"""Every console page: importing the view modules registers their routes on the one blueprint."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from console import control, directory_pages, finance, live, logs, report_pages, tickets
from console.access import me, scope
from console.blueprint import bp
from ivr.users.roles import Permission

# The menu: (endpoint, the permission that shows it, its text), in the order it is shown.
NAV_ITEMS = (
    ("console.live", Permission.LIVE, "nav.live"),
    ("console.unacknowledged", Permission.REPORTS, "nav.unacknowledged"),
    ("console.tickets", Permission.TICKETS, "nav.tickets"),
    ("console.outages", Permission.OUTAGES, "nav.outages"),
    ("console.schedule", Permission.SCHEDULE, "nav.schedule"),
    ("console.directory", Permission.DIRECTORY, "nav.directory"),
    ("console.liability", Permission.LIABILITY, "nav.liability"),
    ("console.worklist", Permission.WORKLIST, "nav.worklist"),
    ("console.sms", Permission.SMS_LOG, "nav.sms"),
    ("console.audit", Permission.AUDIT_LOG, "nav.audit"),
    ("console.access_log", Permission.AUDIT_LOG, "nav.access"),
)
VIEW_MODULES = (control, directory_pages, finance, live, logs, report_pages, tickets)


@bp.app_context_processor
def _viewer() -> dict[str, Any]:
    """The logged-in user and their scope for the page frame; none on pages before login or when that fails."""
    from flask_login import current_user

    try:
        if current_user.is_authenticated:
            return {"viewer": me(), "viewer_scope": scope(), "nav_items": NAV_ITEMS}
    except Exception:  # an error page must render even when the database is what failed
        logging.getLogger("ivr.console").warning("page frame without the user: loading them failed")
    return {"viewer": None, "viewer_scope": None, "nav_items": NAV_ITEMS}


def console_blueprint() -> Blueprint:
    """The blueprint with every page's route (the view modules above registered them on import)."""
    return bp
