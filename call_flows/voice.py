"""The voice webhooks: the entry, the main menu, the switchboard, call status callbacks and the fallback URL."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.announcements import announcements
from call_flows.gather import answer, ask, try_again
from call_flows.main_menu import inbox_news, main_menu_response, menu_caller, menu_for
from call_flows.menus import dispatch, main_menu
from call_flows.prompts import prompt
from call_flows.report_flow import left_by_earlier_call, resume_question
from call_flows.twiml import hang_up, say, twiml
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
from ivr.calls.state import discard_state, keep_after_call, load_state
from ivr.lines.service import switchboard_number
from ivr.reports.drafts import unfinished
from ivr.web.context import now, runtime
from ivr.web.security import require_twilio_signature
from ivr.web.session import get_session

bp = voice_blueprint("voice", "/voice")
# The fallback URL answers when everything else fails: signed, but never touching the database.
fallback_bp = Blueprint("voice_fallback", __name__, url_prefix="/voice")
require_twilio_signature(fallback_bp)


@step(bp, "")
def incoming() -> VoiceResponse:
    """A new call: the welcome, the caller's unit, reports waiting for it and outages, then the main menu (or
    the offer to go on with a report an earlier call from this number left unfinished). All of it is said
    inside the question, so a caller who knows the way presses at once."""
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
    caller = menu_caller(session=session, line=line, unit=unit)
    news = announcements(session=session, line=line, now=moment, timezone=timezone())
    left = left_by_earlier_call(session=session, params=params, line=line) if line.key_for("report") else None
    session.commit()
    before = [prompt("greeting_line", organisation=line.organisation)]
    if unit is not None:
        before.append(prompt("greeting_unit", unit=unit.name))
    before += inbox_news(caller)
    before += news
    offer = resume_question(line, left) if left is not None else None
    if offer is not None:
        return ask(offer, before=before)
    return menu_for(line, caller, before=before)


@step(bp, "/menu")
def menu() -> VoiceResponse:
    """The main menu again, without the greeting (where flows return to)."""
    return main_menu_response()


@step(bp, "/menu/choice")
def menu_choice() -> VoiceResponse:
    """A key pressed at the main menu."""
    line = current_line()
    unit = find_unit_by_number(session=get_session(), number=call_params().from_number)
    question = main_menu(line, menu_caller(session=get_session(), line=line, unit=unit))
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
        # An unfinished report stays for a call back from the same number (call_flows.report_flow); nothing else
        # a call answered outlives it.
        state = load_state(session=session, call_sid=params.call_sid)
        if unfinished(state) is not None:
            keep_after_call(session=session, call_sid=params.call_sid, now=now())
        else:
            discard_state(session=session, call_sid=params.call_sid)
    session.commit()
    return "", 204


@fallback_bp.post("/fallback")
def fallback() -> Response:
    """Twilio's fallback URL: an apology and the switchboard, without touching the database."""
    return twiml(fallback_answer(request.form.get("To")))
