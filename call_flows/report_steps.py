"""The questions and read-backs of the report flow: what the caller hears at each step, built from the draft.

The views in report_flow.py decide which step comes next; this module only says things.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from call_flows.lines import Line
from call_flows.menus import choices_text
from call_flows.navigation import MAIN_MENU, SWITCHBOARD, Ask
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digit_groups, digits, spoken_date, spoken_date_with_year
from ivr.reports.drafts import Draft
from ivr.reports.events import EVENTS, EVENTS_BY_REPORTER, Assessment, Event
from ivr.reports.liability import LiabilityStart
from ivr.reports.models import Report
from ivr.reports.personnummer import NumberKind, PatientNumber

CODE_TIMEOUT = 8
NUMBER_TIMEOUT = 12


def _yes_no(endpoint: str, line: Line, text: str, *, give_up: str = MAIN_MENU, **values: str) -> Ask:
    return Ask(endpoint=endpoint, text=text, voice=line.voice, give_up=give_up, values=tuple(values.items()))


# ---- reporter and event ---------------------------------------------------------------------------------


def unit_from_caller_question(line: Line, unit_name: str) -> Ask:
    return _yes_no("report.unit_confirm", line, prompt("report_unit_from_caller", unit=unit_name))


def unit_code_question(line: Line) -> Ask:
    return Ask(
        endpoint="report.unit_code",
        text=prompt("report_ask_unit_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
    )


def unit_readback_question(line: Line, unit_name: str) -> Ask:
    return _yes_no("report.unit_code_confirm", line, prompt("report_unit_readback", unit=unit_name))


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
    return _yes_no("report.has_date", line, prompt("report_ask_has_date"))


def date_question(line: Line, field: str) -> Ask:
    return Ask(
        endpoint="report.date_keyed",
        text=prompt(f"report_ask_date_{field}"),
        voice=line.voice,
        num_digits=8,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT,
    )


def date_readback_question(line: Line, day: date) -> Ask:
    return _yes_no("report.date_confirm", line, prompt("report_date_readback", date=spoken_date_with_year(day)))


def assessment_question(line: Line) -> Ask:
    return _yes_no("report.assessment", line, prompt("report_ask_assessment"))


def name_question(line: Line, who: str, tries: int) -> Ask:
    text = prompt("report_ask_doctor" if who == "doctor" else "report_ask_name")
    return Ask(
        endpoint="report.name",
        text=text,
        voice=line.voice,
        speech=True,
        timeout=5,
        values=(("who", who), ("tries", str(tries))),
    )


def heard_name_question(line: Line, who: str, heard: str, tries: int) -> Ask:
    text = prompt("report_heard_name", name=heard)
    return _yes_no("report.name_confirm", line, text, who=who, tries=str(tries))


# ---- summary, duplicates, after registering ------------------------------------------------------------


def summary_text(draft: Draft) -> str:
    """Everything the caller keyed, read back before registering."""
    event = Event(draft.event or "")
    parts = [
        prompt(
            "report_summary",
            event=EVENTS[event].name,
            kind=(draft.patient_number_kind or "").capitalize(),
            number=spoken_number(draft.patient_number or "", draft.patient_number_kind or "personnummer"),
            receivers=" och ".join(r.name for r in draft.receivers),
            unit=draft.reporter.name if draft.reporter else "",
        )
    ]
    data = draft.event_data
    if data.get("doctor_name"):
        parts.append(prompt("report_summary_doctor", name=data["doctor_name"]))
    elif data.get("doctor_recording"):
        parts.append(prompt("report_summary_doctor_recorded"))
    if data.get("assessment") == Assessment.NO_LONGER_READY:
        parts.append(prompt("report_summary_no_longer_ready"))
    for field in ("estimated_discharge_date", "new_date", "sip_date"):
        if data.get(field):
            spoken = spoken_date_with_year(date.fromisoformat(data[field]))
            parts.append(prompt(f"report_summary_{field}", date=spoken))
    if draft.caller_name:
        parts.append(prompt("report_summary_caller", name=draft.caller_name))
    elif draft.caller_name_recording:
        parts.append(prompt("report_summary_caller_recorded"))
    return " ".join(parts)


def summary_question(line: Line, draft: Draft, *, drill: bool) -> Ask:
    before = [prompt("drill")] if drill else []
    text = " ".join((*before, summary_text(draft), prompt("report_summary_choice")))
    return _yes_no("report.summary", line, text)


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
                event=EVENTS[Event(earlier.event or "")].name,
                receiver=receiver,
                time=when,
                reference=digits(earlier.reference),
            ),
            prompt("report_duplicate_choice"),
        )
    )
    return _yes_no("report.duplicate", line, text)


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
        event=EVENTS[Event(report.event or "")].name.lower(),
        reference=digits(report.reference),
    )
    return f"{prompt('drill')} {text}" if report.drill else text


def after_question(line: Line) -> Ask:
    return _yes_no("report.after", line, prompt("report_after"))


def event_data_of(draft: Draft) -> dict[str, str]:
    """The event data as stored: only what was given."""
    return {key: value for key, value in draft.event_data.items() if value}


def cutoff_time(cutoff: time) -> str:
    """A cut-off hour as spoken ("klockan tolv")."""
    return clock_time(datetime.combine(date(2000, 1, 1), cutoff))
