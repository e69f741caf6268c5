"""The questions and read-backs of the report flow: what the caller hears at each step, built from the draft.

The views in report_flow.py decide which step comes next; this module only says things.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from call_flows.endpoints import MAIN_MENU, SWITCHBOARD
from call_flows.gather import Ask, choices_text
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digit_groups, digits, spoken_date, spoken_date_with_year
from ivr.calls.state import CALLER, DOCTOR, CallState
from ivr.liability.rules import LiabilityStart
from ivr.lines.models import Line
from ivr.notes import event_name
from ivr.reports.drafts import Draft
from ivr.reports.events import EVENTS_BY_REPORTER, Assessment, Event
from ivr.reports.models import Report
from ivr.reports.personnummer import NumberKind, PatientNumber

CODE_TIMEOUT = 8
NUMBER_TIMEOUT = 12


def _yes_no(endpoint: str, line: Line, text: str, *, give_up: str = MAIN_MENU, **values: str) -> Ask:
    return Ask(endpoint=endpoint, text=text, voice=line.voice, give_up=give_up, values=tuple(values.items()))


# ---- event ---------------------------------------------------------------------------------------------


def event_question(line: Line, reporter_kind: str) -> Ask:
    events = EVENTS_BY_REPORTER[reporter_kind]
    choices = [(str(key), prompt(f"report_event_{event.value}")) for key, event in enumerate(events, start=1)]
    text = " ".join((prompt("report_ask_event"), choices_text(choices)))
    return Ask(endpoint="report.event", text=text, voice=line.voice)


def event_for_key(reporter_kind: str, key: str) -> Event | None:
    """The event behind a key of the reporter's event menu."""
    events = EVENTS_BY_REPORTER.get(reporter_kind, ())
    return events[int(key) - 1] if key.isdigit() and 1 <= int(key) <= len(events) else None


# ---- patient --------------------------------------------------------------------------------------------


def patient_question(line: Line) -> Ask:
    # Three tries, then the switchboard: a caller who cannot key the number needs a person.
    return Ask(
        endpoint="report.patient",
        text=prompt("report_ask_patient"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT,
        give_up=SWITCHBOARD,
        star_repeats=False,  # * starts a reserve number here
    )


def spoken_number(number: str, kind: str) -> str:
    """A patient number read back in groups: year, month, day, the last four (a reserve number in fours)."""
    patient = PatientNumber(number=number, kind=NumberKind(kind))
    return digit_groups(number, patient.groups)


def patient_readback_question(line: Line, number: str, kind: str) -> Ask:
    text = prompt("report_patient_readback", kind=kind, number=spoken_number(number, kind))
    return _yes_no("report.patient_confirm", line, text)


# ---- receivers ------------------------------------------------------------------------------------------


def receiver_question(line: Line, kind: str, which: str) -> Ask:
    return Ask(
        endpoint="report.receiver",
        text=prompt(f"report_ask_receiver_{kind}"),
        voice=line.voice,
        num_digits=4 if kind == "municipality" else None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
        values=(("which", which),),
    )


def receiver_readback_question(line: Line, unit_name: str, which: str) -> Ask:
    return _yes_no("report.receiver_confirm", line, prompt("report_receiver_readback", unit=unit_name), which=which)


def extra_receiver_question(line: Line, kind: str) -> Ask:
    text = prompt("report_ask_extra_receiver", kind=prompt(f"report_kind_{kind}"))
    return _yes_no("report.extra_receiver", line, text)


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
    )


def date_readback_question(line: Line, day: date) -> Ask:
    return _yes_no("report_details.date_confirm", line, prompt("report_date_readback", date=spoken_date_with_year(day)))


def assessment_question(line: Line) -> Ask:
    return _yes_no("report_details.assessment", line, prompt("report_ask_assessment"))


# ---- summary, duplicates, after registering ------------------------------------------------------------


def summary_text(state: CallState, draft: Draft) -> str:
    """Everything the caller keyed, read back before registering."""
    parts = [
        prompt(
            "report_summary",
            event=event_name(draft.event),
            kind=(draft.patient_number_kind or "").capitalize(),
            number=spoken_number(draft.patient_number or "", draft.patient_number_kind or "personnummer"),
            receivers=" och ".join(r.name for r in draft.receivers),
            unit=state.unit.name if state.unit else "",
        )
    ]
    data = draft.event_data
    if state.names.get(DOCTOR):
        parts.append(prompt("report_summary_doctor", name=state.names[DOCTOR]))
    elif state.recordings.get(DOCTOR):
        parts.append(prompt("report_summary_doctor_recorded"))
    if data.get("assessment") == Assessment.NO_LONGER_READY:
        parts.append(prompt("report_summary_no_longer_ready"))
    for field in ("estimated_discharge_date", "new_date", "sip_date"):
        if data.get(field):
            spoken = spoken_date_with_year(date.fromisoformat(data[field]))
            parts.append(prompt(f"report_summary_{field}", date=spoken))
    if state.names.get(CALLER):
        parts.append(prompt("report_summary_caller", name=state.names[CALLER]))
    elif state.recordings.get(CALLER):
        parts.append(prompt("report_summary_caller_recorded"))
    return " ".join(parts)


def summary_question(line: Line, state: CallState, draft: Draft, *, drill: bool) -> Ask:
    before = [prompt("drill")] if drill else []
    text = " ".join((*before, summary_text(state, draft), prompt("report_summary_choice")))
    return _yes_no("report_delivery.summary", line, text)


def spoken_moment(moment: datetime, timezone: ZoneInfo) -> str:
    """An official time as spoken: "måndagen den tjugotredje november, klockan elva och femtioåtta"."""
    local = moment.astimezone(timezone)
    return prompt("report_official_time", date=spoken_date(local.date()), time=clock_time(local))


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
                reference=digits(earlier.reference),
            ),
            prompt("report_duplicate_choice"),
        )
    )
    return _yes_no("report_delivery.duplicate", line, text)


def registered_texts(report: Report, liability: LiabilityStart | None, timezone: ZoneInfo) -> list[str]:
    """What the caller hears once the report is stored: reference, official time, and for discharge-ready the
    cut-off and the first day liability can start."""
    texts = []
    if report.drill:
        texts.append(prompt("drill"))
    texts.append(prompt("report_registered", reference=digits(report.reference)))
    texts.append(spoken_moment(report.official_at, timezone))
    if liability is not None:
        cutoff = cutoff_time(liability.rule.cutoff)
        texts.append(prompt("report_after_cutoff" if liability.after_cutoff else "report_before_cutoff", cutoff=cutoff))
        if report.drill:
            texts.append(prompt("report_drill_no_liability"))
        else:
            texts.append(prompt("report_liability_from", date=spoken_date(liability.first_liable_day)))
    return texts


def whisper_text(report: Report) -> str:
    """What the receiver's answering person hears before the caller is put through."""
    text = prompt(
        "report_whisper",
        unit=report.reporter_name or "",
        event=event_name(report.event).lower(),
        reference=digits(report.reference),
    )
    return f"{prompt('drill')} {text}" if report.drill else text


def after_question(line: Line) -> Ask:
    return _yes_no("report_delivery.after", line, prompt("report_after"))


def event_data_of(state: CallState, draft: Draft) -> dict[str, str]:
    """The event data as stored: only what was given, with the assessing doctor's name or recording."""
    data = {key: value for key, value in draft.event_data.items() if value}
    if state.names.get(DOCTOR):
        data["doctor_name"] = state.names[DOCTOR]
    if state.recordings.get(DOCTOR):
        data["doctor_recording"] = state.recordings[DOCTOR]
    return data


def cutoff_time(cutoff: time) -> str:
    """A cut-off hour as spoken ("klockan tolv")."""
    return clock_time(datetime.combine(date(2000, 1, 1), cutoff))
