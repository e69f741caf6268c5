"""The caller's unit, shared by the fault report, the care-transition report and the receiver's inbox.

A unit known from caller ID is announced at the greeting and used without a question (the report's summary
can still correct it). A caller whose number is not in the directory keys the unit's code, which is read back
to confirm. The unit is kept in the call's state, so every flow of the call knows it. Each URL names the flow
(/voice/fault/unit/…, /voice/report/unit/…) and carries only the unit's code, never what the caller said.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from call_flows.endpoints import MAIN_MENU
from call_flows.gather import Ask, answer, ask, try_again, yes_no
from call_flows.prompts import prompt
from call_flows.speech import digits
from call_flows.twiml import redirect_to
from call_flows.webhook import call_params, current_line, step, voice_blueprint
from directory.lookup import UnitRecord, find_unit_by_code, find_unit_by_number
from directory.snapshot import UnitSnapshot, snapshot
from ivr.calls.state import CallState, load_state, save_state
from ivr.lines.models import Line
from ivr.reports.events import RECEIVER_KINDS, REPORTER_KINDS
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("unit", "/voice/<flow>/unit")
MAX_CODE = 6
CODE_TIMEOUT = 8


@dataclass(frozen=True)
class UnitStep:
    """How one flow uses the step: which kinds of unit it takes, and where the call goes after it."""

    done: str  # the flow's next step once the unit is known
    give_up: str  # after three failed tries at the code
    accepts: tuple[str, ...] | None = None  # unit kinds that may be chosen (None: any)
    refused: str = "unit_cannot_report"  # said when a keyed unit is of a kind the flow does not take


FLOWS: dict[str, UnitStep] = {
    # A fault report goes on without a unit rather than losing the report.
    "fault": UnitStep(done="fault.system", give_up="fault.without_unit"),
    "report": UnitStep(done="report.after_unit", give_up=MAIN_MENU, accepts=REPORTER_KINDS),
    "inbox": UnitStep(
        done="inbox.start", give_up=MAIN_MENU, accepts=RECEIVER_KINDS, refused="inbox_unit_cannot_receive"
    ),
}


def _flow(flow: str) -> UnitStep:
    found = FLOWS.get(flow)
    if found is None:
        raise ValueError(f"no unit step for flow {flow!r}")
    return found


def known_unit(flow: str, state: CallState) -> UnitSnapshot | None:
    """The caller's unit for this flow: the one the call already has, else the one its caller ID belongs to
    (announced at the greeting). Sets it on the state (the caller's view saves it); None if the caller must key it."""
    accepts = _flow(flow).accepts
    if state.unit is not None and (accepts is None or state.unit.kind in accepts):
        return state.unit
    found = find_unit_by_number(session=get_session(), number=state.from_number or call_params().from_number)
    if found is None or (accepts is not None and found.kind not in accepts):
        return None
    state.unit = snapshot(found)
    return state.unit


def code_question(line: Line, flow: str) -> Ask:
    return Ask(
        endpoint="unit.code",
        text=prompt("ask_unit_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
        give_up=_flow(flow).give_up,
        values=(("flow", flow),),
    )


def confirm_question(line: Line, flow: str, unit: UnitRecord) -> Ask:
    return Ask(
        endpoint="unit.confirm",
        text=yes_no(prompt("unit_readback", unit=unit.name)),
        voice=line.voice,
        give_up=_flow(flow).give_up,
        values=(("flow", flow), ("code", unit.code)),
    )


def ask_for_code(line: Line, flow: str, *, response: VoiceResponse | None = None) -> VoiceResponse:
    """Ask for the unit's code (a caller whose number is not in the directory, or a correction)."""
    return ask(code_question(line, flow), response=response)


@step(bp, "/code")
def code(flow: str) -> VoiceResponse:
    """A keyed unit code: read the unit back, or say why it cannot be used and ask again."""
    line = current_line()
    question = code_question(line, flow)
    reply = answer(question)
    keyed = reply.digits[:MAX_CODE]
    found = find_unit_by_code(session=get_session(), code=keyed) if keyed.isdigit() else None
    if found is None:
        return try_again(question, reply.attempt, reason="unknown_code", code=digits(keyed))
    spec = _flow(flow)
    if spec.accepts is not None and found.kind not in spec.accepts:
        return try_again(question, reply.attempt, reason=spec.refused, unit=found.name)
    return ask(confirm_question(line, flow, found))


@step(bp, "/confirm")
def confirm(flow: str) -> VoiceResponse:
    """1 keeps the unit read back (in the call's state); 2 asks for the code again."""
    line = current_line()
    session = get_session()
    found = find_unit_by_code(session=session, code=request.args.get("code", "")[:MAX_CODE])
    if found is None:
        return ask(code_question(line, flow))
    question = confirm_question(line, flow, found)
    reply = answer(question)
    if reply.digits == "2":
        return ask(code_question(line, flow))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    params = call_params()
    state = load_state(session=session, call_sid=params.call_sid, from_number=params.from_number, line_key=line.key)
    state.unit = snapshot(found)
    save_state(session=session, state=state, now=now())
    session.commit()
    return redirect_to(_flow(flow).done)
