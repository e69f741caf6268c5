"""No lost work: an unfinished report outlives its call for half an hour and is offered to the next call from
the same number; silence never registers anything, and says so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.calls.models import CallStateRow
from ivr.clock import FrozenClock
from ivr.reports.models import Report
from tests.conftest import SWITCHBOARD, WARD_61, WARD_62, Caller, stockholm
from tests.fixtures_reports import OTHER_PATIENT, PATIENT, choose_receiver, key_patient, to_patient, to_summary

RESUME_OFFER = "Du har en rapport som inte är registrerad"


def reports(db_session: Session) -> list[Report]:
    db_session.expire_all()
    return list(db_session.scalars(select(Report).order_by(Report.seq)))


def states(db_session: Session) -> int:
    db_session.expire_all()
    return int(db_session.scalar(select(func.count()).select_from(CallStateRow)) or 0)


def test_hanging_up_at_the_summary_leaves_a_report_the_next_call_goes_on_with(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    first = to_summary(caller.dial(WARD_61))
    first.hangup()
    assert reports(db_session) == []

    clock.advance(timedelta(minutes=20))
    call = caller.dial(WARD_61)
    assert (
        f"{RESUME_OFFER}: utskrivningsklar till Luleå kommun, patienten som slutar på nittionio åttiosex. "
        "Fortsätt med den: tryck 1. Ta bort den: tryck 2." in call.heard
    )
    assert PATIENT not in call.heard and "nitton fyrtiosex" not in call.heard  # only the last four digits
    assert call.uninterruptible == []
    call.press("1")
    assert "Säg ditt namn" in call.heard  # the phone may be shared: the caller's own name is asked again
    call.say("Bo Berg")
    call.press("1")
    assert call.heard.startswith("Utskrivningsklar till Luleå kommun.")
    call.press("1")
    [report] = reports(db_session)
    assert (report.patient_number, report.caller_name, report.call_sid) == (PATIENT, "Bo Berg", call.call_sid)
    assert report.official_at == stockholm(2026, 11, 23, 10, 20)  # the call in which it was registered
    assert [d.receiver_code for d in report.deliveries] == ["2580"]
    assert states(db_session) == 1  # the earlier call's draft was taken over, only this call's state is left


def test_three_wrong_tries_keep_what_was_keyed_and_the_switchboard_answers(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    for _ in range(3):
        call.press("9999")
    assert "Rapporten är inte registrerad, men det du har knappat in sparas." in call.heard
    assert call.dialled == [SWITCHBOARD]
    call.dial_outcome("completed")
    assert call.ended and reports(db_session) == []

    clock.advance(timedelta(minutes=5))
    call = caller.dial(WARD_61)
    assert f"{RESUME_OFFER}: utskrivningsklar, patienten som slutar på nittionio åttiosex." in call.heard
    call.press("1")
    assert call.heard.startswith("Vilken kommun?")  # where it stopped: the patient is kept
    choose_receiver(call, "2580")
    call.press("2")
    call.say("Anna Andersson")
    call.press("1")
    call.press("1")
    assert [r.patient_number for r in reports(db_session)] == [PATIENT]


def test_after_half_an_hour_or_from_another_number_nothing_is_offered(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    to_summary(caller.dial(WARD_61)).hangup()
    assert RESUME_OFFER not in caller.dial(WARD_62).heard
    clock.advance(timedelta(minutes=31))
    call = caller.dial(WARD_61)
    assert RESUME_OFFER not in call.heard and "Felanmälan: tryck 2" in call.heard


def test_a_report_still_in_another_call_is_never_offered(caller: Caller, db_session: Session) -> None:
    to_summary(caller.dial(WARD_61))  # still on the line (e.g. a second extension behind the same number)
    assert RESUME_OFFER not in caller.dial(WARD_61).heard


def test_2_removes_the_unfinished_report_and_it_is_not_offered_again(caller: Caller, db_session: Session) -> None:
    to_summary(caller.dial(WARD_61)).hangup()
    call = caller.dial(WARD_61)
    call.press("2")
    assert call.heard.startswith("Rapporten är borttagen. Inskrivning och utskrivning: tryck 1.")
    call.hangup()
    assert RESUME_OFFER not in caller.dial(WARD_61).heard


def test_silence_at_the_resume_offer_keeps_it_and_goes_to_the_main_menu(caller: Caller) -> None:
    to_summary(caller.dial(WARD_61)).hangup()
    call = caller.dial(WARD_61)
    call.silence().silence().silence()
    assert "Du kommer tillbaka till huvudmenyn" in call.heard
    call.hangup()
    assert RESUME_OFFER in caller.dial(WARD_61).heard


def test_a_registered_report_is_never_offered_again(caller: Caller) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")
    call.hangup()
    assert RESUME_OFFER not in caller.dial(WARD_61).heard


def test_silence_at_the_summary_says_the_report_is_not_registered_and_never_registers_it(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.silence()
    assert call.heard.startswith("Rapporten är inte registrerad än.")
    assert "Registrera: tryck 1." in call.heard
    call.silence()
    call.silence()
    assert "det du har knappat in sparas" in call.heard and call.dialled == [SWITCHBOARD]
    call.hangup()
    assert reports(db_session) == []
    assert RESUME_OFFER in caller.dial(WARD_61).heard


def test_a_resumed_changed_assessment_keeps_the_doctor(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61), event_key="5")
    key_patient(call, OTHER_PATIENT)
    call.say("Cecilia Lund")
    call.press("1")
    call.hangup()
    call = caller.dial(WARD_61)
    call.press("1")
    assert call.heard.startswith("Inte längre utskrivningsklar: tryck 1.")  # the doctor is not asked again
    call.press("1")
    call.say("Anna Andersson")
    call.press("1")
    assert "Bedömd av Cecilia Lund." in call.heard
    call.press("1")
    [report] = reports(db_session)
    assert '"doctor_name": "Cecilia Lund"' in report.event_data
