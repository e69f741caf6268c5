"""The receiver's way back (main-menu option "inbox"): reports to the caller's unit that nobody acknowledged.

A municipality or unit that missed the connected call got an SMS with the reference. Calling the line (known by
caller ID, or keying its unit code) it hears each unacknowledged report as event, reporting unit and official
time, never patient data, and per report: 1 acknowledges it (stored like the acknowledgement on the connected
call; the reporting unit gets an SMS), 2 puts the caller through to the reporting unit, 3 goes on to the next.
URLs carry only the report's reference, which is opaque.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.caller_unit import ask_for_code, known_unit
from call_flows.gather import Ask, answer, ask, try_again
from call_flows.main_menu import main_menu_response
from call_flows.prompts import prompt
from call_flows.speech import clock_time, number_words, reference, spoken_date
from call_flows.twiml import say_text
from call_flows.webhook import call_params, current_line, step, timezone, voice_blueprint
from directory.snapshot import UnitSnapshot
from ivr.calls.state import CallState, load_state, save_state
from ivr.lines.models import Line
from ivr.notes import event_name
from ivr.reports.inbox import pending_delivery, unacknowledged
from ivr.reports.models import ReportDelivery
from ivr.reports.service import ReportError, acknowledge_delivery
from ivr.web.context import now
from ivr.web.session import get_session

bp = voice_blueprint("inbox", "/voice/inbox")
FLOW = "inbox"
DIAL_TIMEOUT = 25


def _state() -> CallState:
    params, line = call_params(), current_line()
    return load_state(
        session=get_session(), call_sid=params.call_sid, from_number=params.from_number, line_key=line.key
    )


def _unit_of_call() -> UnitSnapshot | None:
    state = _state()
    unit = known_unit(FLOW, state)
    if unit is not None:
        session = get_session()
        save_state(session=session, state=state, now=now())
        session.commit()
    return unit


def _spoken_when(moment: datetime) -> str:
    local, today = moment.astimezone(timezone()), now().astimezone(timezone()).date()
    if local.date() == today:
        return f"i dag {clock_time(local)}"
    return f"{spoken_date(local.date())} {clock_time(local)}"


def item_question(line: Line, row: ReportDelivery) -> Ask:
    report = row.report
    values = {
        "event": event_name(report.event),
        "unit": report.reporter_name or "",
        "time": _spoken_when(report.official_at),
        "reference": reference(report.reference),
    }
    item = prompt("inbox_item_drill" if report.drill else "inbox_item", **values)
    choice = (
        prompt("inbox_item_choice", unit=report.reporter_name or "")
        if report.reporter_phone
        else prompt("inbox_item_choice_no_phone")
    )
    return Ask(endpoint="inbox.item", text=f"{item} {choice}", voice=line.voice, values=(("ref", report.reference),))


def _count(count: int) -> str:
    if count == 1:
        return prompt("inbox_waiting_one")
    return prompt("inbox_waiting_many", count=number_words(min(count, 9999)))


def _next_after(unit: UnitSnapshot, after: str | None, *, before: Sequence[str] = ()) -> VoiceResponse:
    """The next unacknowledged report after the one with reference `after` (the first if None), or the end."""
    line = current_line()
    waiting = unacknowledged(session=get_session(), code=unit.code, now=now())
    if after is not None:
        references = [row.report.reference for row in waiting]
        position = references.index(after) + 1 if after in references else 0
        waiting = waiting[position:]
    if not waiting:
        return main_menu_response(before=(*before, prompt("inbox_done")))
    return ask(item_question(line, waiting[0]), before=before)


@step(bp, "")
def start() -> VoiceResponse:
    """The caller's unit (from caller ID or keyed), how many reports wait, and the first of them."""
    line = current_line()
    unit = _unit_of_call()
    if unit is None:
        return ask_for_code(line, FLOW)
    waiting = unacknowledged(session=get_session(), code=unit.code, now=now())
    if not waiting:
        return main_menu_response(before=(prompt("inbox_none", unit=unit.name),))
    return ask(item_question(line, waiting[0]), before=(_count(len(waiting)),))


@step(bp, "/item")
def item() -> VoiceResponse:
    """1 acknowledges the report, 2 puts the caller through to the reporting unit, 3 goes on to the next."""
    line, session = current_line(), get_session()
    unit = _unit_of_call()
    if unit is None:
        return ask_for_code(line, FLOW)
    ref = request.args.get("ref", "")[:12]
    row = pending_delivery(session=session, code=unit.code, reference=ref, now=now())
    if row is None:  # acknowledged meanwhile (or a retry of the acknowledgement): go on
        return _next_after(unit, ref)
    question = item_question(line, row)
    reply = answer(question)
    if reply.digits == "1":
        try:
            acknowledge_delivery(
                session=session,
                reference=ref,
                receiver_code=unit.code,
                by=f"{unit.name} (telefon {call_params().from_number})",
                channel="phone",
                timezone=timezone(),
                now=now(),
            )
        except ReportError:
            session.rollback()
            return _next_after(unit, ref)
        session.commit()
        return _next_after(unit, ref, before=(prompt("inbox_acknowledged", unit=row.report.reporter_name or ""),))
    if reply.digits == "2" and row.report.reporter_phone:
        response = VoiceResponse()
        say_text(response, line.voice, prompt("connect_connecting", unit=row.report.reporter_name or ""))
        response.dial(
            row.report.reporter_phone, action=url_for("inbox.called_back", ref=ref), method="POST", timeout=DIAL_TIMEOUT
        )
        return response
    if reply.digits == "3":
        return _next_after(unit, ref)
    return try_again(question, reply.attempt)


@step(bp, "/called-back")
def called_back() -> VoiceResponse:
    """After the call to the reporting unit: the same report again, to acknowledge it or go on."""
    line = current_line()
    unit = _unit_of_call()
    if unit is None:
        return ask_for_code(line, FLOW)
    ref = request.args.get("ref", "")[:12]
    row = pending_delivery(session=get_session(), code=unit.code, reference=ref, now=now())
    if row is None:
        return _next_after(unit, ref)
    return ask(item_question(line, row))
