"""The voice webhooks: incoming calls, call status callbacks and Twilio's fallback URL."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.twiml import Voice, apology_and_switchboard, say, twiml
from call_flows.webhook import apologise_on_error, read_call_params, read_int, read_rfc2822
from directory.lookup import find_unit_by_number, find_units_by_kind
from ivr.calls import record_call_seen, record_call_status
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.security import require_twilio_signature

bp = Blueprint("voice", __name__, url_prefix="/voice")
require_twilio_signature(bp)
apologise_on_error(bp)


@bp.post("")
def incoming() -> Response:
    """A new call: greet the caller by unit, then connect to the switchboard."""
    params = read_call_params(request)
    session = get_session()
    record_call_seen(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=utcnow(),
    )
    unit = find_unit_by_number(session=session, number=params.from_number)
    switchboards = find_units_by_kind(session=session, kind="switchboard")
    session.commit()
    switchboard = (
        switchboards[0].voice_numbers[0]
        if switchboards and switchboards[0].voice_numbers
        else current_app.extensions["ivr.switchboard"]
    )
    voice = Voice()
    response = VoiceResponse()
    say(response, voice, "greeting")
    if unit is not None:
        say(response, voice, "greeting_unit", unit=unit.name)
    say(response, voice, "connecting_switchboard")
    response.dial(switchboard, action=url_for("voice.switchboard_done"))
    return twiml(response)


@bp.post("/switchboard-done")
def switchboard_done() -> Response:
    """After the switchboard leg: hang up if it was answered, otherwise say so before hanging up."""
    read_call_params(request)
    response = VoiceResponse()
    if request.form.get("DialCallStatus") not in ("completed", "answered"):
        say(response, Voice(), "switchboard_unavailable")
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
    session.commit()
    return "", 204


@bp.post("/fallback")
def fallback() -> Response:
    """Twilio's fallback URL: an apology and the switchboard, without touching the database."""
    return twiml(apology_and_switchboard(current_app.extensions["ivr.switchboard"]))
