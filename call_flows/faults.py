"""The fault report (main-menu key 2): name, unit, system and kind, filed as a ticket (then call_flows.fault_dial).

The caller's name and unit are asked by the shared steps (call_flows.caller_name, call_flows.caller_unit) and
kept in the call's state; the system and kind go on the call's draft ticket. Nothing is kept in URLs or logs;
each URL says which step the call is at.
"""

from __future__ import annotations

from collections.abc import Sequence

from twilio.twiml.voice_response import VoiceResponse

from call_flows.caller_name import ask_for_name
from call_flows.caller_unit import ask_for_code, known_unit
from call_flows.gather import Ask, answer, ask, choices_text, try_again
from call_flows.prompts import prompt
from call_flows.speech import reference
from call_flows.twiml import redirect_to, say, say_text
from call_flows.webhook import call_params, current_line, step, timezone, voice_blueprint
from ivr.calls.state import CALLER, load_state, save_state
from ivr.faults.service import FAULT_KINDS, OTHER_SYSTEM, FiledBy, file_ticket, open_draft, ticket_for_call
from ivr.lines.models import Line
from ivr.schedule.service import decide
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("fault", "/voice/fault")
FLOW = "fault"


@step(bp, "")
def start() -> VoiceResponse:
    """Enter the fault report: open the call's ticket and ask for the reporter's name (once per call)."""
    params, line = call_params(), current_line()
    session = get_session()
    ticket = open_draft(session=session, call_sid=params.call_sid, line=line, from_number=params.from_number, now=now())
    session.commit()
    if ticket.filed_at is not None:
        response = VoiceResponse()
        say(response, line.voice, "fault_already_filed", reference=reference(ticket.reference or ""))
        return redirect_to("fault_dial.connect", before=response, pos=-1)
    before = (prompt("fault_intro"),)
    state = load_state(session=session, call_sid=params.call_sid, from_number=params.from_number, line_key=line.key)
    if not state.has_name(CALLER):
        return ask_for_name(line, FLOW, before=before)
    return _unit_then_system(line, before=before)


@step(bp, "/unit")
def unit() -> VoiceResponse:
    """After the name: the unit from caller ID (announced at the greeting), else its code; then the system."""
    return _unit_then_system(current_line())


def _unit_then_system(line: Line, *, before: Sequence[str] = ()) -> VoiceResponse:
    params, session = call_params(), get_session()
    state = load_state(session=session, call_sid=params.call_sid, from_number=params.from_number, line_key=line.key)
    if known_unit(FLOW, state) is None:
        return ask_for_code(line, FLOW, response=_said(line, before))
    save_state(session=session, state=state, now=now())
    session.commit()
    return ask(system_question(line), before=before)


def _said(line: Line, texts: Sequence[str]) -> VoiceResponse | None:
    if not texts:
        return None
    response = VoiceResponse()
    for text in texts:
        say_text(response, line.voice, text)
    return response


@step(bp, "/without-unit")
def without_unit() -> VoiceResponse:
    """Three bad unit codes: the report goes on without a unit, and the caller is told so."""
    line = current_line()
    return ask(system_question(line), before=(prompt("unit_given_up"),))


def system_question(line: Line) -> Ask:
    if len(line.systems) == 1:  # a yes/no question, not a menu of one system and "another"
        text = prompt("fault_only_system", system=line.systems[0])
        return Ask(endpoint="fault.system_choice", text=text, voice=line.voice)
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
    """Which system is down (after a keyed unit code)."""
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
    return ask(kind_question(line))


def kind_question(line: Line) -> Ask:
    choices = [(key, prompt(f"fault_kind_option_{kind}")) for key, kind in FAULT_KINDS]
    text = f"{prompt('fault_ask_kind')} {choices_text(choices)}"
    return Ask(endpoint="fault.kind_choice", text=text, voice=line.voice)


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
    say(response, line.voice, "fault_ticket_created", reference=reference(ticket.reference or ""))
    return redirect_to("fault_dial.connect", before=response, pos=-1)
