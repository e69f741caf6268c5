"""The fault report (main-menu key 2): name, unit, system and kind, filed as a ticket (then call_flows.fault_dial).

The caller's answers are stored on the call's draft ticket as they come (never in URLs or logs); each URL says
which step the call is at.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.lines import Line, current_line
from call_flows.menus import choices_text
from call_flows.navigation import Ask, ask, read_reply, try_again
from call_flows.prompts import prompt
from call_flows.schedule import decide
from call_flows.speech import digits
from call_flows.tickets import (
    FAULT_KINDS,
    OTHER_SYSTEM,
    open_draft,
    ticket_for_call,
)
from call_flows.tickets import file_ticket as file_fault_ticket
from call_flows.twiml import say, twiml
from call_flows.webhook import CallParams, apologise_on_error, read_call_params
from directory.lookup import find_unit_by_code, find_unit_by_number
from directory.models import Unit
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.security import require_twilio_signature

bp = Blueprint("fault", __name__, url_prefix="/voice/fault")
require_twilio_signature(bp)
apologise_on_error(bp)

NAME_TRIES = 2  # speech attempts before a short recording instead
MIN_CONFIDENCE = 0.3


def _line() -> tuple[CallParams, Line]:
    params = read_call_params(request)
    return params, current_line(params, key=request.args.get("line"))


def _timezone() -> ZoneInfo:
    timezone: ZoneInfo = current_app.extensions["ivr.config"].timezone
    return timezone


# ---- name ---------------------------------------------------------------------------------------------


def name_question(line: Line) -> Ask:
    return Ask(endpoint="fault.name", text=prompt("fault_ask_name"), voice=line.voice, speech=True, timeout=5)


@bp.post("")
def start() -> Response:
    """Enter the fault report: open the call's ticket and ask for the reporter's name."""
    params, line = _line()
    session = get_session()
    ticket = open_draft(
        session=session, call_sid=params.call_sid, line=line, from_number=params.from_number, now=utcnow()
    )
    session.commit()
    response = VoiceResponse()
    if ticket.filed_at is not None:
        say(response, line.voice, "fault_already_filed", reference=digits(ticket.reference or ""))
        response.redirect(url_for("fault_dial.connect", pos=-1), method="POST")
        return twiml(response)
    say(response, line.voice, "fault_intro")
    return twiml(ask(name_question(line), response=response))


@bp.post("/name")
def name() -> Response:
    """The reporter said their name (or did not): read it back, or after two failures record it."""
    params, line = _line()
    question = name_question(line)
    reply = read_reply(question, request, silence_ok=True)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    heard = reply.speech if reply.confidence is None or reply.confidence >= MIN_CONFIDENCE else ""
    if not heard:
        return twiml(_name_not_heard(line, reply.attempt))
    session = get_session()
    ticket_for_call(session=session, call_sid=params.call_sid).reporter_name = heard[:200]
    session.commit()
    return twiml(ask(name_confirm_question(line, heard, reply.attempt)))


def name_confirm_question(line: Line, heard: str, tries: int) -> Ask:
    return Ask(
        endpoint="fault.name_confirm",
        text=prompt("fault_name_readback", name=heard),
        voice=line.voice,
        give_up="fault.unit",
        values=(("tries", str(tries)),),
    )


@bp.post("/name/confirm")
def name_confirm() -> Response:
    """1: the name is right; 2: say it again (a second miss leads to a recording)."""
    params, line = _line()
    tries = int(request.args.get("tries", "1")) if request.args.get("tries", "").isdigit() else 1
    heard = ticket_for_call(session=get_session(), call_sid=params.call_sid).reporter_name or ""
    question = name_confirm_question(line, heard, tries)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        return twiml(_redirect("fault.unit"))
    if reply.digits == "2":
        return twiml(_name_not_heard(line, tries))
    return twiml(try_again(question, reply.attempt))


def _name_not_heard(line: Line, tries: int) -> VoiceResponse:
    if tries < NAME_TRIES:
        return ask(name_question(line), attempt=tries + 1, before=(prompt("fault_name_not_heard"),))
    response = VoiceResponse()
    say(response, line.voice, "fault_name_not_heard")
    say(response, line.voice, "fault_record_name")
    response.record(action=url_for("fault.name_recorded"), max_length=6, timeout=4, finish_on_key="#", play_beep=True)
    response.redirect(url_for("fault.unit"), method="POST")  # no recording: go on without a name
    return response


@bp.post("/name/recorded")
def name_recorded() -> Response:
    """The reporter's name as a short recording, kept with the ticket."""
    params = read_call_params(request)
    url = request.form.get("RecordingUrl", "")[:500]
    session = get_session()
    if url:
        ticket_for_call(session=session, call_sid=params.call_sid).name_recording_url = url
        session.commit()
    return twiml(_redirect("fault.unit"))


# ---- unit ---------------------------------------------------------------------------------------------


def code_question(line: Line) -> Ask:
    return Ask(
        endpoint="fault.unit_code",
        text=prompt("fault_ask_unit_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=8,
        give_up="fault.system",
    )


@bp.post("/unit")
def unit() -> Response:
    """The unit from caller ID ("press 1 if correct"), else ask for its code."""
    params, line = _line()
    found = find_unit_by_number(session=get_session(), number=params.from_number)
    if found is None:
        return twiml(ask(code_question(line)))
    return twiml(ask(_unit_confirm(line, found, prompt("fault_unit_from_caller", unit=found.name))))


def _unit_confirm(line: Line, found: Unit, text: str) -> Ask:
    return Ask(
        endpoint="fault.unit_confirm",
        text=text,
        voice=line.voice,
        values=(("code", found.code),),
        give_up="fault.unit_code_again",
    )


@bp.post("/unit/confirm")
def unit_confirm() -> Response:
    """1 keeps the unit read back; 2 asks for a code."""
    params, line = _line()
    session = get_session()
    found = find_unit_by_code(session=session, code=request.args.get("code", "")[:16])
    if found is None:
        return twiml(ask(code_question(line)))
    question = _unit_confirm(line, found, prompt("fault_unit_readback", unit=found.name))
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        return twiml(ask(code_question(line)))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    ticket = ticket_for_call(session=session, call_sid=params.call_sid)
    ticket.unit_code, ticket.unit_name, ticket.unit_sms = found.code, found.name, found.sms_number
    session.commit()
    return twiml(_redirect("fault.system"))


@bp.post("/unit/code-again")
def unit_code_again() -> Response:
    """Ask for the unit's code (after a read-back that got no answer)."""
    _, line = _line()
    return twiml(ask(code_question(line)))


@bp.post("/unit/code")
def unit_code() -> Response:
    """A keyed unit code: read the unit back, or say the code is unknown and ask again."""
    _, line = _line()
    question = code_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    found = find_unit_by_code(session=get_session(), code=reply.digits)
    if found is None:
        return twiml(try_again(question, reply.attempt, reason="unknown_code", code=digits(reply.digits)))
    return twiml(ask(_unit_confirm(line, found, prompt("fault_unit_readback", unit=found.name))))


# ---- system and kind ----------------------------------------------------------------------------------


def system_question(line: Line) -> Ask:
    choices = [(str(i), prompt("fault_system_option", system=name)) for i, name in enumerate(line.systems, 1)]
    choices.append((str(len(line.systems) + 1), prompt("fault_system_other")))
    text = f"{prompt('fault_ask_system')} {choices_text(choices)}"
    return Ask(endpoint="fault.system_choice", text=text, voice=line.voice)


def system_for_key(line: Line, key: str) -> str | None:
    """The system behind a key in the system question (None for a wrong key)."""
    if not key.isdigit() or not 1 <= int(key) <= len(line.systems) + 1:
        return None
    return line.systems[int(key) - 1] if int(key) <= len(line.systems) else OTHER_SYSTEM


@bp.post("/system")
def system() -> Response:
    """Which system is down."""
    _, line = _line()
    return twiml(ask(system_question(line)))


@bp.post("/system/choice")
def system_choice() -> Response:
    """The chosen system (or "another system")."""
    params, line = _line()
    question = system_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    chosen = system_for_key(line, reply.digits)
    if chosen is None:
        return twiml(try_again(question, reply.attempt))
    session = get_session()
    ticket_for_call(session=session, call_sid=params.call_sid).system = None if chosen == OTHER_SYSTEM else chosen
    session.commit()
    return twiml(_redirect("fault.kind"))


def kind_question(line: Line) -> Ask:
    choices = [(key, prompt(f"fault_kind_option_{kind}")) for key, kind in FAULT_KINDS]
    text = f"{prompt('fault_ask_kind')} {choices_text(choices)}"
    return Ask(endpoint="fault.kind_choice", text=text, voice=line.voice)


@bp.post("/kind")
def kind() -> Response:
    """What kind of fault it is."""
    _, line = _line()
    return twiml(ask(kind_question(line)))


@bp.post("/kind/choice")
def kind_choice() -> Response:
    """The kind is the last answer: file the ticket, read its reference back, connect."""
    params, line = _line()
    question = kind_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    chosen = dict(FAULT_KINDS).get(reply.digits)
    if chosen is None:
        return twiml(try_again(question, reply.attempt))
    session, now = get_session(), utcnow()
    ticket = ticket_for_call(session=session, call_sid=params.call_sid)
    if ticket.filed_at is None:
        ticket.kind = chosen
    decision = decide(session=session, line=line, now=now, timezone=_timezone())
    file_fault_ticket(
        session=session, ticket=ticket, line=line, routed_to=decision.target, now=now, timezone=_timezone()
    )
    session.commit()
    response = VoiceResponse()
    say(response, line.voice, "fault_ticket_created", reference=digits(ticket.reference or ""))
    response.redirect(url_for("fault_dial.connect", pos=-1), method="POST")
    return twiml(response)


def _redirect(endpoint: str, **values: Any) -> VoiceResponse:
    response = VoiceResponse()
    response.redirect(url_for(endpoint, **values), method="POST")
    return response
