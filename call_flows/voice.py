"""The voice webhooks: the entry, the main menu, the switchboard, call status callbacks and the fallback URL."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.destinations import switchboard_number
from call_flows.lines import current_line
from call_flows.menus import dispatch, main_menu
from call_flows.navigation import ask, read_reply, try_again
from call_flows.outages import announcements
from call_flows.twiml import say, twiml
from call_flows.webhook import apologise_on_error, fallback_answer, read_call_params, read_int, read_rfc2822
from directory.lookup import find_unit_by_number
from ivr.calls import TERMINAL, note_call_seen, record_call_status
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.reports.drafts import discard_draft
from ivr.security import require_twilio_signature

bp = Blueprint("voice", __name__, url_prefix="/voice")
require_twilio_signature(bp)
apologise_on_error(bp)


@bp.post("")
def incoming() -> Response:
    """A new call: outage announcements, a greeting naming the caller's unit, then the main menu."""
    params = read_call_params(request)
    line = current_line(params)
    session = get_session()
    now = utcnow()
    note_call_seen(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=now,
    )
    unit = find_unit_by_number(session=session, number=params.from_number)
    news = announcements(session=session, line=line, now=now, timezone=current_app.extensions["ivr.config"].timezone)
    session.commit()
    response = VoiceResponse()
    for text in news:
        response.say(text, voice=line.voice.voice, language=line.voice.language)
    say(response, line.voice, "greeting_line", organisation=line.organisation)
    if unit is not None:
        say(response, line.voice, "greeting_unit", unit=unit.name)
    return twiml(ask(main_menu(line), response=response))


@bp.post("/menu")
def menu() -> Response:
    """The main menu again, without the greeting (where flows return to)."""
    line = current_line(read_call_params(request))
    return twiml(ask(main_menu(line)))


@bp.post("/menu/choice")
def menu_choice() -> Response:
    """A key pressed at the main menu."""
    line = current_line(read_call_params(request))
    question = main_menu(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    return twiml(dispatch(line, reply.digits) or try_again(question, reply.attempt))


@bp.post("/switchboard")
def switchboard() -> Response:
    """Put the caller through to the line's switchboard."""
    line = current_line(read_call_params(request))
    number = switchboard_number(session=get_session(), line=line)
    response = VoiceResponse()
    say(response, line.voice, "connecting_switchboard")
    response.dial(number, action=url_for("voice.switchboard_done"))
    return twiml(response)


@bp.post("/switchboard-done")
def switchboard_done() -> Response:
    """After the switchboard leg: hang up if it was answered, otherwise say so before hanging up."""
    line = current_line(read_call_params(request))
    response = VoiceResponse()
    if request.form.get("DialCallStatus") not in ("completed", "answered"):
        say(response, line.voice, "switchboard_unavailable")
    response.hangup()
    return twiml(response)


@bp.post("/status")
def status() -> tuple[str, int]:
    """A call status callback: store the status, duration and end time."""
    params = read_call_params(request)
    session = get_session()
    record_call_status(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        sequence=read_int(request, "SequenceNumber"),
        duration=read_int(request, "CallDuration"),
        timestamp=read_rfc2822(request, "Timestamp"),
        now=utcnow(),
    )
    if params.status in TERMINAL:
        discard_draft(session=session, call_sid=params.call_sid)  # an unfinished report never outlives its call
    session.commit()
    return "", 204


@bp.post("/fallback")
def fallback() -> Response:
    """Twilio's fallback URL: an apology and the switchboard, without touching the database."""
    return twiml(fallback_answer(request.form.get("To")))
