"""The caller's unit, shared by the fault report and the care-transition report: from caller ID, else a keyed code.

The unit found from caller ID is read back ("press 1 if correct, 2 for another"); a keyed code is read back too.
The confirmed unit is kept in the call's state, so every flow of the call knows it. Each URL names the flow
(/voice/fault/unit/…, /voice/report/unit/…) and carries only the unit's code, never what the caller said.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from call_flows.endpoints import MAIN_MENU
from call_flows.gather import Ask, answer, ask, try_again
from call_flows.prompts import prompt
from call_flows.speech import digits
from call_flows.twiml import redirect_to
from call_flows.webhook import call_params, current_line, step, voice_blueprint
from directory.lookup import find_unit_by_code, find_unit_by_number
from directory.models import Unit
from directory.snapshot import snapshot
from ivr.calls.state import load_state, save_state
from ivr.lines.models import Line
from ivr.reports.events import REPORTER_KINDS
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("unit", "/voice/<flow>/unit")
MAX_CODE = 6
CODE_TIMEOUT = 8


@dataclass(frozen=True)
class UnitStep:
    """How one flow uses the step: which kinds of unit it takes, and where the call goes after it."""

    done: str  # the flow's next step once the unit is confirmed
    give_up: str  # after three failed tries at the code
    accepts: tuple[str, ...] | None = None  # unit kinds that may be chosen (None: any)
    confirm_give_up: str = MAIN_MENU  # after three failed tries at a read-back


FLOWS: dict[str, UnitStep] = {
    # A fault report goes on without a unit rather than losing the report.
    "fault": UnitStep(done="fault.system", give_up="fault.system", confirm_give_up="unit.code_again"),
    "report": UnitStep(done="report.event_menu", give_up=MAIN_MENU, accepts=REPORTER_KINDS),
}


def _flow(flow: str) -> UnitStep:
    found = FLOWS.get(flow)
    if found is None:
        raise ValueError(f"no unit step for flow {flow!r}")
    return found


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


def confirm_question(line: Line, flow: str, unit: Unit, *, from_caller_id: bool) -> Ask:
    text = prompt("unit_from_caller" if from_caller_id else "unit_readback", unit=unit.name)
    spec = _flow(flow)
    return Ask(
        endpoint="unit.confirm",
        text=text,
        voice=line.voice,
        give_up=spec.confirm_give_up,
        give_up_values=(("flow", flow),) if spec.confirm_give_up.startswith("unit.") else (),
        values=(("flow", flow), ("code", unit.code), ("heard", "caller-id" if from_caller_id else "keyed")),
    )


def ask_for_unit(line: Line, flow: str, *, response: VoiceResponse | None = None) -> VoiceResponse:
    """Start the step: the unit from caller ID to confirm (if it is one the flow takes), else the code question."""
    found = find_unit_by_number(session=get_session(), number=call_params().from_number)
    accepts = _flow(flow).accepts
    if found is not None and (accepts is None or found.kind in accepts):
        return ask(confirm_question(line, flow, found, from_caller_id=True), response=response)
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
    accepts = _flow(flow).accepts
    if accepts is not None and found.kind not in accepts:
        return try_again(question, reply.attempt, reason="unit_cannot_report", unit=found.name)
    return ask(confirm_question(line, flow, found, from_caller_id=False))


@step(bp, "/confirm")
def confirm(flow: str) -> VoiceResponse:
    """1 keeps the unit read back (in the call's state); 2 asks for a code."""
    line = current_line()
    session = get_session()
    found = find_unit_by_code(session=session, code=request.args.get("code", "")[:MAX_CODE])
    if found is None:
        return ask(code_question(line, flow))
    question = confirm_question(line, flow, found, from_caller_id=request.args.get("heard") == "caller-id")
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


@step(bp, "/code-again")
def code_again(flow: str) -> VoiceResponse:
    """Ask for the unit's code (after a read-back that got no answer)."""
    return ask(code_question(current_line(), flow))
