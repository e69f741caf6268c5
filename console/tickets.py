"""Fault tickets of the user's lines: the list, one ticket, assign, close with a note, hear the voicemail."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from console.access import me, require, scope
from console.blueprint import bp
from console.recordings import recording_response
from ivr.audit.service import record_audit
from ivr.faults.models import FaultTicket
from ivr.faults.service import TicketError, assign_ticket, attempts_of, close_ticket, find_ticket, list_tickets
from ivr.users.roles import Permission
from ivr.web.context import now
from ivr.web.session import get_session

TICKET_ROWS = 200


def _visible_ticket(reference: str) -> FaultTicket:
    """A ticket on one of the user's lines; 404 for any other."""
    ticket = find_ticket(session=get_session(), reference=reference, line_keys=scope().line_keys)
    if ticket is None:
        abort(404)
    return ticket


@bp.get("/tickets")
@require(Permission.TICKETS)
def tickets() -> str:
    """Filed tickets of the user's lines, newest first."""
    found = list_tickets(
        session=get_session(), line_keys=scope().line_keys, only_open=request.args.get("open") == "1", limit=TICKET_ROWS
    )
    return render_template("tickets.html", tickets=found)


@bp.get("/tickets/<reference>")
@require(Permission.TICKETS)
def ticket(reference: str) -> str:
    """One ticket: what was reported, whom it rang, the voicemail, assignment and closing."""
    found = _visible_ticket(reference)
    return render_template("ticket.html", ticket=found, attempts=attempts_of(session=get_session(), ticket_id=found.id))


@bp.post("/tickets/<reference>/assign")
@require(Permission.HANDLE_TICKETS)
def assign(reference: str) -> Response:
    """Give the ticket to someone."""
    found = _visible_ticket(reference)
    db = get_session()
    assign_ticket(session=db, ticket=found, assignee=request.form.get("assignee", ""), by=me().username, now=now())
    db.commit()
    flash("ticket.assigned_now", "info")
    return redirect(url_for("console.ticket", reference=found.reference))


@bp.post("/tickets/<reference>/close")
@require(Permission.HANDLE_TICKETS)
def close(reference: str) -> Response:
    """Close the ticket with a note on what was done."""
    found = _visible_ticket(reference)
    db = get_session()
    try:
        close_ticket(session=db, ticket=found, note=request.form.get("note", "")[:2000], by=me().username, now=now())
    except TicketError:
        db.rollback()
        abort(400)
    db.commit()
    flash("ticket.closed_now", "info")
    return redirect(url_for("console.ticket", reference=found.reference))


@bp.get("/tickets/<reference>/recording/<which>")
@require(Permission.TICKETS)
def ticket_recording(reference: str, which: str) -> Response:
    """The voicemail (or the recorded name) fetched from Twilio by the server; the playing is logged."""
    found = _visible_ticket(reference)
    urls = {"voicemail": found.voicemail_url, "name": found.name_recording_url}
    if which not in urls or not urls[which]:
        abort(404)
    db = get_session()
    record_audit(
        session=db,
        actor=me().username,
        action="recordings.play",
        subject=f"ticket:{found.reference}",
        detail={"recording": which},
        now=now(),
    )
    db.commit()
    return recording_response(urls[which])
