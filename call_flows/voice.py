"""The voice webhooks: the entry, the main menu, the switchboard, call status callbacks and the fallback URL."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.announcements import announcements
from call_flows.gather import answer, ask, try_again
from call_flows.menus import dispatch, main_menu
from call_flows.twiml import hang_up, say, say_text, twiml
from call_flows.webhook import (
    call_params,
    current_line,
    fallback_answer,
    read_int,
    read_rfc2822,
    step,
    timezone,
    voice_blueprint,
)
from directory.lookup import find_unit_by_number
from ivr.calls.service import TERMINAL, note_call_seen, record_call_status
from ivr.calls.state import discard_state
from ivr.lines.service import switchboard_number
from ivr.web.context import now, runtime
from ivr.web.security import require_twilio_signature
from ivr.web.session import get_session

bp = voice_blueprint("voice", "/voice")
# The fallback URL answers when everything else fails: signed, but never touching the database.
fallback_bp = Blueprint("voice_fallback", __name__, url_prefix="/voice")
require_twilio_signature(fallback_bp)


@step(bp, "")
def incoming() -> VoiceResponse:
    """A new call: outage announcements, a greeting naming the caller's unit, then the main menu."""
    params, line = call_params(), current_line()
    session, moment = get_session(), now()
    note_call_seen(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=moment,
    )
    unit = find_unit_by_number(session=session, number=params.from_number)
    news = announcements(session=session, line=line, now=moment, timezone=timezone())
    session.commit()
    response = VoiceResponse()
    for text in news:
        say_text(response, line.voice, text)
    say(response, line.voice, "greeting_line", organisation=line.organisation)
    if unit is not None:
        say(response, line.voice, "greeting_unit", unit=unit.name)
    return ask(main_menu(line), response=response)


@step(bp, "/menu")
def menu() -> VoiceResponse:
    """The main menu again, without the greeting (where flows return to)."""
    return ask(main_menu(current_line()))


@step(bp, "/menu/choice")
def menu_choice() -> VoiceResponse:
    """A key pressed at the main menu."""
    line = current_line()
    question = main_menu(line)
    reply = answer(question)
    return dispatch(line, reply.digits) or try_again(question, reply.attempt)


@step(bp, "/switchboard")
def switchboard() -> VoiceResponse:
    """Put the caller through to the line's switchboard."""
    line = current_line()
    number = switchboard_number(session=get_session(), line=line, lines=runtime().lines)
    response = VoiceResponse()
    say(response, line.voice, "connecting_switchboard")
    response.dial(number, action=url_for("voice.switchboard_done"))
    return response


@step(bp, "/switchboard-done")
def switchboard_done() -> VoiceResponse:
    """After the switchboard leg: hang up if it was answered, otherwise say so before hanging up."""
    line = current_line()
    if request.form.get("DialCallStatus") not in ("completed", "answered"):
        return hang_up(line.voice, "switchboard_unavailable")
    return hang_up(line.voice)


@bp.post("/status")
def status() -> tuple[str, int]:
    """A call status callback: store the status, duration and end time."""
    params = call_params()
    session = get_session()
    record_call_status(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        sequence=read_int("SequenceNumber"),
        duration=read_int("CallDuration"),
        timestamp=read_rfc2822("Timestamp"),
        now=now(),
    )
    if params.status in TERMINAL:
        discard_state(session=session, call_sid=params.call_sid)  # an unfinished report never outlives its call
    session.commit()
    return "", 204


@fallback_bp.post("/fallback")
def fallback() -> Response:
    """Twilio's fallback URL: an apology and the switchboard, without touching the database."""
    return twiml(fallback_answer(request.form.get("To")))
