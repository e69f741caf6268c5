"""Putting a filed fault report through: the help desk or standby with a whisper, then the chain, then voicemail.

The answering person hears the ticket in brief and must press 1 (stored here, since a personal voicemail
also "completes" a Dial); anything else moves the caller on to the next number of the line's chain.
"""

from __future__ import annotations

from flask import request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from call_flows.prompts import prompt
from call_flows.speech import reference
from call_flows.twiml import hang_up, redirect_to, say
from call_flows.webhook import call_params, current_line, read_int, step, timezone, voice_blueprint
from ivr.faults.models import FaultTicket
from ivr.faults.service import (
    accept_attempt,
    attach_voicemail,
    attempt_at,
    finish_attempt,
    next_destination,
    start_attempt,
    ticket_for_call,
)
from ivr.lines.models import Line
from ivr.notes import OTHER_SYSTEM, UNKNOWN_UNIT, fault_kind_name
from ivr.schedule.models import HELP_DESK
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("fault_dial", "/voice/fault")

DIAL_TIMEOUT = 20
VOICEMAIL_SECONDS = 120


@step(bp, "/connect")
def connect() -> VoiceResponse:
    """Ring the next number in the chain after position `pos`, with a whisper; none left → voicemail."""
    params, line = call_params(), current_line()
    after = int(request.args["pos"]) if request.args.get("pos", "").lstrip("-").isdigit() else -1
    session, moment = get_session(), now()
    ticket = ticket_for_call(session=session, call_sid=params.call_sid)
    found = next_destination(session=session, ticket=ticket, line=line, after=after, now=moment, timezone=timezone())
    response = VoiceResponse()
    if found is None:
        session.commit()
        say(response, line.voice, "fault_voicemail")
        response.record(
            action=url_for("fault_dial.voicemail"),
            max_length=VOICEMAIL_SECONDS,
            timeout=5,
            finish_on_key="#",
            play_beep=True,
        )
        say(response, line.voice, "fault_no_voicemail", reference=reference(ticket.reference or ""))
        response.hangup()
        return response
    position, target = found
    start_attempt(session=session, ticket=ticket, position=position, target=target, now=moment)
    session.commit()
    if after >= 0:
        say(response, line.voice, "fault_trying_next", name=target.name)
    elif ticket.routed_to == HELP_DESK:
        say(response, line.voice, "fault_connecting_help_desk", name=target.name)
    else:
        say(response, line.voice, "fault_connecting_standby")
    dial = response.dial(action=url_for("fault_dial.dialled", ticket=ticket.id, pos=position), timeout=DIAL_TIMEOUT)
    dial.number(target.number, url=url_for("fault_dial.whisper", ticket=ticket.id, pos=position, line=line.key))
    return response


@step(bp, "/whisper")
def whisper() -> VoiceResponse:
    """What the answering person hears before the caller: the ticket in brief, then "press 1"."""
    line = current_line()
    session = get_session()
    ticket_id, position = _ticket_position()
    attempt = attempt_at(session=session, ticket_id=ticket_id, position=position)
    ticket = session.get(FaultTicket, attempt.ticket_id)
    if ticket is None:
        raise ValueError(f"dial attempt of a missing ticket {attempt.ticket_id}")
    response = VoiceResponse()
    action = url_for("fault_dial.whisper_answer", ticket=ticket_id, pos=position, line=line.key)
    for first in (True, False):
        gather = response.gather(input="dtmf", num_digits=1, timeout=6, action=action, method="POST")
        if first:
            _brief(gather, line, ticket)
        gather.say(prompt("whisper_press_1"), voice=line.voice.voice, language=line.voice.language)
    response.hangup()  # no key: not taken, so the caller goes on down the chain
    return response


def _brief(gather: Gather, line: Line, ticket: FaultTicket) -> None:
    """The ticket as the routine says a fault report states it: who reports, which unit found the fault, what
    kind of fault. A name that was recorded rather than recognised is played."""
    voice, language = line.voice.voice, line.voice.language
    unit = ticket.unit_name or UNKNOWN_UNIT
    gather.say(prompt("whisper_fault", reference=reference(ticket.reference or "")), voice=voice, language=language)
    if ticket.reporter_name:
        gather.say(prompt("whisper_fault_from", name=ticket.reporter_name, unit=unit), voice=voice, language=language)
    elif ticket.name_recording_url:
        gather.say(prompt("whisper_fault_recorded_name"), voice=voice, language=language)
        gather.play(ticket.name_recording_url)
        gather.say(prompt("whisper_fault_from_unit", unit=unit), voice=voice, language=language)
    else:
        gather.say(prompt("whisper_fault_from_unit", unit=unit), voice=voice, language=language)
    what = prompt("whisper_fault_what", system=ticket.system or OTHER_SYSTEM, kind=fault_kind_name(ticket.kind))
    gather.say(what, voice=voice, language=language)


@step(bp, "/whisper/answer")
def whisper_answer() -> VoiceResponse:
    """1 takes the call (stored, so the caller's Dial action knows); anything else declines it."""
    call_params()
    ticket_id, position = _ticket_position()
    response = VoiceResponse()
    if request.form.get("Digits") == "1":
        session = get_session()
        accept_attempt(session=session, ticket_id=ticket_id, position=position, now=now())
        session.commit()
        return response  # an empty document bridges the call
    response.hangup()
    return response


@step(bp, "/dialled")
def dialled() -> VoiceResponse:
    """After a chain number: done if the call was taken, else the next number (or voicemail)."""
    line = current_line()
    ticket_id, position = _ticket_position()
    session = get_session()
    attempt = attempt_at(session=session, ticket_id=ticket_id, position=position)
    ticket = session.get(FaultTicket, ticket_id)
    if ticket is None:
        raise ValueError(f"dial result for a missing ticket {ticket_id}")
    taken = finish_attempt(
        session=session, ticket=ticket, attempt=attempt, dial_status=request.form.get("DialCallStatus", "")[:32]
    )
    session.commit()
    if taken:
        return hang_up(line.voice, "fault_call_done")
    return redirect_to("fault_dial.connect", pos=position)


@step(bp, "/voicemail")
def voicemail() -> VoiceResponse:
    """The caller's message: attach it to the ticket and notify the standby by SMS."""
    params, line = call_params(), current_line()
    session = get_session()
    url = request.form.get("RecordingUrl", "")[:500]
    if not url:
        ticket = ticket_for_call(session=session, call_sid=params.call_sid)
        return hang_up(line.voice, "fault_no_voicemail", reference=reference(ticket.reference or ""))
    attach_voicemail(
        session=session,
        call_sid=params.call_sid,
        line=line,
        url=url,
        seconds=read_int("RecordingDuration"),
        now=now(),
        timezone=timezone(),
    )
    session.commit()
    return hang_up(line.voice, "fault_voicemail_saved")


def _ticket_position() -> tuple[int, int]:
    ticket, pos = request.args.get("ticket", ""), request.args.get("pos", "")
    if not ticket.isdigit() or not pos.isdigit() or len(ticket) > 12 or len(pos) > 3:
        raise ValueError("whisper and dial steps need ticket and pos")
    return int(ticket), int(pos)
