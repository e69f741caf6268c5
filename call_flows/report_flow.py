"""The care-transition report (main-menu key 1): reporter, event, patient, receivers, event data, caller's name,
summary → the report is registered → the caller is put through to each receiver, who presses 1 to accept.

What the caller keys is kept in the call's state (server-side, by CallSid), never in a URL or a log; each URL
names only the step. Nothing is stored as a report until the caller presses 1 at the summary, and a Twilio
retry of that request returns the stored report instead of registering it twice.
"""

from __future__ import annotations

from datetime import timedelta

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.caller_unit import ask_for_unit
from call_flows.gather import answer, ask, attempt_of, try_again
from call_flows.prompts import prompt
from call_flows.report_context import is_drill, local_today, report_call, require
from call_flows.report_details import next_step
from call_flows.speech import digits
from call_flows.twiml import say
from call_flows.webhook import step, voice_blueprint
from directory.lookup import find_unit_by_code
from directory.snapshot import snapshot
from ivr.calls.service import note_call_seen
from ivr.calls.state import purge_stale_states
from ivr.reports.drafts import next_patient, start_over
from ivr.reports.events import RECEIVERS_BY_REPORTER
from ivr.reports.personnummer import PatientNumberError, Refusal, parse_patient_number
from ivr.web.context import now

bp = voice_blueprint("report", "/voice/report")
FLOW = "report"
STALE_STATES = timedelta(hours=6)  # longer than any call: a state whose call's end was never reported

# ---- reporter ---------------------------------------------------------------------------------------------


@step(bp, "")
def start() -> VoiceResponse:
    """Begin a report (again): the reporter from caller ID or a keyed code; a known reporter goes to the event."""
    call = report_call()
    params, moment = call.params, now()
    note_call_seen(
        session=call.session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=moment,
    )
    purge_stale_states(session=call.session, before=moment - STALE_STATES)
    if len(call.draft.registered) >= call.draft.position:
        next_patient(call.state, call.draft)  # the previous patient of this call is registered
    else:
        start_over(call.state, call.draft)
    call.save()
    if call.reporter is not None:
        return ask(steps.event_question(call.line, call.reporter.kind))
    response = VoiceResponse()
    say(response, call.line.voice, "report_intro")
    if is_drill(call.session, call.line, moment):
        say(response, call.line.voice, "drill")
    return ask_for_unit(call.line, FLOW, response=response)


@step(bp, "/event/menu")
def event_menu() -> VoiceResponse:
    """The reporter's event menu (after the unit is confirmed)."""
    call = report_call()
    return ask(steps.event_question(call.line, call.require_reporter().kind))


# ---- event and patient --------------------------------------------------------------------------------------


@step(bp, "/event")
def event() -> VoiceResponse:
    """The event key, from the reporter's own menu."""
    call = report_call()
    reporter = call.require_reporter()
    question = steps.event_question(call.line, reporter.kind)
    reply = answer(question)
    chosen = steps.event_for_key(reporter.kind, reply.digits)
    if chosen is None:
        return try_again(question, reply.attempt)
    call.draft.event = chosen.value
    call.save()
    return ask(steps.patient_question(call.line))


@step(bp, "/patient")
def patient() -> VoiceResponse:
    """The keyed personnummer, samordningsnummer or (after *) reserve number: validated, then read back."""
    call = report_call()
    question = steps.patient_question(call.line)
    reply = answer(question)
    keyed = reply.digits[:40]
    try:
        number = parse_patient_number(keyed, today=local_today())
    except PatientNumberError as refused:
        reserve = keyed.startswith("*") and refused.reason is Refusal.FORMAT
        reason = "report_refused_reserve" if reserve else f"report_refused_{refused.reason.value}"
        return try_again(question, attempt_of(), reason=reason)
    call.draft.patient_number, call.draft.patient_number_kind = number.number, number.kind.value
    call.draft.patient_confirmed = False
    call.save()
    return ask(steps.patient_readback_question(call.line, number.number, number.kind.value))


@step(bp, "/patient/confirm")
def patient_confirm() -> VoiceResponse:
    """1: the number read back is right; 2: key it again."""
    call = report_call()
    draft, reporter = call.draft, call.require_reporter()
    number, kind = draft.patient_number, draft.patient_number_kind
    require(number is not None and kind is not None)
    question = steps.patient_readback_question(call.line, number or "", kind or "")
    reply = answer(question)
    if reply.digits == "1":
        draft.patient_confirmed = True
        call.save()
        if draft.receivers:
            return next_step(call)
        plan = RECEIVERS_BY_REPORTER[reporter.kind]
        return ask(steps.receiver_question(call.line, plan.primary, "primary"))
    if reply.digits == "2":
        return ask(steps.patient_question(call.line))
    return try_again(question, reply.attempt)


# ---- receivers ----------------------------------------------------------------------------------------------


def _which() -> str:
    return "extra" if request.args.get("which") == "extra" else "primary"


def _receiver_kind(reporter_kind: str, which: str) -> str:
    plan = RECEIVERS_BY_REPORTER[reporter_kind]
    return plan.extra if which == "extra" and plan.extra else plan.primary


@step(bp, "/receiver")
def receiver() -> VoiceResponse:
    """A receiver's code (a municipality's official 4-digit code): read its name back."""
    call = report_call()
    reporter = call.require_reporter()
    require(call.draft.patient_confirmed)
    which = _which()
    kind = _receiver_kind(reporter.kind, which)
    question = steps.receiver_question(call.line, kind, which)
    reply = answer(question)
    unit = find_unit_by_code(session=call.session, code=reply.digits[:6])
    if unit is None:
        return try_again(question, reply.attempt, reason="unknown_code", code=digits(reply.digits[:6]))
    if unit.kind != kind:
        wrong = {"unit": unit.name, "kind": prompt(f"report_kind_{kind}")}
        return try_again(question, reply.attempt, reason="report_receiver_not_kind", **wrong)
    call.draft.pending_receiver = snapshot(unit)
    call.save()
    return ask(steps.receiver_readback_question(call.line, unit.name, which))


@step(bp, "/receiver/confirm")
def receiver_confirm() -> VoiceResponse:
    """1: the receiver is right (then perhaps one more); 2: key another code."""
    call = report_call()
    draft, reporter = call.draft, call.require_reporter()
    require(draft.pending_receiver is not None or bool(draft.receivers))
    which = _which()
    kind = _receiver_kind(reporter.kind, which)
    name = draft.pending_receiver.name if draft.pending_receiver else draft.receivers[-1].name
    question = steps.receiver_readback_question(call.line, name, which)
    reply = answer(question)
    if reply.digits == "2":
        return ask(steps.receiver_question(call.line, kind, which))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    pending = draft.pending_receiver
    if pending is not None:
        if pending.code not in {r.code for r in draft.receivers}:
            draft.receivers.append(pending)
        draft.pending_receiver = None
        call.save()
    extra = RECEIVERS_BY_REPORTER[reporter.kind].extra
    if which == "primary" and extra is not None:
        return ask(steps.extra_receiver_question(call.line, extra))
    return next_step(call)


@step(bp, "/receiver/extra")
def extra_receiver() -> VoiceResponse:
    """1: the report also goes to an outpatient unit (or a ward); 2: no more receivers."""
    call = report_call()
    reporter = call.require_reporter()
    require(bool(call.draft.receivers))
    extra = _receiver_kind(reporter.kind, "extra")
    question = steps.extra_receiver_question(call.line, extra)
    reply = answer(question)
    if reply.digits == "1":
        return ask(steps.receiver_question(call.line, extra, "extra"))
    if reply.digits == "2":
        return next_step(call)
    return try_again(question, reply.attempt)
