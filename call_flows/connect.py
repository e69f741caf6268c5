"""Connect by code (main-menu key 3): key a municipality or unit code and #, hear its name, press 1 to connect."""

from __future__ import annotations

from datetime import datetime

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.endpoints import MAIN_MENU
from call_flows.gather import Ask, answer, ask, try_again
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digits, spoken_date
from call_flows.twiml import redirect_to, say
from call_flows.webhook import current_line, local_now, step, voice_blueprint
from directory.hours import parse_hours
from directory.lookup import UnitRecord, find_unit_by_code
from ivr.lines.models import Line
from ivr.notes import UNKNOWN_UNIT
from ivr.web.session import get_session

bp = voice_blueprint("connect", "/voice/connect")

DIAL_TIMEOUT = 25
MAX_CODE = 6


def code_question(line: Line) -> Ask:
    return Ask(
        endpoint="connect.code",
        text=prompt("connect_ask_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=8,
    )


def confirm_question(line: Line, unit: UnitRecord) -> Ask:
    return Ask(
        endpoint="connect.confirm",
        text=prompt("connect_readback", unit=unit.name),
        voice=line.voice,
        values=(("code", unit.code),),
    )


def offer_question(line: Line) -> Ask:
    """After a closed or unanswered unit: 0 for the switchboard, 1 for the main menu."""
    return Ask(endpoint="connect.offer", text=prompt("connect_closed_offer"), voice=line.voice)


def _unit_in_url() -> UnitRecord | None:
    return find_unit_by_code(session=get_session(), code=request.args.get("code", "")[:MAX_CODE])


@step(bp, "")
def start() -> VoiceResponse:
    """Ask for the code."""
    return ask(code_question(current_line()))


@step(bp, "/code")
def code() -> VoiceResponse:
    """A keyed code: read the unit's name back, or say the code is unknown and let them retry."""
    line = current_line()
    question = code_question(line)
    reply = answer(question)
    keyed = reply.digits[:MAX_CODE]
    unit = find_unit_by_code(session=get_session(), code=keyed) if keyed.isdigit() else None
    if unit is None:
        return try_again(question, reply.attempt, reason="unknown_code", code=digits(keyed))
    if not unit.voice_numbers:
        return try_again(question, reply.attempt, reason="connect_no_number", unit=unit.name)
    return ask(confirm_question(line, unit))


@step(bp, "/confirm")
def confirm() -> VoiceResponse:
    """1 connects (within opening hours; outside them, say when they open); 2 keys another code."""
    line = current_line()
    unit = _unit_in_url()
    if unit is None or not unit.voice_numbers:
        return ask(code_question(line))
    question = confirm_question(line, unit)
    reply = answer(question)
    if reply.digits == "2":
        return ask(code_question(line))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    local = local_now()
    hours = parse_hours(unit.hours)
    if not hours.is_open(local):
        opens = hours.next_opening(local)
        before = [prompt("connect_closed", unit=unit.name, when=_spoken_when(opens, local))] if opens else []
        return ask(offer_question(line), before=before)
    response = VoiceResponse()
    say(response, line.voice, "connect_connecting", unit=unit.name)
    response.dial(unit.voice_numbers[0], action=url_for("connect.done", code=unit.code), timeout=DIAL_TIMEOUT)
    return response


@step(bp, "/done")
def done() -> VoiceResponse:
    """After the call to the unit: hang up if it was answered, else offer the switchboard."""
    line = current_line()
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        response = VoiceResponse()
        response.hangup()
        return response
    unit = _unit_in_url()
    name = unit.name if unit else UNKNOWN_UNIT
    return ask(offer_question(line), before=[prompt("connect_no_answer", unit=name)])


@step(bp, "/offer")
def offer() -> VoiceResponse:
    """0 is the switchboard (handled for every question); 1 is the main menu."""
    line = current_line()
    question = offer_question(line)
    reply = answer(question)
    if reply.digits == "1":
        return redirect_to(MAIN_MENU)
    return try_again(question, reply.attempt)


def _spoken_when(opens: datetime, local: datetime) -> str:
    if opens.date() == local.date():
        return clock_time(opens)
    return f"{spoken_date(opens.date())} {clock_time(opens)}"
