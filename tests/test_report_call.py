"""A ward phones in care-transition reports: what it hears, what is stored, and what is never stored."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from call_flows.speech import reference as spoken_reference
from ivr.calls.models import CallStateRow
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outages.service import start_outage
from ivr.outbox.models import OutboxMessage
from ivr.reports.models import Report, ReportDelivery
from ivr.web.context import runtime_of
from tests.conftest import SWITCHBOARD, TESTDATA, UNKNOWN_CALLER, WARD_61, WARD_62, Caller, stockholm, via
from tests.fixtures_reports import (
    HERTSON_PHONE,
    LULEA_KOMMUN_PHONE,
    LULEA_SMS,
    OTHER_PATIENT,
    PATIENT,
    SAMORDNINGSNUMMER,
    WARD_61_SMS,
    choose_receiver,
    key_patient,
    run_cli,
    to_patient,
    to_summary,
)


def reports(db_session: Session) -> list[Report]:
    db_session.expire_all()
    return list(db_session.scalars(select(Report).order_by(Report.seq)))


def count(db_session: Session, model: type) -> int:
    db_session.expire_all()
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


# ---- the official time and liability -------------------------------------------------------------------------


def test_discharge_ready_at_11_58_is_registered_at_the_call_time_though_confirmed_later(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    clock.set(stockholm(2026, 11, 23, 11, 58))
    call = to_summary(caller.dial(WARD_61))
    assert call.heard.startswith("Utskrivningsklar till Luleå kommun.")
    clock.set(stockholm(2026, 11, 23, 12, 3))  # the caller took five minutes: the call time still counts
    call.press("1")
    report = reports(db_session)[0]
    assert call.heard.startswith("Registrerad klockan elva och femtioåtta. Referens ")
    assert report.official_at == stockholm(2026, 11, 23, 11, 58)
    assert report.confirmed_at == stockholm(2026, 11, 23, 12, 3)


def test_the_reference_is_read_back_once_in_pairs(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    reference = reports(db_session)[0].reference
    assert call.heard.count(f"Referens {spoken_reference(reference)}.") == 1


def test_two_patients_in_one_call_share_the_official_time(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.answer(keys=["1"])
    assert "En patient till: tryck 1" in call.heard
    clock.set(stockholm(2026, 11, 23, 10, 9))
    call.press("1")  # another patient
    assert call.heard.startswith("Inskrivning: tryck 1.")
    call.press("1")  # inskrivning
    call.press(OTHER_PATIENT)
    assert "Till Luleå kommun igen?" in call.heard  # the receiver of the call's first report, one key away
    call.press("1")
    call.press("2")  # no outpatient unit
    call.press("2")  # no estimated discharge date yet
    assert call.heard.startswith("Inskrivning till Luleå kommun.")  # the caller's name is not asked again
    call.press("1")
    first, second = reports(db_session)
    assert (first.event, second.event) == ("discharge_ready", "admission")
    assert first.official_at == second.official_at == stockholm(2026, 11, 23, 10, 0)
    assert second.confirmed_at == stockholm(2026, 11, 23, 10, 9)
    assert (first.call_position, second.call_position) == (1, 2)
    assert first.reference != second.reference


# ---- nothing partial, nothing twice ------------------------------------------------------------------------


def test_a_dropped_call_registers_nothing_and_keeps_only_its_unfinished_draft(
    caller: Caller, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    assert count(db_session, CallStateRow) == 1
    call.hangup()
    assert count(db_session, Report) == 0
    assert count(db_session, OutboxMessage) == 0
    db_session.expire_all()
    kept = db_session.scalars(select(CallStateRow)).one()  # resumable for half an hour (tests/test_resume.py)
    assert kept.call_sid == call.call_sid and kept.ended_at is not None


def test_a_call_that_ends_with_nothing_unfinished_leaves_no_state(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.answer(keys=["1"])
    call.press("2")  # no more patients
    assert call.ended
    assert count(db_session, CallStateRow) == 0


def test_a_twilio_retry_of_registering_never_registers_twice(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    answer = call.last
    again = call.retry_last()
    assert again.body == answer.body if answer else False
    assert count(db_session, Report) == 1
    assert count(db_session, ReportDelivery) == 1
    assert count(db_session, OutboxMessage) == 2


def test_a_one_receiver_report_sends_exactly_two_receipts_without_patient_data(
    caller: Caller, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    db_session.expire_all()
    messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.template, m.to_number) for m in messages] == [
        ("report_receipt", WARD_61_SMS),
        ("report_notice", LULEA_SMS),
    ]
    for message in messages:
        assert PATIENT not in message.body and PATIENT[2:] not in message.body and "Anna" not in message.body
        assert "Utskrivningsklar" in message.body


def test_a_duplicate_within_24_hours_is_spoken_and_can_be_registered_anyway(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.hangup()
    clock.set(stockholm(2026, 11, 23, 14, 30))
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    first = reports(db_session)[0]
    assert "redan rapporterad klockan tio, referens" in call.heard
    assert "Registrera ändå: tryck 1" in call.heard
    assert count(db_session, Report) == 1
    call.press("1")
    assert "Registrerad klockan fjorton och trettio" in call.heard
    kept, second = reports(db_session)
    assert second.duplicate_of == first.reference and kept.reference == first.reference


def test_a_duplicate_can_be_left_unregistered(caller: Caller, clock: FrozenClock, db_session: Session) -> None:
    to_summary(caller.dial(WARD_61)).press("1").hangup()
    clock.set(stockholm(2026, 11, 24, 9, 0))
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    assert "redan rapporterad måndagen den tjugotredje november klockan tio" in call.heard
    call.press("2")
    assert "Rapporten registrerades inte" in call.heard
    call.press("2")
    assert call.ended and count(db_session, Report) == 1


def test_the_same_patient_a_day_later_is_not_a_duplicate(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    to_summary(caller.dial(WARD_61)).press("1").hangup()
    clock.set(stockholm(2026, 11, 24, 10, 1))
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    assert "redan rapporterad" not in call.heard and count(db_session, Report) == 2


# ---- the patient number ---------------------------------------------------------------------------------------


def test_twelve_digits_end_the_question_and_a_checked_number_is_read_back_in_pairs_on_the_way(
    caller: Caller,
) -> None:
    call = to_patient(caller.dial(WARD_61))
    assert 'numDigits="12"' in (call.last.body if call.last else "")
    call.press(PATIENT)  # no # needed
    assert call.heard.startswith("Personnummer nitton fyrtiosex, noll åtta, tjugotre, nittionio åttiosex. ")
    assert "Vilken kommun?" in call.heard  # no key press to confirm it: the check digit holds


def test_a_wrong_personnummer_is_corrected_from_the_summary(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("2")
    assert "Patienten: tryck 2." in call.heard
    call.press("2")
    assert call.heard.startswith("Patientens personnummer")
    call.press(OTHER_PATIENT)
    assert "Utskrivningsklar till Luleå kommun." in call.heard  # everything else is kept
    call.press("1")
    assert reports(db_session)[0].patient_number == OTHER_PATIENT


def test_a_ten_digit_number_and_a_samordningsnummer_are_accepted(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT[2:] + "#")
    assert call.heard.startswith("Personnummer nitton fyrtiosex")
    call.hangup()
    call = to_patient(caller.dial(WARD_62))  # (from 61 the line would offer to go on with the unfinished report)
    call.press(SAMORDNINGSNUMMER)
    assert call.heard.startswith("Samordningsnummer nitton sjuttiotre")


@pytest.mark.parametrize(
    ("keyed", "reason"),
    [
        ("195704289998", "Kontrollsiffran stämmer inte"),
        ("197002301234", "inget giltigt datum"),
        ("5704289998", "Kontrollsiffran stämmer inte"),
        ("12345", "ska ha tolv siffror"),
        ("*12", "reservnummer har mellan fyra och sexton siffror"),
    ],
)
def test_a_wrong_number_is_refused_with_its_reason_and_asked_again(caller: Caller, keyed: str, reason: str) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(keyed + "#")
    assert reason in call.heard
    assert "Patientens personnummer, tolv siffror" in call.heard


def test_the_shared_invalid_cases_are_refused_by_voice(caller: Caller) -> None:

    cases = json.loads((TESTDATA / "personnummer-cases.json").read_text(encoding="utf-8"))
    invalid = [c["long_format"] for c in cases if not c["valid"] and str(c["long_format"]).isdigit()]
    assert len(invalid) >= 5
    for number in invalid:
        call = to_patient(caller.dial(WARD_61))
        call.press(number + "#")
        assert "Vilken kommun" not in call.heard, number
        call.hangup()


def test_three_wrong_numbers_lead_to_the_switchboard_keeping_the_draft(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61))
    for _ in range(3):
        call.press("195704289998")
    assert "det du har knappat in sparas" in call.heard and "växeln" in call.heard
    assert call.dialled == [SWITCHBOARD]
    call.dial_outcome("completed")
    assert count(db_session, Report) == 0


@pytest.mark.parametrize("keys", [["*#", "99887766#"], ["*99887766#"]])
def test_a_reserve_number_is_read_back_in_groups_confirmed_and_flagged(
    caller: Caller, db_session: Session, keys: list[str]
) -> None:
    call = to_patient(caller.dial(WARD_61))
    for pressed in keys:
        call.press(pressed)
    assert "Reservnummer nittionio åttioåtta, sjuttiosju sextiosex? Ja: tryck 1. Nej: tryck 2." in call.heard
    call.press("1")
    choose_receiver(call, "2580")
    call.press("2")
    call.say("Anna Andersson")
    call.press("1")
    call.press("1")
    report = reports(db_session)[0]
    assert (report.patient_number, report.patient_number_kind) == ("99887766", "reservnummer")


def test_star_hash_asks_for_the_reserve_number_on_its_own(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press("*#")
    assert call.heard == "Knappa in reservnumret och avsluta med fyrkant."


# ---- reporter, receivers and event data -------------------------------------------------------------------


def test_an_unknown_caller_keys_the_wards_code(caller: Caller, db_session: Session) -> None:
    call = caller.dial(UNKNOWN_CALLER)
    call.press("1")
    assert "Knappa in din enhets kod" in call.heard
    call.press("58101#")
    assert "Hemtjänsten Ryd kan inte rapportera här" in call.heard
    call.press("102#")
    assert "Avdelning 62 kirurgi, Sunderby sjukhus? Ja: tryck 1." in call.heard
    call.press("1")
    call.press("4")  # utskrivning
    key_patient(call)
    call.say("Bo Berg")
    call.press("1")
    call.press("1")
    report = reports(db_session)[0]
    assert (report.reporter_code, report.event, report.caller_name) == ("102", "discharge", "Bo Berg")


def test_a_receiver_code_is_read_back_by_name_and_must_be_a_municipality(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.press("9999")
    assert "Koden nio, nio, nio, nio finns inte" in call.heard
    call.press("0580")
    assert "Linköpings kommun?" in call.heard
    call.press("2")
    call.press("2581")
    assert "Piteå kommun? Ja: tryck 1. Nej: tryck 2." in call.heard


def test_an_outpatient_unit_can_also_receive_the_report_each_connected_separately(
    caller: Caller, db_session: Session
) -> None:
    call = to_patient(caller.dial(WARD_61))
    key_patient(call, extra="601")
    call.say("Anna Andersson")
    call.press("1")
    assert "till Luleå kommun och Hälsocentralen Hertsön, Luleå." in call.heard
    call.press("1")
    assert call.dialled == [LULEA_KOMMUN_PHONE]
    call.answer(keys=["1"])
    assert call.dialled == [HERTSON_PHONE]
    call.dial_outcome("no-answer")
    assert "Hälsocentralen Hertsön, Luleå svarade inte. De får rapporten per SMS." in call.heard
    rows = db_session.scalars(select(ReportDelivery).order_by(ReportDelivery.position)).all()
    assert [(r.receiver_code, r.acknowledged_at is not None, r.outcome) for r in rows] == [
        ("2580", True, "acknowledged"),
        ("601", False, "no_answer"),
    ]
    assert count(db_session, OutboxMessage) == 3


def test_admission_reads_the_estimated_discharge_date_back_with_its_weekday(
    caller: Caller, db_session: Session
) -> None:
    call = to_patient(caller.dial(WARD_61), event_key="1")
    key_patient(call)
    call.press("1")  # there is an estimated date
    call.press("20261120")
    assert "Datumet har redan passerat" in call.heard
    call.press("20261130")
    assert "Måndagen den trettionde november tvåtusentjugosex? Ja: tryck 1." in call.heard
    call.press("1")
    call.say("Anna Andersson")
    call.press("1")
    assert "Beräknat utskrivningsdatum måndagen den trettionde november" in call.heard
    call.press("1")
    assert json.loads(reports(db_session)[0].event_data) == {"estimated_discharge_date": "2026-11-30"}


def test_a_changed_assessment_names_the_doctor_and_the_new_date(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61), event_key="5")
    key_patient(call)
    assert "läkaren som gjorde bedömningen" in call.heard
    call.say("Doktor Cecilia Lund")
    assert "Doktor Cecilia Lund? Ja: tryck 1. Nej: tryck 2." in call.heard
    call.press("1")
    call.press("2")  # a new date
    call.press("20261202")
    call.press("1")
    call.say("Anna Andersson")
    call.press("1")
    assert "Bedömd av Doktor Cecilia Lund" in call.heard
    call.press("1")
    data = json.loads(reports(db_session)[0].event_data)
    assert data == {"doctor_name": "Doktor Cecilia Lund", "assessment": "new_date", "new_date": "2026-12-02"}


def test_a_doctors_name_not_understood_twice_is_recorded(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61), event_key="5")
    key_patient(call)
    call.silence()
    call.silence()
    assert "efter tonen" in call.heard and call.waiting_for == "Record"
    call.record(seconds=3)
    call.press("1")  # no longer discharge-ready
    call.say("Anna Andersson")
    call.press("1")
    assert "Inte längre utskrivningsklar. Läkarens namn är inspelat." in call.heard
    call.press("1")
    data = json.loads(reports(db_session)[0].event_data)
    assert data["assessment"] == "no_longer_ready" and data["doctor_recording"].startswith("https://api.twilio.com/")


def test_a_changed_assessment_is_never_registered_without_the_doctors_name(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61), event_key="5")
    key_patient(call)
    call.silence()
    call.silence()
    assert "Säg läkarens namn efter tonen" in call.heard and call.waiting_for == "Record"
    call.silence()  # an empty recording: Twilio calls no action and goes on to the next verb
    assert call.heard.startswith("Jag fick inget namn. Rapporten kan inte registreras utan läkarens namn.")
    assert call.waiting_for == "Record"  # asked once more
    call.silence()
    assert "det du har knappat in sparas" in call.heard and call.dialled == [SWITCHBOARD]
    call.dial_outcome("completed")
    assert count(db_session, Report) == 0


def test_the_callers_name_falls_back_to_a_recording(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61), name=None)
    call.say("Anna", confidence=0.1)
    call.say("Anna", confidence=0.1)
    call.record()
    assert call.heard.startswith("Utskrivningsklar till Luleå kommun.")
    call.press("1")
    report = reports(db_session)[0]
    assert report.caller_name is None and report.caller_name_recording


def test_the_summary_can_start_the_report_over(caller: Caller, db_session: Session) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("2")
    assert "Vad vill du ändra?" in call.heard and "Börja om: tryck 9." in call.heard
    call.press("9")
    assert call.heard.startswith("Inskrivning: tryck 1.")
    call.press("2")  # nytt beräknat utskrivningsdatum
    key_patient(call, OTHER_PATIENT)
    call.press("20261201")
    call.press("1")
    assert call.heard.startswith("Nytt beräknat utskrivningsdatum till Luleå kommun.")
    call.press("1")
    report = reports(db_session)[0]
    assert (report.event, report.patient_number) == ("estimated_discharge", OTHER_PATIENT)


# ---- connect and acknowledge ----------------------------------------------------------------------------------


def test_the_municipality_hears_a_whisper_and_pressing_1_is_its_acknowledgement(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    assert "Du kopplas till Luleå kommun" in call.heard
    assert call.dialled == [LULEA_KOMMUN_PHONE]
    clock.set(stockholm(2026, 11, 23, 10, 1))
    leg = call.answer(keys=["1"])
    reference = reports(db_session)[0].reference
    assert "Avdelning 61 medicin, Sunderby sjukhus rapporterar utskrivningsklar" in leg.heard_all
    assert PATIENT not in leg.heard_all
    row = db_session.scalars(select(ReportDelivery)).one()
    assert row.connected_at == row.acknowledged_at == stockholm(2026, 11, 23, 10, 1)
    assert row.answered_call_sid == leg.call_sid
    code, out, _ = run_cli_for(caller, "reports", "unacknowledged", "--json")
    assert code == 0 and reference not in out


def run_cli_for(caller: Caller, *args: str) -> tuple[int, str, str]:
    app: Flask = caller.transport.client.application
    return run_cli(runtime_of(app).config, *args)


def test_a_whisper_not_accepted_leaves_the_report_to_sms_and_unacknowledged(
    caller: Caller, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.answer(keys=["", ""])  # the answering person presses nothing
    assert "Luleå kommun svarade inte. De får rapporten per SMS." in call.heard
    row = db_session.scalars(select(ReportDelivery)).one()
    assert row.connected_at is not None and row.acknowledged_at is None and row.outcome == "not_accepted"
    code, out, _ = run_cli_for(caller, "reports", "unacknowledged", "--json")
    assert code == 0 and [r["receiver_code"] for r in json.loads(out)] == ["2580"]


def test_outside_the_municipalitys_hours_the_caller_hears_it_gets_an_sms(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    clock.set(stockholm(2026, 11, 23, 22, 30))
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    assert "Luleå kommun har stängt. De får rapporten per SMS." in call.heard
    assert call.waiting_for == "Gather"  # another patient, or end
    assert db_session.scalars(select(ReportDelivery)).one().outcome == "closed"
    call.press("2")
    assert "Hej då" in call.heard and call.ended


# ---- drills ---------------------------------------------------------------------------------------------------


def test_a_report_during_a_drill_outage_is_flagged_and_spoken_as_ovning(
    app: Flask, caller: Caller, db_session: Session
) -> None:
    with app.app_context():
        line = runtime_of(app).lines.by_key("norrbotten")
        assert line is not None
        start_outage(
            session=db_session,
            line=line,
            system="Lifecare SP",
            actor="övningsledare",
            now=stockholm(2026, 11, 23, 9, 0),
            drill=True,
        )
        db_session.commit()
    call = to_summary(caller.dial(WARD_61))
    assert call.heard.startswith("Det här är en övning.")
    call.press("1")
    assert call.heard.startswith("Det här är en övning. Registrerad klockan tio.")
    assert "Övningen räknas inte för betalningsansvar" in call.heard
    leg = call.answer(keys=["1"])
    assert leg.heard_all.startswith("Det här är en övning.")
    report = reports(db_session)[0]
    assert report.drill
    assert all(m.body.startswith("ÖVNING") for m in db_session.scalars(select(OutboxMessage)))


# ---- privacy and export -------------------------------------------------------------------------------------


def test_no_personnummer_in_any_log_line_or_url(caller: Caller, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.answer(keys=["1"])
    call.press("1")
    call.press("1")
    key_patient(call, SAMORDNINGSNUMMER)
    call.press("2")  # no estimated date
    call.press("1")
    call.hangup()
    assert caplog.records
    for number in (PATIENT, SAMORDNINGSNUMMER):
        for form in (number, number[2:], number[:8] + "-" + number[8:]):
            assert not any(form in record.getMessage() for record in caplog.records), form
            assert not any(form in url for _method, url, _params in call.requests), form
    assert not any("Anna Andersson" in record.getMessage() for record in caplog.records)


def test_the_export_matches_what_was_keyed(caller: Caller, clock: FrozenClock, config: Config) -> None:
    clock.set(stockholm(2026, 11, 23, 11, 58))
    call = to_patient(caller.dial(WARD_61), event_key="1")
    key_patient(call, SAMORDNINGSNUMMER, extra="601")
    call.press("1")
    call.press("20261130")
    call.press("1")
    call.say("Anna Andersson")
    call.press("1")
    call.press("1")
    call.answer(keys=["1"])
    call.dial_outcome("busy")
    code, out, err = run_cli(config, "reports", "export", "--format", "json", "--by", "Revisor")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["receiver_code"] for r in rows] == ["2580", "601"]
    for row in rows:
        assert row["event"] == "admission"
        assert row["patient_number"] == SAMORDNINGSNUMMER and row["patient_number_kind"] == "samordningsnummer"
        assert row["official_time"] == "2026-11-23T11:58:00+01:00"
        assert row["estimated_discharge_date"] == "2026-11-30"
        assert row["reporting_unit_code"] == "101" and row["reporting_unit_phone"] == WARD_61
        assert row["caller_name"] == "Anna Andersson" and row["drill"] is False
    assert rows[0]["acknowledged_time"] == "2026-11-23T11:58:00+01:00" and rows[1]["acknowledged_time"] is None
    assert rows[1]["delivery_outcome"] == "busy"


# ---- every kind of reporter ------------------------------------------------------------------------------------


def test_every_event_menu_has_unique_keys_each_spoken_and_each_leading_to_an_event(app: Flask) -> None:
    from call_flows.report_steps import event_for_key, event_question
    from ivr.reports.events import EVENTS, EVENTS_BY_REPORTER

    with app.test_request_context():
        line = runtime_of(app).lines.first
        for kind, events in EVENTS_BY_REPORTER.items():
            spoken = event_question(line, kind).text
            keys = [str(k) for k in range(1, len(events) + 1)]
            for key, expected in zip(keys, events, strict=True):
                assert f"tryck {key}." in spoken, (kind, key)
                assert event_for_key(kind, key) is expected and expected in EVENTS
            assert event_for_key(kind, str(len(events) + 1)) is None and event_for_key(kind, "0") is None


def test_a_municipality_reports_ready_for_home_to_the_ward_without_an_event_menu(
    caller: Caller, db_session: Session
) -> None:
    call = caller.dial(LULEA_KOMMUN_PHONE)
    assert "Du ringer från Luleå kommun" in call.heard
    call.press("1")
    assert call.heard.startswith("Redo för hemtagning. Patientens personnummer")  # its only event: no menu
    call.press(PATIENT)
    assert "Vilken avdelning? Säg namnet eller knappa koden och fyrkant." in call.heard
    call.press("2580#")
    assert "Luleå kommun är inte en avdelning" in call.heard
    call.press("101#")
    call.press("1")
    call.press("2")
    call.say("Dana Dahl")
    call.press("1")
    call.press("1")
    assert call.dialled == [WARD_61]
    report = reports(db_session)[0]
    assert (report.event, report.reporter_code, [d.receiver_code for d in report.deliveries]) == (
        "ready_for_home",
        "2580",
        ["101"],
    )


def test_0_while_keying_the_patient_reaches_the_switchboard(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press("0#")
    assert "växeln" in call.heard and call.dialled == [SWITCHBOARD]


def test_silence_at_the_event_menu_repeats_it_then_returns_to_the_main_menu(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("1")
    call.silence()
    assert "Jag hörde inget" in call.heard and "Inskrivning: tryck 1" in call.heard
    call.silence()
    call.silence()
    assert "Du kommer tillbaka till huvudmenyn" in call.heard and "Felanmälan: tryck 2" in call.heard


def test_reports_list_shows_every_entry_without_patient_numbers(caller: Caller, config: Config) -> None:
    to_summary(caller.dial(WARD_61)).press("1").hangup()
    code, out, _ = run_cli(config, "reports", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["event"] for r in rows] == ["discharge_ready"]
    assert rows[0]["receivers"] == ["Luleå kommun"] and rows[0]["cancelled_by"] is None
    assert PATIENT not in out
    reference = rows[0]["reference"]
    assert run_cli(config, "reports", "cancel", reference, "--reason", "fel avdelning", "--by", "Berit")[0] == 0
    code, out, _ = run_cli(config, "reports", "list")
    assert code == 0 and "cancelled by" in out and f"cancels {reference} ({via('Berit')})" in out
    code, out, _ = run_cli(config, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["entries"] == 2
