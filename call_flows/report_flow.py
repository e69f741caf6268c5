"""The care-transition report (main-menu key 1): event, patient, receivers, event data, the caller's name,
summary → the report is registered → the caller is put through to each receiver, who presses 1 to accept.

The reporting unit is the caller's (from caller ID, announced at the greeting; keyed when the number is not in
the directory). What the caller keys is kept in the call's state (server-side, by CallSid), never in a URL or a
log; each URL names only the step. Nothing is stored as a report until the caller presses 1 at the summary,
and a Twilio retry of that request returns the stored report instead of registering it twice. Three failed
tries at a step put the caller through to the switchboard with the draft kept; a call from the same number
within half an hour is offered to go on with it (RESUME_WITHIN).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

from flask import request, url_for
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows import report_steps as steps
from call_flows.caller_unit import ask_for_code, known_unit
from call_flows.endpoints import SWITCHBOARD
from call_flows.gather import Ask, answer, ask, attempt_of, try_again
from call_flows.main_menu import main_menu_response
from call_flows.prompts import prompt
from call_flows.report_context import ReportCall, is_drill, local_today, report_call, require
from call_flows.report_details import next_step
from call_flows.speech import digits
from call_flows.twiml import say
from call_flows.webhook import CallParams, step, voice_blueprint
from directory.lookup import UnitRecord, find_unit_by_code, find_units_by_kind
from directory.names import hints_for, match_units
from directory.snapshot import UnitSnapshot, snapshot
from ivr.calls.service import note_call_seen
from ivr.calls.state import CallState, discard_state, purge_stale_states, resumable_state
from ivr.lines.models import Line
from ivr.notes import event_name
from ivr.reports.drafts import next_patient, resume, start_over, unfinished
from ivr.reports.events import EVENTS_BY_REPORTER, RECEIVERS_BY_REPORTER
from ivr.reports.personnummer import RESERVE_PREFIX, PatientNumberError, Refusal, parse_patient_number
from ivr.reports.service import recent_receiver_code
from ivr.web.context import now

bp = voice_blueprint("report", "/voice/report")
FLOW = "report"
STALE_STATES = timedelta(hours=6)  # longer than any call: a state whose call's end was never reported
PURGE_EVERY_SECONDS = 60.0  # how often a process looks for such states (a report's start is the occasion)
RESUME_WITHIN = timedelta(minutes=30)  # an unfinished report is offered again to a call from the same number
SAME_RECEIVER_WITHIN = timedelta(hours=8)  # "the same receiver as last time" within a working shift
NAME_MARGIN = 0.1  # a said name is taken only when no other comes this close to it


# ---- where the report stands ------------------------------------------------------------------------------


def continue_report(call: ReportCall, *, before: Sequence[str] = ()) -> VoiceResponse:
    """Ask for the first thing the report still lacks, from the reporting unit to the summary."""
    reporter = call.reporter
    if reporter is None:
        return ask_for_code(call.line, FLOW)
    draft = call.draft
    if draft.event is None:
        only = steps.only_event(reporter.kind)
        if only is None:
            return ask(steps.event_question(call.line, reporter.kind), before=before)
        draft.event = only.value
        call.save()
        before = (*before, prompt("report_only_event", event=event_name(only.value)))
    if draft.patient_number is None or not draft.patient_confirmed:
        return ask(steps.patient_question(call.line), before=before)
    plan = RECEIVERS_BY_REPORTER[reporter.kind]
    if not draft.receivers:
        return _ask_receiver(call, plan.primary, "primary", before=before)
    if plan.extra is not None and not draft.extra_asked:
        return ask(steps.extra_receiver_question(call.line, plan.extra), before=before)
    return next_step(call, before=before)


def _ask_receiver(call: ReportCall, kind: str, which: str, *, before: Sequence[str] = ()) -> VoiceResponse:
    """The receiver question; first "the same as last time?" when this unit reported to one of this kind lately."""
    unit = _last_receiver(call, kind)
    taken = {r.code for r in call.draft.receivers}
    if unit is not None and unit.code not in taken:
        return ask(steps.same_receiver_question(call.line, unit.name, which), before=before)
    return ask(receiver_question(call, kind, which), before=before)


def _last_receiver(call: ReportCall, kind: str) -> UnitRecord | None:
    """The receiver of this kind the caller's unit reported to within SAME_RECEIVER_WITHIN, if still listed."""
    code = recent_receiver_code(
        session=call.session,
        reporter_code=call.require_reporter().code,
        kind=kind,
        since=now() - SAME_RECEIVER_WITHIN,
    )
    return find_unit_by_code(session=call.session, code=code) if code else None


def receiver_question(call: ReportCall, kind: str, which: str) -> Ask:
    units = find_units_by_kind(session=call.session, kind=kind)
    return steps.receiver_question(call.line, kind, which, hints_for(units))


# ---- starting, resuming and giving up ---------------------------------------------------------------------


@step(bp, "")
def start() -> VoiceResponse:
    """Begin a report (again): the next patient of the call, or the first; the unit from caller ID."""
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
    if _purge_due():
        purge_stale_states(session=call.session, before=moment - STALE_STATES)
    if len(call.draft.registered) >= call.draft.position:
        next_patient(call.state, call.draft)  # the previous patient of this call is registered
    else:
        start_over(call.state, call.draft)
    known_unit(FLOW, call.state)
    call.save()
    before = [prompt("drill")] if is_drill(call.session, call.line, moment) else []
    return continue_report(call, before=before)


_purged_at: list[float] = []  # when this process last purged stale states (monotonic seconds)


def _purge_due() -> bool:
    """Whether this process should purge stale call states now: at most once a minute, not on every report."""
    moment = time.monotonic()
    if _purged_at and moment - _purged_at[-1] < PURGE_EVERY_SECONDS:
        return False
    _purged_at[:] = [moment]
    return True


@step(bp, "/go-on")
def go_on() -> VoiceResponse:
    """Ask for whatever the report still lacks (where the shared name step comes back to)."""
    return continue_report(report_call())


@step(bp, "/unit-known")
def after_unit() -> VoiceResponse:
    """The unit was keyed (a caller from an unknown number, or a correction at the summary): go on."""
    call = report_call()
    reporter = call.require_reporter()
    draft = call.draft
    if draft.event is not None and draft.event not in EVENTS_BY_REPORTER[reporter.kind]:
        start_over(call.state, draft)  # another kind of unit reports other events to other receivers
        call.save()
    return continue_report(call)


@step(bp, "/kept")
def kept() -> VoiceResponse:
    """Three failed tries: the draft stays (for a call back within half an hour) and the switchboard answers."""
    call = report_call()
    response = VoiceResponse()
    if call.draft.event is not None:
        say(response, call.line.voice, "report_kept")
    response.redirect(url_for(SWITCHBOARD), method="POST")
    return response


def resume_question(line: Line, left: CallState) -> Ask | None:
    """The offer to go on with an unfinished report an ended call from this number left, if there is one."""
    draft = unfinished(left)
    if draft is None:
        return None
    return Ask(
        endpoint="report.resume_choice",
        text=steps.resume_text(draft),
        voice=line.voice,
        values=(("left", left.call_sid),),
    )


def left_by_earlier_call(*, session: Session, params: CallParams, line: Line) -> CallState | None:
    """The state an ended call from this caller's number left on this line within RESUME_WITHIN, if any."""
    left = resumable_state(
        session=session,
        from_number=params.from_number,
        line_key=line.key,
        since=now() - RESUME_WITHIN,
        exclude_call_sid=params.call_sid,
    )
    return left if left is not None and unfinished(left) is not None else None


@step(bp, "/resume")
def resume_choice() -> VoiceResponse:
    """1 goes on with the earlier call's report where it stopped; 2 removes it; then the main menu."""
    call = report_call()
    left = left_by_earlier_call(session=call.session, params=call.params, line=call.line)
    if left is None or left.call_sid != request.args.get("left"):
        return main_menu_response()
    question = resume_question(call.line, left)
    if question is None:
        return main_menu_response()
    reply = answer(question)
    if reply.digits == "1":
        call.draft = resume(call.state, left)
        discard_state(session=call.session, call_sid=left.call_sid)
        call.save()
        return continue_report(call)
    if reply.digits == "2":
        discard_state(session=call.session, call_sid=left.call_sid)
        call.session.commit()
        return main_menu_response(before=(prompt("report_resume_removed"),))
    return try_again(question, reply.attempt)


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
    return continue_report(call)


@step(bp, "/patient")
def patient() -> VoiceResponse:
    """Twelve keyed digits (a personnummer or samordningsnummer, checked and read back on the way), or "*#" for
    a reserve number (or "*" and the number and #)."""
    call = report_call()
    question = steps.patient_question(call.line)
    reply = answer(question)
    keyed = reply.digits[:40]
    if keyed == RESERVE_PREFIX:
        return ask(steps.reserve_question(call.line))
    return _patient_keyed(call, question, keyed)


@step(bp, "/reserve")
def reserve() -> VoiceResponse:
    """A reserve number keyed after "*#"."""
    call = report_call()
    question = steps.reserve_question(call.line)
    reply = answer(question)
    return _patient_keyed(call, question, RESERVE_PREFIX + reply.digits[:40])


def _patient_keyed(call: ReportCall, question: Ask, keyed: str) -> VoiceResponse:
    try:
        number = parse_patient_number(keyed, today=local_today())
    except PatientNumberError as refused:
        reserve = keyed.startswith(RESERVE_PREFIX) and refused.reason is Refusal.FORMAT
        reason = "report_refused_reserve" if reserve else f"report_refused_{refused.reason.value}"
        return try_again(question, attempt_of(), reason=reason)
    draft = call.draft
    draft.patient_number, draft.patient_number_kind = number.number, number.kind.value
    if number.is_reserve:  # no check digit: confirmed with a key
        draft.patient_confirmed = False
        call.save()
        return ask(steps.reserve_readback_question(call.line, number.number))
    draft.patient_confirmed = True  # the check digit holds: read back on the way to the next question
    call.save()
    return continue_report(call, before=(steps.patient_heard(number.number, number.kind.value),))


@step(bp, "/patient/confirm")
def patient_confirm() -> VoiceResponse:
    """1: the reserve number read back is right; 2: key it again."""
    call = report_call()
    draft = call.draft
    require(draft.patient_number is not None)
    question = steps.reserve_readback_question(call.line, draft.patient_number or "")
    reply = answer(question)
    if reply.digits == "1":
        draft.patient_confirmed = True
        call.save()
        return continue_report(call)
    if reply.digits == "2":
        return ask(steps.patient_question(call.line))
    return try_again(question, reply.attempt)


# ---- receivers ----------------------------------------------------------------------------------------------


def _which() -> str:
    return "extra" if request.args.get("which") == "extra" else "primary"


def _receiver_kind(reporter_kind: str, which: str) -> str:
    plan = RECEIVERS_BY_REPORTER[reporter_kind]
    return plan.extra if which == "extra" and plan.extra else plan.primary


def _receiver_step() -> tuple[ReportCall, str, str]:
    """A receiver step's call, which receiver it asks for (primary or extra) and of what kind; a step reached
    before the event and the patient restarts the report."""
    call = report_call()
    reporter = call.require_reporter()
    require(call.draft.event is not None and call.draft.patient_confirmed)
    which = _which()
    return call, which, _receiver_kind(reporter.kind, which)


@step(bp, "/receiver/same")
def same_receiver() -> VoiceResponse:
    """1: the same receiver as in the unit's last report; 2: another one (said or keyed)."""
    call, which, kind = _receiver_step()
    unit = _last_receiver(call, kind)
    if unit is None:
        return ask(receiver_question(call, kind, which))
    question = steps.same_receiver_question(call.line, unit.name, which)
    reply = answer(question)
    if reply.digits == "2":
        return ask(receiver_question(call, kind, which))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    _add_receiver(call, snapshot(unit), which)
    return continue_report(call)


@step(bp, "/receiver")
def receiver() -> VoiceResponse:
    """A receiver said by name (matched to the directory) or keyed by code: read back before it is kept."""
    call, which, kind = _receiver_step()
    question = receiver_question(call, kind, which)
    reply = answer(question)
    if reply.digits:
        unit = find_unit_by_code(session=call.session, code=reply.digits[:6])
        if unit is None:
            return try_again(question, reply.attempt, reason="unknown_code", code=digits(reply.digits[:6]))
        if unit.kind != kind:
            wrong = {"unit": unit.name, "kind": prompt(f"report_kind_{kind}")}
            return try_again(question, reply.attempt, reason="report_receiver_not_kind", **wrong)
    else:
        matches = match_units(reply.speech, find_units_by_kind(session=call.session, kind=kind))
        best = [m for m in matches if m.score >= matches[0].score - NAME_MARGIN] if matches else []
        if not best:
            return try_again(question, reply.attempt, reason="report_receiver_not_found")
        if len(best) > 1:
            names = steps.several([m.name for m in best])
            return try_again(question, reply.attempt, reason="report_receiver_several", units=names)
        unit = find_unit_by_code(session=call.session, code=best[0].code)
        if unit is None:
            return try_again(question, reply.attempt, reason="report_receiver_not_found")
    call.draft.pending_receiver = snapshot(unit)
    call.save()
    return ask(steps.receiver_readback_question(call.line, unit.name, which))


def _add_receiver(call: ReportCall, unit: UnitSnapshot, which: str) -> None:
    draft = call.draft
    if unit.code not in {r.code for r in draft.receivers}:
        draft.receivers.append(unit)
    draft.pending_receiver = None
    if which == "extra":
        draft.extra_asked = True
    call.save()


@step(bp, "/receiver/confirm")
def receiver_confirm() -> VoiceResponse:
    """1: the receiver read back is right (then perhaps one more); 2: say or key another."""
    call, which, kind = _receiver_step()
    draft = call.draft
    pending = draft.pending_receiver
    if pending is None:
        return continue_report(call)
    question = steps.receiver_readback_question(call.line, pending.name, which)
    reply = answer(question)
    if reply.digits == "2":
        return ask(receiver_question(call, kind, which))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    _add_receiver(call, pending, which)
    return continue_report(call)


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
        return _ask_receiver(call, extra, "extra")
    if reply.digits == "2":
        call.draft.extra_asked = True
        call.save()
        return continue_report(call)
    return try_again(question, reply.attempt)
