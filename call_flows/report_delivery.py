"""Report flow: the summary, duplicates, registering, and putting the caller through to each receiver.

The receiver's answering person hears a whisper and presses 1 to accept: that is the acknowledgement.
"""

from __future__ import annotations

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.caller_unit import ask_for_code
from call_flows.gather import Ask, answer, ask, attempt_of, try_again
from call_flows.prompts import prompt
from call_flows.report_context import ReportCall, is_drill, ready_for_data, report_call, require, restart
from call_flows.report_flow import continue_report
from call_flows.twiml import hang_up, say, say_text
from call_flows.webhook import call_params, current_line, step, timezone, voice_blueprint
from directory.hours import parse_hours
from directory.lookup import find_unit_by_code
from ivr.calls.state import CALLER, DOCTOR
from ivr.liability.rules import liability_for
from ivr.lines.models import Line
from ivr.reports.drafts import start_over
from ivr.reports.models import Report
from ivr.reports.service import (
    NewReport,
    delivery,
    find_duplicate,
    find_registered,
    mark_acknowledged,
    mark_connected,
    mark_dialled,
    mark_outcome,
    official_time_of_call,
    register_report,
)
from ivr.web.context import now, runtime
from ivr.web.session import get_session

bp = voice_blueprint("report_delivery", "/voice/report")
DIAL_TIMEOUT = 25


# ---- summary, duplicates and registering ------------------------------------------------------------------


@step(bp, "/summary")
def summary() -> VoiceResponse:
    """1 registers the report; 2 offers what can be changed. Silence registers nothing and says so."""
    call = report_call()
    registered = find_registered(session=call.session, call_sid=call.params.call_sid, call_position=call.draft.position)
    if registered is not None:  # Twilio retried the request that registered it
        return _registered(call.line, registered)
    require(ready_for_data(call))
    question = steps.summary_question(call.line, call.state, call.draft, drill=is_drill(call.session, call.line, now()))
    reply = answer(question)
    if reply.digits == "2":
        return ask(steps.change_question(call.line, call.state, call.draft))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    earlier = _duplicate(call)
    if earlier is not None:
        codes = {d.receiver_code for d in earlier.deliveries}
        receiver = next((r.name for r in call.draft.receivers if r.code in codes), "")
        return ask(steps.duplicate_question(call.line, earlier, receiver, timezone=timezone(), now=now()))
    return _register(call)


@step(bp, "/change")
def change() -> VoiceResponse:
    """What the summary's 2 corrects: the unit, the patient, the receivers, the date, the doctor, the caller's
    name, or everything (start over). Each is asked again, then the summary again."""
    call = report_call()
    require(ready_for_data(call))
    draft, state = call.draft, call.state
    question = steps.change_question(call.line, state, draft)
    reply = answer(question)
    what = dict(steps.changes_offered(state, draft)).get(reply.digits)
    if what is None:
        return try_again(question, reply.attempt)
    if what == "unit":
        return ask_for_code(call.line, "report")
    if what == "patient":
        draft.patient_number, draft.patient_number_kind, draft.patient_confirmed = None, None, False
    elif what == "receivers":
        draft.receivers, draft.pending_receiver, draft.extra_asked = [], None, False
    elif what == "date":
        for field in ("estimated_discharge_date", "new_date", "sip_date"):
            draft.event_data.pop(field, None)
        draft.pending_date = None
    elif what == "doctor":
        state.forget_name(DOCTOR)
    elif what == "caller":
        state.forget_name(CALLER)
    else:
        start_over(state, draft)
    call.save()
    return continue_report(call)


def _duplicate(call: ReportCall) -> Report | None:
    draft = call.draft
    return find_duplicate(
        session=call.session,
        patient_number=draft.patient_number or "",
        event=draft.event or "",
        receiver_codes=[r.code for r in draft.receivers],
        drill=is_drill(call.session, call.line, now()),
        official_at=official_time_of_call(session=call.session, call_sid=call.params.call_sid),
        exclude_call_position=(call.params.call_sid, draft.position),
    )


@step(bp, "/duplicate")
def duplicate() -> VoiceResponse:
    """Already reported within 24 hours: 1 registers anyway (linked to the earlier one), 2 does not."""
    call = report_call()
    registered = find_registered(session=call.session, call_sid=call.params.call_sid, call_position=call.draft.position)
    if registered is not None:
        return _registered(call.line, registered)
    earlier = _duplicate(call) if ready_for_data(call) else None
    if earlier is None:
        return restart()
    question = steps.duplicate_question(call.line, earlier, "", timezone=timezone(), now=now())
    reply = answer(question)
    if reply.digits == "1":
        call.draft.duplicate_of = earlier.reference
        return _register(call)
    if reply.digits == "2":
        start_over(call.state, call.draft)
        call.save()
        return ask(steps.after_question(call.line), before=(prompt("report_not_registered"),))
    return try_again(question, reply.attempt)


def _register(call: ReportCall) -> VoiceResponse:
    draft, state, reporter = call.draft, call.state, call.require_reporter()
    assert draft.event is not None
    moment = now()
    report = register_report(
        session=call.session,
        new=NewReport(
            call_sid=call.params.call_sid,
            call_position=draft.position,
            line_key=call.line.key,
            drill=is_drill(call.session, call.line, moment),
            event=draft.event,
            reporter=reporter,
            patient_number=draft.patient_number or "",
            patient_number_kind=draft.patient_number_kind or "",
            receivers=list(draft.receivers),
            event_data=steps.event_data_of(state, draft),
            caller_name=state.names.get(CALLER) or None,
            caller_name_recording=state.recordings.get(CALLER),
            duplicate_of=draft.duplicate_of,
        ),
        caller_number=call.params.from_number,
        timezone=timezone(),
        now=moment,
    )
    if report.reference not in draft.registered:
        draft.registered.append(report.reference)
    # The report, its receivers, its receipts, the draft and the first receiver being dialled: one unit of work.
    call.save()
    return _registered(call.line, report)


def _registered(line: Line, report: Report) -> VoiceResponse:
    liability = liability_for(report, rules=runtime().liability_rules, timezone=timezone())
    return _deliver(steps.registered_texts(report, liability, timezone()), line, report, position=1)


# ---- connecting each receiver -----------------------------------------------------------------------------


def _deliver(said: list[str], line: Line, report: Report, *, position: int) -> VoiceResponse:
    """Put the caller through to the receiver at `position` if it is open; otherwise say it gets an SMS and go
    on to the next. What is said first (`said`) comes before the dial, or inside the closing question."""
    session = get_session()
    row = next((d for d in report.deliveries if d.position == position), None)
    if row is None:
        return ask(steps.after_question(line), before=said)
    moment = now()
    unit = find_unit_by_code(session=session, code=row.receiver_code)
    is_open = unit is not None and parse_hours(unit.hours).is_open(moment.astimezone(timezone()))
    if row.receiver_phone and is_open and row.acknowledged_at is None:
        mark_dialled(session=session, row=row, now=moment)
        session.commit()
        response = VoiceResponse()
        for text in (*said, prompt("report_connecting", unit=row.receiver_name)):
            say_text(response, line.voice, text)
        dial = response.dial(
            action=url_for("report_delivery.dialled", reference=report.reference, position=position),
            method="POST",
            timeout=DIAL_TIMEOUT,
        )
        dial.number(
            row.receiver_phone,
            url=url_for("report_delivery.whisper", reference=report.reference, position=position),
        )
        return response
    if row.acknowledged_at is None:
        mark_outcome(session=session, row=row, outcome="closed" if not is_open else "no_number")
        session.commit()
        said = [*said, prompt("report_receiver_closed", unit=row.receiver_name)]
    return _deliver(said, line, report, position=position + 1)


def _whisper_question(line: Line, report: Report, position: int) -> Ask:
    values = (("reference", report.reference), ("position", str(position)))
    return Ask(
        endpoint="report_delivery.whisper_answer", text=steps.whisper_text(report), voice=line.voice, values=values
    )


@step(bp, "/whisper/<reference>/<int:position>")
def whisper(reference: str, position: int) -> VoiceResponse:
    """The receiver answered: tell them who reports what, and ask them to press 1 to take the call."""
    params, line, session = call_params(), current_line(), get_session()
    row = delivery(session=session, reference=reference, position=position)
    if row is None or request.form.get("ParentCallSid", row.report.call_sid) != row.report.call_sid:
        return hang_up(line.voice)
    mark_connected(session=session, row=row, answered_call_sid=params.call_sid, now=now())
    session.commit()
    return ask(_whisper_question(line, row.report, position))


@step(bp, "/whisper/<reference>/<int:position>/answer")
def whisper_answer(reference: str, position: int) -> VoiceResponse:
    """1 accepts the report (stored as the receiver's acknowledgement) and bridges; anything else hangs up."""
    params, line, session = call_params(), current_line(), get_session()
    row = delivery(session=session, reference=reference, position=position)
    if row is None:
        return hang_up(line.voice)
    if params.digits == "1":
        mark_acknowledged(session=session, row=row, answered_call_sid=params.call_sid, now=now())
        session.commit()
        response = VoiceResponse()
        say(response, line.voice, "report_whisper_accepted")
        return response  # the whisper ends: Twilio bridges the call
    if attempt_of() < 2:
        return ask(_whisper_question(line, row.report, position), attempt=2)
    return hang_up(line.voice)


@step(bp, "/dialled/<reference>/<int:position>")
def dialled(reference: str, position: int) -> VoiceResponse:
    """After the receiver's leg: accepted → the next receiver; not → it gets the report by SMS."""
    params, line, session = call_params(), current_line(), get_session()
    row = delivery(session=session, reference=reference, position=position)
    if row is None or row.report.call_sid != params.call_sid:
        return restart()
    said = []
    if row.acknowledged_at is None:
        status = request.form.get("DialCallStatus", "")[:32]
        outcome = "not_accepted" if status in ("completed", "answered") else status.replace("-", "_")
        mark_outcome(session=session, row=row, outcome=outcome)
        session.commit()
        said.append(prompt("report_receiver_no_answer", unit=row.receiver_name))
    return _deliver(said, line, row.report, position=position + 1)


# ---- after a report ---------------------------------------------------------------------------------------


@step(bp, "/after")
def after() -> VoiceResponse:
    """1 reports another patient in the same call (same official time); 2 or silence ends the call."""
    line = current_line()
    question = steps.after_question(line)
    reply = answer(question, silence_ok=True)
    if reply.digits == "1":
        return restart()
    if reply.digits in ("", "2"):
        return hang_up(line.voice, "report_goodbye")
    return try_again(question, reply.attempt)
