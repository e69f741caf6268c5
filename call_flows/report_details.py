"""Report flow: the event data (dates, the assessing doctor, the assessment) and the caller's name.

After each answer `next_step` asks for the first thing still missing, and finally reads the summary.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, request, url_for
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.lines import Line
from call_flows.navigation import ask, read_reply, try_again
from call_flows.prompts import prompt
from call_flows.report_context import bp, call_context, is_drill, local_today, ready_for_data, restart, save
from call_flows.twiml import say, twiml
from ivr.clock import utcnow
from ivr.reports.drafts import Draft
from ivr.reports.events import EVENTS, Assessment, Event

NAME_TRIES = 2  # speech attempts before a short recording instead
MIN_CONFIDENCE = 0.3
LATEST_DATE = timedelta(days=366)


# ---- event data, name and summary: the next thing to ask ----------------------------------------------------


def _date_field(draft: Draft) -> str | None:
    spec = EVENTS[Event(draft.event or "")]
    if draft.event == Event.CHANGED_ASSESSMENT and draft.event_data.get("assessment") != Assessment.NEW_DATE:
        return None
    return spec.date_field


def next_step(line: Line, session: Session, draft: Draft) -> VoiceResponse:
    """Ask for the first thing still missing: doctor, assessment, date, caller's name; else the summary."""
    event_kind = Event(draft.event or "")
    spec, data = EVENTS[event_kind], draft.event_data
    if spec.asks_doctor and "doctor_name" not in data and "doctor_recording" not in data:
        return ask(steps.name_question(line, "doctor", 1))
    if event_kind is Event.CHANGED_ASSESSMENT and "assessment" not in data:
        return ask(steps.assessment_question(line))
    field = _date_field(draft)
    if field is not None and field not in data:
        if spec.date_required or event_kind is Event.CHANGED_ASSESSMENT:
            return ask(steps.date_question(line, field))
        return ask(steps.has_date_question(line))
    if draft.caller_name is None and draft.caller_name_recording is None:
        return ask(steps.name_question(line, "caller", 1))
    return ask(steps.summary_question(line, draft, drill=is_drill(session, line, utcnow())))


@bp.post("/date/wanted")
def has_date() -> Response:
    """1: there is an estimated discharge date to give; 2: there is none yet."""
    _params, line, session, draft = call_context()
    field = _date_field(draft) if ready_for_data(draft) else None
    if field is None:
        return restart()
    question = steps.has_date_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        return twiml(ask(steps.date_question(line, field)))
    if reply.digits == "2":
        draft.event_data[field] = ""
        save(session, draft)
        return twiml(next_step(line, session, draft))
    return twiml(try_again(question, reply.attempt))


@bp.post("/date")
def date_keyed() -> Response:
    """A date keyed as YYYYMMDD: refused if impossible, past or over a year ahead; else read back with weekday."""
    _params, line, session, draft = call_context()
    field = _date_field(draft) if ready_for_data(draft) else None
    if field is None:
        return restart()
    question = steps.date_question(line, field)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    try:
        day = datetime.strptime(reply.digits, "%Y%m%d").date() if len(reply.digits) == 8 else None  # noqa: DTZ007
    except ValueError:
        day = None
    today = local_today()
    if day is None:
        return twiml(try_again(question, reply.attempt, reason="report_date_invalid"))
    if day < today:
        return twiml(try_again(question, reply.attempt, reason="report_date_past"))
    if day > today + LATEST_DATE:
        return twiml(try_again(question, reply.attempt, reason="report_date_far"))
    draft.pending_date = day.isoformat()
    save(session, draft)
    return twiml(ask(steps.date_readback_question(line, day)))


@bp.post("/date/confirm")
def date_confirm() -> Response:
    """1: the date read back is right; 2: key it again."""
    _params, line, session, draft = call_context()
    field = _date_field(draft) if ready_for_data(draft) else None
    if field is None or (draft.pending_date is None and not draft.event_data.get(field)):
        return restart()
    day = date.fromisoformat(draft.pending_date or draft.event_data[field])
    question = steps.date_readback_question(line, day)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        return twiml(ask(steps.date_question(line, field)))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    if draft.pending_date is not None:
        draft.event_data[field], draft.pending_date = draft.pending_date, None
        save(session, draft)
    return twiml(next_step(line, session, draft))


@bp.post("/assessment")
def assessment() -> Response:
    """Event 5: 1 = no longer discharge-ready, 2 = a new date."""
    _params, line, session, draft = call_context()
    if not ready_for_data(draft):
        return restart()
    question = steps.assessment_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    choice = {"1": Assessment.NO_LONGER_READY, "2": Assessment.NEW_DATE}.get(reply.digits)
    if choice is None:
        return twiml(try_again(question, reply.attempt))
    draft.event_data["assessment"] = choice.value
    save(session, draft)
    return twiml(next_step(line, session, draft))


def _who_and_tries() -> tuple[str, int]:
    who = "doctor" if request.args.get("who") == "doctor" else "caller"
    tries = request.args.get("tries", "1")
    return who, int(tries) if tries.isdigit() and 1 <= int(tries) <= NAME_TRIES else 1


@bp.post("/name")
def name() -> Response:
    """A name said in Swedish (the doctor's or the caller's): read back, or after two misses recorded."""
    _params, line, session, draft = call_context()
    if not ready_for_data(draft):
        return restart()
    who, tries = _who_and_tries()
    reply = read_reply(steps.name_question(line, who, tries), request, silence_ok=True)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    heard = reply.speech if reply.confidence is None or reply.confidence >= MIN_CONFIDENCE else ""
    if not heard:
        return twiml(_name_not_heard(line, who, tries))
    draft.pending_name = heard[:200]
    save(session, draft)
    return twiml(ask(steps.heard_name_question(line, who, draft.pending_name, tries)))


@bp.post("/name/confirm")
def name_confirm() -> Response:
    """1: the name is right; 2: say it again (a second miss leads to a recording)."""
    _params, line, session, draft = call_context()
    if not ready_for_data(draft):
        return restart()
    who, tries = _who_and_tries()
    heard = draft.pending_name or (draft.event_data.get("doctor_name") if who == "doctor" else draft.caller_name) or ""
    question = steps.heard_name_question(line, who, heard, tries)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        return twiml(_name_not_heard(line, who, tries))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    if draft.pending_name is not None:
        if who == "doctor":
            draft.event_data["doctor_name"] = draft.pending_name
        else:
            draft.caller_name = draft.pending_name
        draft.pending_name = None
        save(session, draft)
    return twiml(next_step(line, session, draft))


def _name_not_heard(line: Line, who: str, tries: int) -> VoiceResponse:
    if tries < NAME_TRIES:
        return ask(steps.name_question(line, who, tries + 1), before=(prompt("report_name_not_heard"),))
    response = VoiceResponse()
    say(response, line.voice, "report_name_not_heard")
    say(response, line.voice, "report_record_doctor" if who == "doctor" else "report_record_name")
    target = url_for("report.name_recorded", who=who)
    response.record(action=target, max_length=6, timeout=4, finish_on_key="#", play_beep=True)
    response.redirect(target, method="POST")  # nothing recorded: go on without the name
    return response


@bp.post("/name/recorded")
def name_recorded() -> Response:
    """The name as a short recording (kept with the report), or none: go on either way."""
    _params, line, session, draft = call_context()
    if not ready_for_data(draft):
        return restart()
    who, _tries = _who_and_tries()
    url = request.form.get("RecordingUrl", "")[:500]
    if who == "doctor":
        draft.event_data["doctor_recording" if url else "doctor_name"] = url
    else:
        draft.caller_name_recording = url or None
        if not url:
            draft.caller_name = ""
    save(session, draft)
    return twiml(next_step(line, session, draft))
