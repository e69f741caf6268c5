"""The reconciliation worklist (with the exact note text; tick done, reopen), the SMS log, the audit and
access logs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from console.access import me, require, scope
from console.blueprint import bp
from ivr.audit.service import ACCESS_ACTIONS, list_audit
from ivr.outbox.service import list_messages
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session
from ivr.worklist.marking import mark_done, reopen
from ivr.worklist.service import REPORT, TICKET, VISIT, OutageWorklist, WorklistError, build_worklists

LOG_ROWS = 300
SOURCES = (REPORT, TICKET, VISIT)


def _worklists() -> list[OutageWorklist]:
    rt, seen = runtime(), scope()
    return build_worklists(
        session=get_session(),
        now=now(),
        timezone=rt.timezone,
        lines=rt.lines,
        visits=rt.visits,
        line_keys=seen.line_keys,
        unit_codes=seen.unit_codes,
    )


@bp.get("/worklist")
@require(Permission.WORKLIST)
def worklist() -> str:
    """Every ended outage's items with the note to enter, and who ticked them done."""
    return render_template("worklist.html", lists=_worklists())


@bp.post("/worklist/<source>/<reference>/done")
@require(Permission.MARK_WORKLIST)
def worklist_done(source: str, reference: str) -> Response:
    """Tick an item done (it was entered in the system)."""
    return _mark(source, reference, reopening=False)


@bp.post("/worklist/<source>/<reference>/reopen")
@require(Permission.MARK_WORKLIST)
def worklist_reopen(source: str, reference: str) -> Response:
    """Open a done item again, with a reason."""
    return _mark(source, reference, reopening=True)


def _mark(source: str, reference: str, *, reopening: bool) -> Response:
    if source not in SOURCES:
        abort(404)
    db = get_session()
    try:
        if reopening:
            reason = request.form.get("reason", "")[:500]
            reopen(
                session=db,
                lists=_worklists(),
                reference=reference,
                source=source,
                by=me().username,
                reason=reason,
                now=now(),
            )
        else:
            mark_done(session=db, lists=_worklists(), reference=reference, source=source, by=me().username, now=now())
    except WorklistError:
        db.rollback()
        abort(404)
    db.commit()
    flash("worklist.marked", "info")
    return redirect(url_for("console.worklist") + f"#item-{source}-{reference}")


@bp.get("/sms")
@require(Permission.SMS_LOG)
def sms() -> str:
    """Every SMS, newest first (no SMS carries patient data)."""
    return render_template("sms.html", messages=list_messages(session=get_session(), newest_first=True, limit=LOG_ROWS))


@bp.get("/audit")
@require(Permission.AUDIT_LOG)
def audit() -> str:
    """The audit log, newest first."""
    entries = list_audit(session=get_session(), newest_first=True, limit=LOG_ROWS)
    return render_template("audit.html", entries=entries, title_key="audit.title", intro_key=None)


@bp.get("/access-log")
@require(Permission.AUDIT_LOG)
def access_log() -> str:
    """Every read of patient data: who, when, which report."""
    entries = list_audit(session=get_session(), actions=ACCESS_ACTIONS, newest_first=True, limit=LOG_ROWS)
    return render_template("audit.html", entries=entries, title_key="access.title", intro_key="access.intro")
