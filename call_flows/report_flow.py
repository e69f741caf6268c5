"""The care-transition report (main-menu key 1): reporter, event, patient, receivers, event data, caller's name,
summary → the report is registered → the caller is put through to each receiver, who presses 1 to accept.

What the caller keys is kept on the call's draft (server-side, by CallSid), never in a URL or a log; each URL
names only the step. Nothing is stored as a report until the caller presses 1 at the summary, and a Twilio
retry of that request returns the stored report instead of registering it twice.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_delivery as _delivery  # noqa: F401  (registers the summary, connect and whisper steps)
from call_flows import report_steps as steps
from call_flows.lines import Line
from call_flows.navigation import Ask, ask, attempt_of, read_reply, to_switchboard, try_again
from call_flows.prompts import prompt
from call_flows.report_context import bp, call_context, is_drill, local_today, restart, save
from call_flows.report_details import next_step
from call_flows.speech import digits
from call_flows.twiml import say, twiml
from directory.lookup import find_unit_by_code, find_unit_by_number
from ivr.calls import note_call_seen
from ivr.clock import utcnow
from ivr.reports.drafts import Draft, purge_stale_drafts
from ivr.reports.events import RECEIVERS_BY_REPORTER, REPORTER_KINDS
from ivr.reports.personnummer import PatientNumberError, Refusal, parse_patient_number
from ivr.reports.service import snapshot

__all__ = ["bp"]
STALE_DRAFTS = timedelta(hours=6)  # longer than any call: a draft whose end was never reported

# ---- reporter ---------------------------------------------------------------------------------------------


@bp.post("")
def start() -> Response:
    """Begin a report (again): the reporter from caller ID or a keyed code; a known reporter goes to the event."""
    params, line, session, draft = call_context()
    now = utcnow()
    note_call_seen(
        session=session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=now,
    )
    purge_stale_drafts(session=session, before=now - STALE_DRAFTS)
    if len(draft.registered) >= draft.position:
        draft.next_patient()  # the previous patient of this call is registered
    else:
        draft.start_over()
    response = VoiceResponse()
    if draft.reporter is not None:
        save(session, draft)
        return twiml(ask(steps.event_question(line, draft.reporter.kind), response=response))
    say(response, line.voice, "report_intro")
    if is_drill(session, line, now):
        say(response, line.voice, "drill")
    unit = find_unit_by_number(session=session, number=params.from_number)
    if unit is not None and unit.kind in REPORTER_KINDS:
        draft.pending_reporter = snapshot(unit)
        save(session, draft)
        return twiml(ask(steps.unit_from_caller_question(line, unit.name), response=response))
    save(session, draft)
    return twiml(ask(steps.unit_code_question(line), response=response))


@bp.post("/unit/confirm")
def unit_confirm() -> Response:
    """1: the unit found from caller ID is right; 2: key another unit's code."""
    _params, line, session, draft = call_context()
    if draft.pending_reporter is None and draft.reporter is None:
        return restart()
    name = (draft.pending_reporter or draft.reporter).name  # type: ignore[union-attr]
    return twiml(_reporter_answer(steps.unit_from_caller_question(line, name), line, session, draft))


@bp.post("/unit/code")
def unit_code() -> Response:
    """A keyed unit code: read the unit back, or say why it cannot report."""
    _params, line, session, draft = call_context()
    question = steps.unit_code_question(line)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    unit = find_unit_by_code(session=session, code=reply.digits)
    if unit is None:
        return twiml(try_again(question, reply.attempt, reason="unknown_code", code=digits(reply.digits)))
    if unit.kind not in REPORTER_KINDS:
        return twiml(try_again(question, reply.attempt, reason="report_unit_cannot_report", unit=unit.name))
    draft.pending_reporter = snapshot(unit)
    save(session, draft)
    return twiml(ask(steps.unit_readback_question(line, unit.name)))


@bp.post("/unit/code/confirm")
def unit_code_confirm() -> Response:
    """1: the keyed unit is right; 2: key the code again."""
    _params, line, session, draft = call_context()
    if draft.pending_reporter is None and draft.reporter is None:
        return restart()
    name = (draft.pending_reporter or draft.reporter).name  # type: ignore[union-attr]
    return twiml(_reporter_answer(steps.unit_readback_question(line, name), line, session, draft))


def _reporter_answer(question: Ask, line: Line, session: Session, draft: Draft) -> VoiceResponse:
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return reply
    if reply.digits == "1":
        if draft.pending_reporter is not None:
            draft.reporter, draft.pending_reporter = draft.pending_reporter, None
            save(session, draft)
        assert draft.reporter is not None
        return ask(steps.event_question(line, draft.reporter.kind))
    if reply.digits == "2":
        return ask(steps.unit_code_question(line))
    return try_again(question, reply.attempt)


# ---- event and patient --------------------------------------------------------------------------------------


@bp.post("/event")
def event() -> Response:
    """The event key, from the reporter's own menu."""
    _params, line, session, draft = call_context()
    if draft.reporter is None:
        return restart()
    question = steps.event_question(line, draft.reporter.kind)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    chosen = steps.event_for_key(draft.reporter.kind, reply.digits)
    if chosen is None:
        return twiml(try_again(question, reply.attempt))
    draft.event = chosen.value
    save(session, draft)
    return twiml(ask(steps.patient_question(line)))


@bp.post("/patient")
def patient() -> Response:
    """The keyed personnummer, samordningsnummer or (after *) reserve number: validated, then read back."""
    _params, line, session, draft = call_context()
    question = steps.patient_question(line)
    attempt = attempt_of(request)
    keyed = request.form.get("Digits", "")[:40]
    # Not read_reply: here * starts a reserve number instead of repeating the question.
    if keyed == "0":
        return twiml(to_switchboard())
    if not keyed:
        return twiml(try_again(question, attempt, reason="no_input"))
    try:
        number = parse_patient_number(keyed, today=local_today())
    except PatientNumberError as refused:
        reserve = keyed.startswith("*") and refused.reason is Refusal.FORMAT
        reason = "report_refused_reserve" if reserve else f"report_refused_{refused.reason.value}"
        return twiml(try_again(question, attempt, reason=reason))
    draft.patient_number, draft.patient_number_kind = number.number, number.kind.value
    draft.patient_confirmed = False
    save(session, draft)
    return twiml(ask(steps.patient_readback_question(line, number.number, number.kind.value)))


@bp.post("/patient/confirm")
def patient_confirm() -> Response:
    """1: the number read back is right; 2: key it again."""
    _params, line, session, draft = call_context()
    if draft.patient_number is None or draft.patient_number_kind is None or draft.reporter is None:
        return restart()
    question = steps.patient_readback_question(line, draft.patient_number, draft.patient_number_kind)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        draft.patient_confirmed = True
        save(session, draft)
        if draft.receivers:
            return twiml(next_step(line, session, draft))
        plan = RECEIVERS_BY_REPORTER[draft.reporter.kind]
        return twiml(ask(steps.receiver_question(line, plan.primary, "primary")))
    if reply.digits == "2":
        return twiml(ask(steps.patient_question(line)))
    return twiml(try_again(question, reply.attempt))


# ---- receivers ----------------------------------------------------------------------------------------------


def _receiver_kind(draft: Draft, which: str) -> str:
    assert draft.reporter is not None
    plan = RECEIVERS_BY_REPORTER[draft.reporter.kind]
    return plan.extra if which == "extra" and plan.extra else plan.primary


@bp.post("/receiver")
def receiver() -> Response:
    """A receiver's code (a municipality's official 4-digit code): read its name back."""
    _params, line, session, draft = call_context()
    if draft.reporter is None or not draft.patient_confirmed:
        return restart()
    which = "extra" if request.args.get("which") == "extra" else "primary"
    kind = _receiver_kind(draft, which)
    question = steps.receiver_question(line, kind, which)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    unit = find_unit_by_code(session=session, code=reply.digits)
    if unit is None:
        return twiml(try_again(question, reply.attempt, reason="unknown_code", code=digits(reply.digits)))
    if unit.kind != kind:
        wrong = {"unit": unit.name, "kind": prompt(f"report_kind_{kind}")}
        return twiml(try_again(question, reply.attempt, reason="report_receiver_not_kind", **wrong))
    draft.pending_receiver = snapshot(unit)
    save(session, draft)
    return twiml(ask(steps.receiver_readback_question(line, unit.name, which)))


@bp.post("/receiver/confirm")
def receiver_confirm() -> Response:
    """1: the receiver is right (then perhaps one more); 2: key another code."""
    _params, line, session, draft = call_context()
    if draft.reporter is None or (draft.pending_receiver is None and not draft.receivers):
        return restart()
    which = "extra" if request.args.get("which") == "extra" else "primary"
    kind = _receiver_kind(draft, which)
    name = draft.pending_receiver.name if draft.pending_receiver else draft.receivers[-1].name
    question = steps.receiver_readback_question(line, name, which)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "2":
        return twiml(ask(steps.receiver_question(line, kind, which)))
    if reply.digits != "1":
        return twiml(try_again(question, reply.attempt))
    pending = draft.pending_receiver
    if pending is not None:
        if pending.code not in {r.code for r in draft.receivers}:
            draft.receivers.append(pending)
        draft.pending_receiver = None
        save(session, draft)
    extra = RECEIVERS_BY_REPORTER[draft.reporter.kind].extra
    if which == "primary" and extra is not None:
        return twiml(ask(steps.extra_receiver_question(line, extra)))
    return twiml(next_step(line, session, draft))


@bp.post("/receiver/extra")
def extra_receiver() -> Response:
    """1: the report also goes to an outpatient unit (or a ward); 2: no more receivers."""
    _params, line, session, draft = call_context()
    if draft.reporter is None or not draft.receivers:
        return restart()
    extra = _receiver_kind(draft, "extra")
    question = steps.extra_receiver_question(line, extra)
    reply = read_reply(question, request)
    if isinstance(reply, VoiceResponse):
        return twiml(reply)
    if reply.digits == "1":
        return twiml(ask(steps.receiver_question(line, extra, "extra")))
    if reply.digits == "2":
        return twiml(next_step(line, session, draft))
    return twiml(try_again(question, reply.attempt))
