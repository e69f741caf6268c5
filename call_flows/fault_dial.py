"""Putting a filed fault report through: the help desk or standby with a whisper, then the chain, then voicemail.

The answering person hears the ticket in brief and must press 1 (stored here, since a personal voicemail
also "completes" a Dial); anything else moves the caller on to the next number of the line's chain.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.lines import Line, current_line
from call_flows.models import HELP_DESK, FaultTicket
from call_flows.prompts import prompt
from call_flows.speech import digits
from call_flows.tickets import (
    accept_attempt,
    attach_voicemail,
    attempt_at,
    finish_attempt,
    kind_name,
    next_destination,
    start_attempt,
    ticket_for_call,
)
from call_flows.twiml import say, twiml
from call_flows.webhook import CallParams, apologise_on_error, read_call_params, read_int
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.security import require_twilio_signature

bp = Blueprint("fault_dial", __name__, url_prefix="/voice/fault")
require_twilio_signature(bp)
apologise_on_error(bp)

DIAL_TIMEOUT = 20
VOICEMAIL_SECONDS = 120


def _line() -> tuple[CallParams, Line]:
    params = read_call_params(request)
    return params, current_line(params, key=request.args.get("line"))


def _timezone() -> ZoneInfo:
    timezone: ZoneInfo = current_app.extensions["ivr.config"].timezone
    return timezone


@bp.post("/connect")
def connect() -> Response:
    """Ring the next number in the chain after position `pos`, with a whisper; none left → voicemail."""
    params, line = _line()
    after = int(request.args["pos"]) if request.args.get("pos", "").lstrip("-").isdigit() else -1
    session, now = get_session(), utcnow()
    ticket = ticket_for_call(session=session, call_sid=params.call_sid)
    step = next_destination(session=session, ticket=ticket, line=line, after=after, now=now, timezone=_timezone())
    response = VoiceResponse()
    if step is None:
        session.commit()
        say(response, line.voice, "fault_voicemail")
        response.record(
            action=url_for("fault_dial.voicemail"),
            max_length=VOICEMAIL_SECONDS,
            timeout=5,
            finish_on_key="#",
            play_beep=True,
        )
        say(response, line.voice, "fault_no_voicemail", reference=digits(ticket.reference or ""))
        response.hangup()
        return twiml(response)
    position, target = step
    start_attempt(session=session, ticket=ticket, position=position, target=target, now=now)
    session.commit()
    if after >= 0:
        say(response, line.voice, "fault_trying_next", name=target.name)
    elif ticket.routed_to == HELP_DESK:
        say(response, line.voice, "fault_connecting_help_desk", name=target.name)
    else:
        say(response, line.voice, "fault_connecting_standby", name=target.name)
    dial = response.dial(action=url_for("fault_dial.dialled", ticket=ticket.id, pos=position), timeout=DIAL_TIMEOUT)
    dial.number(target.number, url=url_for("fault_dial.whisper", ticket=ticket.id, pos=position, line=line.key))
    return twiml(response)


@bp.post("/whisper")
def whisper() -> Response:
    """What the answering person hears before the caller: the ticket in brief, then "press 1"."""
    _, line = _line()
    session = get_session()
    ticket_id, position = _ticket_position()
    attempt = attempt_at(session=session, ticket_id=ticket_id, position=position)
    ticket = session.get(FaultTicket, attempt.ticket_id)
    assert ticket is not None
    summary = prompt(
        "whisper_summary",
        reference=digits(ticket.reference or ""),
        unit=ticket.unit_name or prompt("unknown_unit_name"),
        system=ticket.system or prompt("fault_system_other_name"),
        kind=kind_name(ticket.kind),
    )
    response = VoiceResponse()
    action = url_for("fault_dial.whisper_answer", ticket=ticket_id, pos=position, line=line.key)
    for text in (f"{summary} {prompt('whisper_press_1')}", prompt("whisper_press_1")):
        gather = response.gather(input="dtmf", num_digits=1, timeout=6, action=action, method="POST")
        gather.say(text, voice=line.voice.voice, language=line.voice.language)
    response.hangup()  # no key: not taken, so the caller goes on down the chain
    return twiml(response)


@bp.post("/whisper/answer")
def whisper_answer() -> Response:
    """1 takes the call (stored, so the caller's Dial action knows); anything else declines it."""
    read_call_params(request)
    ticket_id, position = _ticket_position()
    response = VoiceResponse()
    if request.form.get("Digits") == "1":
        session = get_session()
        accept_attempt(session=session, ticket_id=ticket_id, position=position, now=utcnow())
        session.commit()
        return twiml(response)  # an empty document bridges the call
    response.hangup()
    return twiml(response)


@bp.post("/dialled")
def dialled() -> Response:
    """After a chain number: done if the call was taken, else the next number (or voicemail)."""
    _, line = _line()
    ticket_id, position = _ticket_position()
    session = get_session()
    attempt = attempt_at(session=session, ticket_id=ticket_id, position=position)
    ticket = session.get(FaultTicket, ticket_id)
    assert ticket is not None
    taken = finish_attempt(
        session=session, ticket=ticket, attempt=attempt, dial_status=request.form.get("DialCallStatus", "")[:32]
    )
    session.commit()
    if taken:
        response = VoiceResponse()
        say(response, line.voice, "fault_call_done")
        response.hangup()
        return twiml(response)
    return twiml(_redirect("fault_dial.connect", pos=position))


@bp.post("/voicemail")
def voicemail() -> Response:
    """The caller's message: attach it to the ticket and notify the standby by SMS."""
    params, line = _line()
    session, now = get_session(), utcnow()
    ticket = ticket_for_call(session=session, call_sid=params.call_sid)
    url = request.form.get("RecordingUrl", "")[:500]
    response = VoiceResponse()
    if not url:
        say(response, line.voice, "fault_no_voicemail", reference=digits(ticket.reference or ""))
        response.hangup()
        return twiml(response)
    seconds = read_int(request, "RecordingDuration")
    attach_voicemail(session=session, ticket=ticket, line=line, url=url, seconds=seconds, now=now, timezone=_timezone())
    session.commit()
    say(response, line.voice, "fault_voicemail_saved")
    response.hangup()
    return twiml(response)


def _ticket_position() -> tuple[int, int]:
    ticket, pos = request.args.get("ticket", ""), request.args.get("pos", "")
    if not ticket.isdigit() or not pos.isdigit():
        raise ValueError("whisper and dial steps need ticket and pos")
    return int(ticket), int(pos)


def _redirect(endpoint: str, **values: Any) -> VoiceResponse:
    response = VoiceResponse()
    response.redirect(url_for(endpoint, **values), method="POST")
    return response
