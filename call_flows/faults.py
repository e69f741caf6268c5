"""The fault report (main-menu key 2): name, unit, system and kind, filed as a ticket (then call_flows.fault_dial).

The caller's name and unit are asked by the shared steps (call_flows.caller_name, call_flows.caller_unit) and
kept in the call's state; the system and kind go on the call's draft ticket. Nothing is kept in URLs or logs;
each URL says which step the call is at.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from call_flows.caller_name import ask_for_name
from call_flows.caller_unit import ask_for_unit
from call_flows.gather import Ask, answer, ask, choices_text, try_again
from call_flows.prompts import prompt
from call_flows.speech import digits
from call_flows.twiml import redirect_to, say
from call_flows.webhook import call_params, current_line, step, timezone, voice_blueprint
from ivr.calls.state import CALLER, load_state
from ivr.faults.service import FAULT_KINDS, OTHER_SYSTEM, FiledBy, file_ticket, open_draft, ticket_for_call
from ivr.lines.models import Line
from ivr.schedule.service import decide
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("fault", "/voice/fault")
FLOW = "fault"


@step(bp, "")
def start() -> VoiceResponse:
    """Enter the fault report: open the call's ticket and ask for the reporter's name."""
    params, line = call_params(), current_line()
    session = get_session()
    ticket = open_draft(session=session, call_sid=params.call_sid, line=line, from_number=params.from_number, now=now())
    session.commit()
    response = VoiceResponse()
    if ticket.filed_at is not None:
        say(response, line.voice, "fault_already_filed", reference=digits(ticket.reference or ""))
        return redirect_to("fault_dial.connect", before=response, pos=-1)
    say(response, line.voice, "fault_intro")
    return ask_for_name(line, FLOW, response=response)


@step(bp, "/unit")
def unit() -> VoiceResponse:
    """The unit from caller ID ("press 1 if correct"), else ask for its code."""
    return ask_for_unit(current_line(), FLOW)


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


@step(bp, "/system")
def system() -> VoiceResponse:
    """Which system is down."""
    return ask(system_question(current_line()))


@step(bp, "/system/choice")
def system_choice() -> VoiceResponse:
    """The chosen system (or "another system")."""
    line = current_line()
    question = system_question(line)
    reply = answer(question)
    chosen = system_for_key(line, reply.digits)
    if chosen is None:
        return try_again(question, reply.attempt)
    session = get_session()
    ticket_for_call(session=session, call_sid=call_params().call_sid).system = (
        None if chosen == OTHER_SYSTEM else chosen
    )
    session.commit()
    return redirect_to("fault.kind")


def kind_question(line: Line) -> Ask:
    choices = [(key, prompt(f"fault_kind_option_{kind}")) for key, kind in FAULT_KINDS]
    text = f"{prompt('fault_ask_kind')} {choices_text(choices)}"
    return Ask(endpoint="fault.kind_choice", text=text, voice=line.voice)


@step(bp, "/kind")
def kind() -> VoiceResponse:
    """What kind of fault it is."""
    return ask(kind_question(current_line()))


@step(bp, "/kind/choice")
def kind_choice() -> VoiceResponse:
    """The kind is the last answer: file the ticket, read its reference back, connect."""
    params, line = call_params(), current_line()
    question = kind_question(line)
    reply = answer(question)
    chosen = dict(FAULT_KINDS).get(reply.digits)
    if chosen is None:
        return try_again(question, reply.attempt)
    session, moment = get_session(), now()
    state = load_state(session=session, call_sid=params.call_sid)
    decision = decide(session=session, line=line, now=moment, timezone=timezone())
    ticket = file_ticket(
        session=session,
        call_sid=params.call_sid,
        line=line,
        kind=chosen,
        by=FiledBy(
            name=state.names.get(CALLER) or state.pending_name or None,
            name_recording=state.recordings.get(CALLER),
            unit=state.unit,
        ),
        routed_to=decision.target,
        now=moment,
        timezone=timezone(),
    )
    session.commit()
    response = VoiceResponse()
    say(response, line.voice, "fault_ticket_created", reference=digits(ticket.reference or ""))
    return redirect_to("fault_dial.connect", before=response, pos=-1)
