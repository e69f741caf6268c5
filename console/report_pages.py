"""A report's page (every field, with the personnummer: the read is logged), acknowledging, cancelling,
the unacknowledged list, and the report's recordings through the proxy."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from console.access import me, require, scope
from console.blueprint import bp
from console.recordings import recording_response
from ivr.audit.service import record_audit
from ivr.outbox.service import messages_for
from ivr.reports.models import Report, ReportKind
from ivr.reports.service import (
    ReportError,
    acknowledge_delivery,
    cancel_report,
    cancellation_of,
    find_report,
    list_unacknowledged,
    record_patient_number_read,
)
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session

EVENT_FIELDS = ("estimated_discharge_date", "new_date", "sip_date", "assessment", "doctor_name")


def _visible_report(reference: str) -> Report:
    """The report if the user's organisation is its reporter or a receiver; 404 for any other."""
    report = find_report(session=get_session(), reference=reference, unit_codes=scope().unit_codes)
    if report is None:
        abort(404)
    return report


@bp.get("/reports/<reference>")
@require(Permission.REPORTS)
def report(reference: str) -> str:
    """Every field of a report, its receivers, receipts and cancellation; the read goes to the access log."""
    db = get_session()
    entry = _visible_report(reference)
    original = entry if entry.kind == ReportKind.REPORT else find_report(session=db, reference=entry.cancels or "")
    if original is None:
        abort(404)
    cancellation = cancellation_of(session=db, reference=original.reference)
    if original.patient_number is not None:
        record_patient_number_read(session=db, report=original, actor=me().username, now=now())
        db.commit()
    seen = scope().unit_codes
    return render_template(
        "report.html",
        entry=entry,
        report=original,
        data=json.loads(original.event_data or "{}"),
        event_fields=EVENT_FIELDS,
        cancellation=cancellation,
        receipts=messages_for(session=db, subject=f"report:{original.reference}"),
        may_acknowledge={d.receiver_code for d in original.deliveries if d.receiver_code in seen},
        may_cancel=cancellation is None and original.reporter_code in seen and me().may(Permission.CANCEL),
        line=runtime().lines.by_key(original.line_key),
    )


@bp.post("/reports/<reference>/acknowledge")
@require(Permission.ACKNOWLEDGE)
def acknowledge(reference: str) -> Response:
    """Acknowledge for one receiving unit of the user's organisation, like pressing 1 on the phone."""
    report = _visible_report(reference)
    receiver = request.form.get("receiver", "")
    if receiver not in scope().unit_codes or receiver not in {d.receiver_code for d in report.deliveries}:
        abort(404)
    db = get_session()
    try:
        acknowledge_delivery(
            session=db,
            reference=report.reference,
            receiver_code=receiver,
            by=me().username,
            channel="console",
            timezone=runtime().timezone,
            now=now(),
        )
    except ReportError:
        db.rollback()
        abort(404)
    db.commit()
    flash("report.acknowledged_now", "info")
    return redirect(url_for("console.report", reference=report.reference))


@bp.post("/reports/<reference>/cancel")
@require(Permission.CANCEL)
def cancel(reference: str) -> Response:
    """Cancel a report the user's organisation made, with a reason; every receiver gets a notice."""
    report = _visible_report(reference)
    if report.kind != ReportKind.REPORT or report.reporter_code not in scope().unit_codes:
        abort(404)
    reason = request.form.get("reason", "").strip()[:500]
    if not reason:
        flash("report.no_reason", "error")
        return redirect(url_for("console.report", reference=report.reference))
    db = get_session()
    try:
        cancel_report(
            session=db,
            reference=report.reference,
            reason=reason,
            by=me().username,
            timezone=runtime().timezone,
            now=now(),
        )
    except ReportError:
        db.rollback()
        abort(404)
    db.commit()
    flash("report.cancelled_now", "info")
    return redirect(url_for("console.report", reference=report.reference))


@bp.get("/reports/<reference>/recording/<which>")
@require(Permission.REPORTS)
def report_recording(reference: str, which: str) -> Response:
    """A recording made in the report's call (the caller's or the doctor's name), through the proxy; logged."""
    report = _visible_report(reference)
    urls = {
        "caller": report.caller_name_recording,
        "doctor": json.loads(report.event_data or "{}").get("doctor_recording"),
    }
    if which not in urls or not urls[which]:
        abort(404)
    db = get_session()
    record_audit(
        session=db,
        actor=me().username,
        action="recordings.play",
        subject=f"report:{report.reference}",
        detail={"recording": which},
        now=now(),
    )
    db.commit()
    return recording_response(urls[which])


@bp.get("/unacknowledged")
@require(Permission.REPORTS)
def unacknowledged() -> str:
    """Receivers in the user's organisation that have not acknowledged a standing report, oldest first."""
    pairs = list_unacknowledged(session=get_session(), receiver_codes=scope().unit_codes)
    return render_template("unacknowledged.html", pairs=pairs)
