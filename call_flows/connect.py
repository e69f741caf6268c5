"""Connect by code (main-menu key 3): key a municipality or unit code and #, hear its name, press 1 to connect."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.lines import Line, current_line
from call_flows.navigation import MAIN_MENU, Ask, ask, read_reply, try_again
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digits, spoken_date
from call_flows.twiml import twiml
from call_flows.webhook import apologise_on_error, read_call_params
from directory.hours import parse_hours
from directory.lookup import find_unit_by_code
from directory.models import Unit
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.security import require_twilio_signature

bp = Blueprint("connect", __name__, url_prefix="/voice/connect")
require_twilio_signature(bp)
apologise_on_error(bp)

DIAL_TIMEOUT = 25
MAX_CODE = 6


def _line() -> Line:
    return current_line(read_call_params(request))


def code_question(line: Line) -> Ask:
    return Ask(
        endpoint="connect.code",
        text=prompt("connect_ask_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=8,
    )


def confirm_question(line: Line, unit: Unit) -> Ask:
    return Ask(
        endpoint="connect.confirm",
        text=prompt("connect_readback", unit=unit.name),
        voice=line.voice,
        values=(("code", unit.code),),
    )


def offer_question(line: Line) -> Ask:
    """After a closed or unanswered unit: 0 for the switchboard, 1 for the main menu."""
    return Ask(endpoint="connect.offer", text=prompt("connect_closed_offer"), voice=line.voice)


@bp.post("")
def start() -> Response:
    """Ask for the code."""
    return twiml(ask(code_question(_line())))


@bp.post("/code")
def code() -> Response:
    """A keyed code: read the unit's name back, or say the code is unknown and let them retry."""
    line = _line()
    question = code_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    keyed = reply.digits[:MAX_CODE]
    unit = find_unit_by_code(session=get_session(), code=keyed) if keyed.isdigit() else None
    if unit is None:
        return twiml(try_again(question, reply.attempt, reason="unknown_code", code=digits(keyed)))
    if not unit.voice_numbers:
        return twiml(try_again(question, reply.attempt, reason="connect_no_number", unit=unit.name))
    return twiml(ask(confirm_question(line, unit)))


@bp.post("/confirm")
def confirm() -> Response:
    """1 connects (within opening hours; outside them, say when they open); 2 keys another code."""
    line = _line()
    unit = find_unit_by_code(session=get_session(), code=request.args.get("code", "")[:MAX_CODE])
    if unit is None or not unit.voice_numbers:
        return twiml(ask(code_question(line)))
    question = confirm_question(line, unit)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        return twiml(ask(code_question(line)))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    timezone: ZoneInfo = current_app.extensions["ivr.config"].timezone
    local = utcnow().astimezone(timezone)
    hours = parse_hours(unit.hours)
    if not hours.is_open(local):
        opens = hours.next_opening(local)
        before = [prompt("connect_closed", unit=unit.name, when=_spoken_when(opens, local))] if opens else []
        return twiml(ask(offer_question(line), before=before))
    response = VoiceResponse()
    response.say(prompt("connect_connecting", unit=unit.name), voice=line.voice.voice, language=line.voice.language)
    response.dial(unit.voice_numbers[0], action=url_for("connect.done", code=unit.code), timeout=DIAL_TIMEOUT)
    return twiml(response)


@bp.post("/done")
def done() -> Response:
    """After the call to the unit: hang up if it was answered, else offer the switchboard."""
    line = _line()
    response = VoiceResponse()
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        response.hangup()
        return twiml(response)
    unit = find_unit_by_code(session=get_session(), code=request.args.get("code", "")[:MAX_CODE])
    name = unit.name if unit else prompt("unknown_unit_name")
    return twiml(ask(offer_question(line), before=[prompt("connect_no_answer", unit=name)]))


@bp.post("/offer")
def offer() -> Response:
    """0 is the switchboard (handled for every question); 1 is the main menu."""
    line = _line()
    question = offer_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        response = VoiceResponse()
        response.redirect(url_for(MAIN_MENU), method="POST")
        return twiml(response)
    return twiml(try_again(question, reply.attempt))


def _spoken_when(opens: datetime, local: datetime) -> str:
    if opens.date() == local.date():
        return clock_time(opens)
    return f"{spoken_date(opens.date())} {clock_time(opens)}"
