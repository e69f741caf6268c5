"""The questions and read-backs of the report flow: what the caller hears at each step, built from the draft.

The views in report_flow.py, report_details.py and report_delivery.py decide which step comes next; this module
only says things. Every question is said inside its <Gather>; what must be heard first (a read-back of the
number just keyed) goes in front of it, inside the same <Gather>, so a caller who knows the way never waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from call_flows.endpoints import MAIN_MENU
from call_flows.gather import Ask, choices_text, yes_no
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digit_groups, in_pairs, reference, spoken_date, spoken_date_with_year
from ivr.calls.state import CALLER, DOCTOR, CallState
from ivr.liability.rules import LiabilityStart
from ivr.lines.models import Line
from ivr.notes import event_name
from ivr.reports.drafts import Draft
from ivr.reports.events import EVENTS, EVENTS_BY_REPORTER, Assessment, Event
from ivr.reports.models import Report
from ivr.reports.personnummer import NumberKind, PatientNumber

CODE_TIMEOUT = 8
NUMBER_TIMEOUT = 8  # also the pause allowed between two keys of a number
KEPT = "report.kept"  # where three failed tries lead once something was keyed: the switchboard, the draft kept


def _yes_no(endpoint: str, line: Line, text: str, *, give_up: str = KEPT, **values: str) -> Ask:
    return Ask(endpoint=endpoint, text=yes_no(text), voice=line.voice, give_up=give_up, values=tuple(values.items()))


# ---- event ---------------------------------------------------------------------------------------------


def event_question(line: Line, reporter_kind: str) -> Ask:
    events = EVENTS_BY_REPORTER[reporter_kind]
    choices = [(str(key), event_name(event)) for key, event in enumerate(events, start=1)]
    return Ask(endpoint="report.event", text=choices_text(choices), voice=line.voice, give_up=MAIN_MENU)


def only_event(reporter_kind: str) -> Event | None:
    """The event of a reporter that reports only one (a municipality: ready for home), asked without a menu."""
    events = EVENTS_BY_REPORTER[reporter_kind]
    return events[0] if len(events) == 1 else None


def event_for_key(reporter_kind: str, key: str) -> Event | None:
    """The event behind a key of the reporter's event menu."""
    events = EVENTS_BY_REPORTER.get(reporter_kind, ())
    return events[int(key) - 1] if key.isdigit() and 1 <= int(key) <= len(events) else None


# ---- patient --------------------------------------------------------------------------------------------

PATIENT_DIGITS = 12


def patient_question(line: Line) -> Ask:
    # Twelve digits end the question by themselves; "*#" asks for a reserve number instead.
    return Ask(
        endpoint="report.patient",
        text=prompt("report_ask_patient"),
        voice=line.voice,
        num_digits=PATIENT_DIGITS,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT,
        give_up=KEPT,
        star_repeats=False,  # * starts a reserve number here
    )


def reserve_question(line: Line) -> Ask:
    return Ask(
        endpoint="report.reserve",
        text=prompt("report_ask_reserve"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT,
        give_up=KEPT,
    )


def spoken_number(number: str, kind: str) -> str:
    """A patient number read back in pairs: year, month, day, the last four (a reserve number in fours)."""
    patient = PatientNumber(number=number, kind=NumberKind(kind))
    return digit_groups(number, patient.groups)


def patient_heard(number: str, kind: str) -> str:
    """The implicit read-back of a checked personnummer, said in front of the next question."""
    return prompt("report_patient_heard", kind=kind.capitalize(), number=spoken_number(number, kind))


def reserve_readback_question(line: Line, number: str) -> Ask:
    # A reserve number has no check digit: it is read back and confirmed.
    text = prompt("report_patient_readback", number=spoken_number(number, NumberKind.RESERVNUMMER.value))
    return _yes_no("report.patient_confirm", line, text)


# ---- receivers ------------------------------------------------------------------------------------------


def receiver_question(line: Line, kind: str, which: str, hints: str) -> Ask:
    return Ask(
        endpoint="report.receiver",
        text=prompt(f"report_ask_receiver_{kind}"),
        voice=line.voice,
        num_digits=4 if kind == "municipality" else None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
        speech=True,
        hints=hints,
        give_up=KEPT,
        values=(("which", which),),
    )


def same_receiver_question(line: Line, name: str, which: str) -> Ask:
    text = prompt("report_same_receiver", unit=name)
    return Ask(endpoint="report.same_receiver", text=text, voice=line.voice, give_up=KEPT, values=(("which", which),))


def receiver_readback_question(line: Line, unit_name: str, which: str) -> Ask:
    return _yes_no("report.receiver_confirm", line, prompt("report_receiver_readback", unit=unit_name), which=which)


def extra_receiver_question(line: Line, kind: str) -> Ask:
    return _yes_no("report.extra_receiver", line, prompt(f"report_ask_extra_receiver_{kind}"))


def several(names: Sequence[str]) -> str:
    """Names as a spoken list: "A, B och C"."""
    shown = list(names)[:3]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} och {shown[-1]}"


# ---- event data -----------------------------------------------------------------------------------------


def has_date_question(line: Line) -> Ask:
    return _yes_no("report_details.has_date", line, prompt("report_ask_has_date"))


def date_question(line: Line, field: str) -> Ask:
    return Ask(
        endpoint="report_details.date_keyed",
        text=prompt(f"report_ask_date_{field}"),
        voice=line.voice,
        num_digits=8,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT,
        give_up=KEPT,
    )


def date_readback_question(line: Line, day: date) -> Ask:
    text = prompt("report_date_readback", date=spoken_date_with_year(day).capitalize())
    return _yes_no("report_details.date_confirm", line, text)


def assessment_question(line: Line) -> Ask:
    return Ask(
        endpoint="report_details.assessment", text=prompt("report_ask_assessment"), voice=line.voice, give_up=KEPT
    )


# ---- summary, corrections, duplicates, after registering -----------------------------------------------


def summary_text(state: CallState, draft: Draft) -> str:
    """What will be registered, in short: the event, the receivers, the dates and the doctor. (The number was
    read back when it was keyed, the unit at the greeting and the name when it was said.)"""
    parts = [prompt("report_summary", event=event_name(draft.event), receivers=receiver_names(draft))]
    data = draft.event_data
    if data.get("assessment") == Assessment.NO_LONGER_READY:
        parts.append(prompt("report_summary_no_longer_ready"))
    for field in ("estimated_discharge_date", "new_date", "sip_date"):
        if data.get(field):
            spoken = spoken_date(date.fromisoformat(data[field]))
            parts.append(prompt(f"report_summary_{field}", date=spoken))
    if state.names.get(DOCTOR):
        parts.append(prompt("report_summary_doctor", name=state.names[DOCTOR]))
    elif state.recordings.get(DOCTOR):
        parts.append(prompt("report_summary_doctor_recorded"))
    return " ".join(parts)


def receiver_names(draft: Draft) -> str:
    names = [r.name for r in draft.receivers]
    return " och ".join(names)


def summary_question(line: Line, state: CallState, draft: Draft, *, drill: bool) -> Ask:
    before = [prompt("drill")] if drill else []
    text = " ".join((*before, summary_text(state, draft), prompt("report_summary_choice")))
    return Ask(
        endpoint="report_delivery.summary",
        text=text,
        voice=line.voice,
        give_up=KEPT,
        silence_reason="report_not_registered_yet",  # silence never registers; the caller is told so
    )


CHANGES: tuple[tuple[str, str], ...] = (
    ("1", "unit"),
    ("2", "patient"),
    ("3", "receivers"),
    ("4", "date"),
    ("5", "doctor"),
    ("6", "caller"),
    ("9", "start_over"),
)


def changes_offered(state: CallState, draft: Draft) -> list[tuple[str, str]]:
    """The corrections the summary's 2 offers, as (key, what): only what this report has."""
    spec = EVENTS[Event(draft.event or "")]
    has = {
        "unit": True,
        "patient": True,
        "receivers": True,
        "date": any(draft.event_data.get(f) for f in ("estimated_discharge_date", "new_date", "sip_date")),
        "doctor": spec.asks_doctor,
        "caller": bool(state.names.get(CALLER) or state.recordings.get(CALLER)),
        "start_over": True,
    }
    return [(key, what) for key, what in CHANGES if has[what]]


def change_question(line: Line, state: CallState, draft: Draft) -> Ask:
    choices = [(key, prompt(f"report_change_{what}")) for key, what in changes_offered(state, draft)]
    text = f"{prompt('report_change')} {choices_text(choices)}"
    return Ask(endpoint="report_delivery.change", text=text, voice=line.voice, give_up=KEPT)


def spoken_moment(moment: datetime, timezone: ZoneInfo) -> str:
    """An official time as spoken: today's as "klockan elva och femtioåtta", another day's with its date."""
    return clock_time(moment.astimezone(timezone))


def duplicate_question(line: Line, earlier: Report, receiver: str, *, timezone: ZoneInfo, now: datetime) -> Ask:
    local = earlier.official_at.astimezone(timezone)
    # Within 24 hours a clock time alone could be yesterday's: then the day is said too.
    same_day = local.date() == now.astimezone(timezone).date()
    when = clock_time(local) if same_day else f"{spoken_date(local.date())} {clock_time(local)}"
    text = " ".join(
        (
            prompt(
                "report_duplicate",
                event=event_name(earlier.event),
                receiver=receiver,
                time=when,
                reference=reference(earlier.reference),
            ),
            prompt("report_duplicate_choice"),
        )
    )
    return Ask(endpoint="report_delivery.duplicate", text=text, voice=line.voice, give_up=KEPT)


def registered_texts(report: Report, liability: LiabilityStart | None, timezone: ZoneInfo) -> list[str]:
    """What the caller hears once the report is stored: the official time (which decides payment liability, so
    it is said to the minute) and the reference; both are in the SMS receipt too. A drill says it counts for
    nothing."""
    texts = []
    if report.drill:
        texts.append(prompt("drill"))
    when = spoken_moment(report.official_at, timezone)
    texts.append(prompt("report_registered", time=when, reference=reference(report.reference)))
    if liability is not None and report.drill:
        texts.append(prompt("report_drill_no_liability"))
    return texts


def whisper_text(report: Report) -> str:
    """What the receiver's answering person hears before the caller is put through: who reports what."""
    text = prompt(
        "report_whisper",
        unit=report.reporter_name or "",
        event=event_name(report.event).lower(),
        reference=reference(report.reference),
    )
    return f"{prompt('drill')} {text}" if report.drill else text


def after_question(line: Line) -> Ask:
    return Ask(endpoint="report_delivery.after", text=prompt("report_after"), voice=line.voice)


def event_data_of(state: CallState, draft: Draft) -> dict[str, str]:
    """The event data as stored: only what was given, with the assessing doctor's name or recording."""
    data = {key: value for key, value in draft.event_data.items() if value}
    if state.names.get(DOCTOR):
        data["doctor_name"] = state.names[DOCTOR]
    if state.recordings.get(DOCTOR):
        data["doctor_recording"] = state.recordings[DOCTOR]
    return data


def resume_text(draft: Draft) -> str:
    """What an unfinished report from an earlier call is, without the patient's number: the event, the
    receivers and the number's last four digits."""
    what = event_name(draft.event).lower()
    if draft.receivers:
        what += " till " + receiver_names(draft)
    if draft.patient_number and draft.patient_confirmed:
        what += ", " + prompt("report_resume_patient", digits=in_pairs(draft.patient_number[-4:]))
    return prompt("report_resume", what=what)
