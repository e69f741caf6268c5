"""Report flow: the event data (dates, the assessing doctor, the assessment) and the caller's name.

After each answer `next_step` asks for the first thing still missing, and finally reads the summary. Names are
asked by the shared step (call_flows.caller_name), which comes back to `report.go_on`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.caller_name import ask_for_name
from call_flows.gather import answer, ask, try_again
from call_flows.report_context import ReportCall, is_drill, local_today, ready_for_data, report_call, require
from call_flows.webhook import step, voice_blueprint
from ivr.calls.state import CALLER, DOCTOR
from ivr.reports.events import EVENTS, Assessment, Event
from ivr.web.context import now

bp = voice_blueprint("report_details", "/voice/report")
LATEST_DATE = timedelta(days=366)
FLOW = "report"


def _date_field(call: ReportCall) -> str | None:
    draft = call.draft
    spec = EVENTS[Event(draft.event or "")]
    if draft.event == Event.CHANGED_ASSESSMENT and draft.event_data.get("assessment") != Assessment.NEW_DATE:
        return None
    return spec.date_field


def next_step(call: ReportCall, *, before: Sequence[str] = ()) -> VoiceResponse:
    """Ask for the first thing still missing: doctor, assessment, date, caller's name; else the summary."""
    draft, state, line = call.draft, call.state, call.line
    event_kind = Event(draft.event or "")
    spec, data = EVENTS[event_kind], draft.event_data
    if spec.asks_doctor and not state.has_name(DOCTOR):
        return ask_for_name(line, FLOW, DOCTOR, before=before)
    if event_kind is Event.CHANGED_ASSESSMENT and "assessment" not in data:
        return ask(steps.assessment_question(line), before=before)
    field = _date_field(call)
    if field is not None and field not in data:
        if spec.date_required or event_kind is Event.CHANGED_ASSESSMENT:
            return ask(steps.date_question(line, field), before=before)
        return ask(steps.has_date_question(line), before=before)
    if not state.has_name(CALLER):
        return ask_for_name(line, FLOW, CALLER, before=before)
    summary = steps.summary_question(line, state, draft, drill=is_drill(call.session, line, now()))
    return ask(summary, before=before)


def _field_for_data() -> tuple[ReportCall, str]:
    call = report_call()
    field = _date_field(call) if ready_for_data(call) else None
    require(field is not None)
    assert field is not None
    return call, field


@step(bp, "/date/wanted")
def has_date() -> VoiceResponse:
    """1: there is an estimated discharge date to give; 2: there is none yet."""
    call, field = _field_for_data()
    question = steps.has_date_question(call.line)
    reply = answer(question)
    if reply.digits == "1":
        return ask(steps.date_question(call.line, field))
    if reply.digits == "2":
        call.draft.event_data[field] = ""
        call.save()
        return next_step(call)
    return try_again(question, reply.attempt)


@step(bp, "/date")
def date_keyed() -> VoiceResponse:
    """A date keyed as YYYYMMDD: refused if impossible, past or over a year ahead; else read back with weekday."""
    call, field = _field_for_data()
    question = steps.date_question(call.line, field)
    reply = answer(question)
    try:
        day = datetime.strptime(reply.digits, "%Y%m%d").date() if len(reply.digits) == 8 else None  # noqa: DTZ007
    except ValueError:
        day = None
    today = local_today()
    if day is None:
        return try_again(question, reply.attempt, reason="report_date_invalid")
    if day < today:
        return try_again(question, reply.attempt, reason="report_date_past")
    if day > today + LATEST_DATE:
        return try_again(question, reply.attempt, reason="report_date_far")
    call.draft.pending_date = day.isoformat()
    call.save()
    return ask(steps.date_readback_question(call.line, day))


@step(bp, "/date/confirm")
def date_confirm() -> VoiceResponse:
    """1: the date read back is right; 2: key it again."""
    call, field = _field_for_data()
    draft = call.draft
    require(draft.pending_date is not None or bool(draft.event_data.get(field)))
    day = date.fromisoformat(draft.pending_date or draft.event_data[field])
    question = steps.date_readback_question(call.line, day)
    reply = answer(question)
    if reply.digits == "2":
        return ask(steps.date_question(call.line, field))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    if draft.pending_date is not None:
        draft.event_data[field], draft.pending_date = draft.pending_date, None
        call.save()
    return next_step(call)


@step(bp, "/assessment")
def assessment() -> VoiceResponse:
    """Event 5: 1 = no longer discharge-ready, 2 = a new date."""
    call = report_call()
    require(ready_for_data(call))
    question = steps.assessment_question(call.line)
    reply = answer(question)
    choice = {"1": Assessment.NO_LONGER_READY, "2": Assessment.NEW_DATE}.get(reply.digits)
    if choice is None:
        return try_again(question, reply.attempt)
    call.draft.event_data["assessment"] = choice.value
    call.save()
    return next_step(call)
