"""Report flow: the summary, duplicates, registering, and putting the caller through to each receiver.

The receiver's answering person hears a whisper and presses 1 to accept: that is the acknowledgement.
"""

from __future__ import annotations

from flask import Response, request, url_for
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.lines import Line, current_line
from call_flows.navigation import Ask, ask, attempt_of, read_reply, try_again
from call_flows.report_context import bp, call_context, is_drill, local_zone, ready_for_data, restart, save
from call_flows.twiml import say, twiml
from call_flows.webhook import CallParams, read_call_params
from directory.hours import parse_hours
from directory.lookup import find_unit_by_code
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.reports.drafts import Draft, save_draft
from ivr.reports.models import Report
from ivr.reports.service import (
    NewReport,
    delivery,
    find_duplicate,
    find_registered,
    liability_for,
    mark_acknowledged,
    mark_connected,
    mark_dialled,
    mark_outcome,
    official_time_of_call,
    register_report,
)

DIAL_TIMEOUT = 25


# ---- summary, duplicates and registering ------------------------------------------------------------------


@bp.post("/summary")
def summary() -> Response:
    """1 registers the report; 2 starts it over from the event."""
    params, line, session, draft = call_context()
    registered = find_registered(session=session, call_sid=params.call_sid, call_position=draft.position)
    if registered is not None:  # Twilio retried the request that registered it
        return twiml(_registered(line, session, registered))
    if not ready_for_data(draft) or draft.reporter is None:
        return restart()
    question = steps.summary_question(line, draft, drill=is_drill(session, line, utcnow()))
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        draft.start_over()
        save(session, draft)
        return twiml(ask(steps.event_question(line, draft.reporter.kind)))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    earlier = _duplicate(params, session, draft)
    if earlier is not None:
        receiver = next(
            (r.name for r in draft.receivers if r.code in {d.receiver_code for d in earlier.deliveries}), ""
        )
        return twiml(ask(steps.duplicate_question(line, earlier, receiver, timezone=local_zone(), now=utcnow())))
    return twiml(_register(params, line, session, draft))


def _duplicate(params: CallParams, session: Session, draft: Draft) -> Report | None:
    return find_duplicate(
        session=session,
        patient_number=draft.patient_number or "",
        event=draft.event or "",
        receiver_codes=[r.code for r in draft.receivers],
        drill=is_drill(session, current_line(params), utcnow()),
        official_at=official_time_of_call(session=session, call_sid=params.call_sid),
        exclude_call_position=(params.call_sid, draft.position),
    )


@bp.post("/duplicate")
def duplicate() -> Response:
    """Already reported within 24 hours: 1 registers anyway (linked to the earlier one), 2 does not."""
    params, line, session, draft = call_context()
    registered = find_registered(session=session, call_sid=params.call_sid, call_position=draft.position)
    if registered is not None:
        return twiml(_registered(line, session, registered))
    earlier = _duplicate(params, session, draft) if ready_for_data(draft) else None
    if earlier is None:
        return restart()
    question = steps.duplicate_question(line, earlier, "", timezone=local_zone(), now=utcnow())
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        draft.duplicate_of = earlier.reference
        return twiml(_register(params, line, session, draft))
    if reply.digits == "2":
        draft.start_over()
        save(session, draft)
        response = VoiceResponse()
        say(response, line.voice, "report_not_registered")
        return twiml(ask(steps.after_question(line), response=response))
    return twiml(try_again(question, reply.attempt))


def _register(params: CallParams, line: Line, session: Session, draft: Draft) -> VoiceResponse:
    assert draft.reporter is not None and draft.event is not None
    now = utcnow()
    report = register_report(
        session=session,
        new=NewReport(
            call_sid=params.call_sid,
            call_position=draft.position,
            line_key=line.key,
            drill=is_drill(session, line, now),
            event=draft.event,
            reporter=draft.reporter,
            patient_number=draft.patient_number or "",
            patient_number_kind=draft.patient_number_kind or "",
            receivers=list(draft.receivers),
            event_data=steps.event_data_of(draft),
            caller_name=draft.caller_name or None,
            caller_name_recording=draft.caller_name_recording,
            duplicate_of=draft.duplicate_of,
        ),
        caller_number=params.from_number,
        timezone=local_zone(),
        now=now,
    )
    if report.reference not in draft.registered:
        draft.registered.append(report.reference)
    save_draft(session=session, draft=draft, now=now)
    session.commit()  # the report, its receivers, its receipts and the draft: one unit of work
    return _registered(line, session, report)


def _registered(line: Line, session: Session, report: Report) -> VoiceResponse:
    response = VoiceResponse()
    for text in steps.registered_texts(report, liability_for(report, timezone=local_zone()), local_zone()):
        response.say(text, voice=line.voice.voice, language=line.voice.language)
    return _deliver(response, line, session, report, position=1)


# ---- connecting each receiver -----------------------------------------------------------------------------


def _deliver(response: VoiceResponse, line: Line, session: Session, report: Report, *, position: int) -> VoiceResponse:
    """Put the caller through to the receiver at `position` if it is open; otherwise say it gets an SMS."""
    row = next((d for d in report.deliveries if d.position == position), None)
    if row is None:
        return ask(steps.after_question(line), response=response)
    now = utcnow()
    unit = find_unit_by_code(session=session, code=row.receiver_code)
    is_open = unit is not None and parse_hours(unit.hours).is_open(now.astimezone(local_zone()))
    if row.receiver_phone and is_open and row.acknowledged_at is None:
        mark_dialled(row, now=now)
        session.commit()
        say(response, line.voice, "report_connecting", unit=row.receiver_name)
        dial = response.dial(
            action=url_for("report.dialled", reference=report.reference, position=position),
            method="POST",
            timeout=DIAL_TIMEOUT,
        )
        dial.number(row.receiver_phone, url=url_for("report.whisper", reference=report.reference, position=position))
        return response
    if row.acknowledged_at is None:
        mark_outcome(row, outcome="closed" if not is_open else "no_number")
        session.commit()
        say(response, line.voice, "report_receiver_closed", unit=row.receiver_name)
        say(response, line.voice, "report_by_sms")
    return _deliver(response, line, session, report, position=position + 1)


def _whisper_question(line: Line, report: Report, position: int) -> Ask:
    values = (("reference", report.reference), ("position", str(position)))
    return Ask(endpoint="report.whisper_answer", text=steps.whisper_text(report), voice=line.voice, values=values)


@bp.post("/whisper/<reference>/<int:position>")
def whisper(reference: str, position: int) -> Response:
    """The receiver answered: tell them who reports what, and ask them to press 1 to take the call."""
    params = read_call_params(request)
    line, session = current_line(params), get_session()
    row = delivery(session=session, reference=reference, position=position)
    response = VoiceResponse()
    if row is None or request.form.get("ParentCallSid", row.report.call_sid) != row.report.call_sid:
        response.hangup()
        return twiml(response)
    mark_connected(row, answered_call_sid=params.call_sid, now=utcnow())
    session.commit()
    return twiml(ask(_whisper_question(line, row.report, position)))


@bp.post("/whisper/<reference>/<int:position>/answer")
def whisper_answer(reference: str, position: int) -> Response:
    """1 accepts the report (stored as the receiver's acknowledgement) and bridges; anything else hangs up."""
    params = read_call_params(request)
    line, session = current_line(params), get_session()
    row = delivery(session=session, reference=reference, position=position)
    response = VoiceResponse()
    if row is None:
        response.hangup()
        return twiml(response)
    keyed = request.form.get("Digits", "")
    if keyed == "1":
        mark_acknowledged(row, answered_call_sid=params.call_sid, now=utcnow())
        session.commit()
        say(response, line.voice, "report_whisper_accepted")
        return twiml(response)  # the whisper ends: Twilio bridges the call
    if attempt_of(request) < 2:
        return twiml(ask(_whisper_question(line, row.report, position), attempt=2))
    response.hangup()
    return twiml(response)


@bp.post("/dialled/<reference>/<int:position>")
def dialled(reference: str, position: int) -> Response:
    """After the receiver's leg: accepted → the next receiver; not → it gets the report by SMS."""
    params = read_call_params(request)
    line, session = current_line(params), get_session()
    row = delivery(session=session, reference=reference, position=position)
    if row is None or row.report.call_sid != params.call_sid:
        return restart()
    response = VoiceResponse()
    if row.acknowledged_at is None:
        status = request.form.get("DialCallStatus", "")
        mark_outcome(row, outcome="not_accepted" if status in ("completed", "answered") else status.replace("-", "_"))
        session.commit()
        say(response, line.voice, "report_receiver_no_answer", unit=row.receiver_name)
        say(response, line.voice, "report_by_sms")
    return twiml(_deliver(response, line, session, row.report, position=position + 1))


# ---- after a report ---------------------------------------------------------------------------------------


@bp.post("/after")
def after() -> Response:
    """1 reports another patient in the same call (same official time); 2 or silence ends the call."""
    _params, line, _session, _draft = call_context()
    question = steps.after_question(line)
    reply = read_reply(question, request, silence_ok=True)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        return restart()
    if reply.digits in ("", "2"):
        response = VoiceResponse()
        say(response, line.voice, "report_goodbye")
        response.hangup()
        return twiml(response)
    return twiml(try_again(question, reply.attempt))
