"""Asking a name, shared by the fault report (the reporter) and the care-transition report (caller, doctor).

The name is said (speech, sv-SE) and read back: 1 keeps it, 2 says it again. After two misses the name is
recorded instead. The caller may go on without a name; the assessing doctor's name may not be skipped (the
routine requires it): an empty recording asks once more, then the call goes to the switchboard with the report
kept. A name is personal data: it is held in the call's state, never in a URL or a log. Each URL names the flow
and the name's slot (/voice/report/name?who=doctor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.endpoints import MAIN_MENU
from call_flows.gather import Ask, answer, ask, try_again, yes_no
from call_flows.prompts import prompt
from call_flows.twiml import redirect_to, say
from call_flows.webhook import call_params, current_line, step, voice_blueprint
from ivr.calls.state import CALLER, DOCTOR, CallState, load_state, save_state
from ivr.lines.models import Line
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("name", "/voice/<flow>/name")
NAME_TRIES = 2  # speech attempts before a short recording instead
MIN_CONFIDENCE = 0.3
MAX_NAME = 200
RECORD_SECONDS = 6


@dataclass(frozen=True)
class NameStep:
    """How one flow uses the step: where the call goes once the name is kept (or recorded, or given up)."""

    done: str
    confirm_give_up: str = MAIN_MENU  # after three failed tries at the read-back
    missing_required: str = MAIN_MENU  # where a required name (the doctor's) that was never given leads


FLOWS: dict[str, NameStep] = {
    # A fault report goes on to the unit rather than losing the report.
    "fault": NameStep(done="fault.unit", confirm_give_up="fault.unit"),
    "report": NameStep(done="report.go_on", confirm_give_up="report.kept", missing_required="report.kept"),
}
REQUIRED = frozenset({DOCTOR})


def _flow(flow: str) -> NameStep:
    found = FLOWS.get(flow)
    if found is None:
        raise ValueError(f"no name step for flow {flow!r}")
    return found


def _slot() -> str:
    return DOCTOR if request.args.get("who") == DOCTOR else CALLER


def _tries() -> int:
    value = request.args.get("tries", "1")
    return int(value) if value.isdigit() and 1 <= int(value) <= NAME_TRIES else 1


def name_question(line: Line, flow: str, who: str, tries: int, *, again: bool = False) -> Ask:
    return Ask(
        endpoint="name.heard",
        text=prompt("name_ask_again" if again else f"name_ask_{who}"),
        voice=line.voice,
        speech=True,
        timeout=5,
        values=(("flow", flow), ("who", who), ("tries", str(tries))),
    )


def readback_question(line: Line, flow: str, who: str, heard: str, tries: int) -> Ask:
    return Ask(
        endpoint="name.confirm",
        text=yes_no(prompt("name_readback", name=heard)),
        voice=line.voice,
        give_up=_flow(flow).confirm_give_up,
        values=(("flow", flow), ("who", who), ("tries", str(tries))),
    )


def ask_for_name(
    line: Line,
    flow: str,
    who: str = CALLER,
    *,
    response: VoiceResponse | None = None,
    before: Sequence[str] = (),
) -> VoiceResponse:
    """Start the step: ask for the name of `who` (the caller, or the assessing doctor)."""
    return ask(name_question(line, flow, who, 1), response=response, before=before)


def _state() -> CallState:
    params = call_params()
    return load_state(session=get_session(), call_sid=params.call_sid, from_number=params.from_number)


def _save(state: CallState) -> None:
    session = get_session()
    save_state(session=session, state=state, now=now())
    session.commit()


@step(bp, "")
def heard(flow: str) -> VoiceResponse:
    """The name as heard: read it back, or after two misses ask for a recording."""
    line, who, tries = current_line(), _slot(), _tries()
    reply = answer(name_question(line, flow, who, tries), silence_ok=True)
    name = reply.speech if reply.confidence is None or reply.confidence >= MIN_CONFIDENCE else ""
    if not name:
        return _not_heard(line, flow, who, tries)
    state = _state()
    state.pending_name = name[:MAX_NAME]
    _save(state)
    return ask(readback_question(line, flow, who, state.pending_name, tries))


@step(bp, "/confirm")
def confirm(flow: str) -> VoiceResponse:
    """1: the name is right; 2: say it again (a second miss leads to a recording)."""
    line, who, tries = current_line(), _slot(), _tries()
    state = _state()
    question = readback_question(line, flow, who, state.pending_name or state.names.get(who, ""), tries)
    reply = answer(question)
    if reply.digits == "2":  # misheard: ask again (after the second time, a recording)
        if tries < NAME_TRIES:
            return ask(name_question(line, flow, who, tries + 1, again=True))
        return _record(VoiceResponse(), line, flow, who)
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    if state.pending_name is not None:
        state.names[who], state.pending_name = state.pending_name, None
        _save(state)
    return redirect_to(_flow(flow).done)


@step(bp, "/recorded")
def recorded(flow: str) -> VoiceResponse:
    """The name as a short recording (kept with the record), or none: the caller goes on without a name; a
    required name is asked for once more, then the call goes where the flow keeps its unfinished work."""
    who, line = _slot(), current_line()
    url = request.form.get("RecordingUrl", "")[:500]
    state = _state()
    state.pending_name = None
    if url:
        state.recordings[who] = url
    elif who in REQUIRED:
        _save(state)
        if request.args.get("again") != "1":
            response = VoiceResponse()
            say(response, line.voice, "name_doctor_missing")
            return _record(response, line, flow, who, again=True)
        return redirect_to(_flow(flow).missing_required)
    else:
        state.names[who] = ""  # nothing recorded: the flow goes on without the name
    _save(state)
    return redirect_to(_flow(flow).done)


def _not_heard(line: Line, flow: str, who: str, tries: int) -> VoiceResponse:
    if tries < NAME_TRIES:
        return ask(name_question(line, flow, who, tries + 1), before=(prompt("name_not_heard"),))
    response = VoiceResponse()
    say(response, line.voice, "name_not_heard")
    return _record(response, line, flow, who)


def _record(response: VoiceResponse, line: Line, flow: str, who: str, *, again: bool = False) -> VoiceResponse:
    say(response, line.voice, f"name_record_{who}")
    target = url_for("name.recorded", flow=flow, who=who, again="1" if again else None)
    response.record(action=target, max_length=RECORD_SECONDS, timeout=4, finish_on_key="#", play_beep=True)
    response.redirect(target, method="POST")  # an empty recording requests no action: Twilio goes on to here
    return response
