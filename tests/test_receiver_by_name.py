"""The receiver by name: nurses say the municipality (or unit) instead of keying its code; the code still works,
and the receiver of the ward's last report is one key away."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.caller import Call
from ivr.caller.rules import parse_document
from ivr.clock import FrozenClock
from ivr.reports.models import Report
from tests.conftest import WARD_61, WARD_62, Caller
from tests.fixtures_reports import OTHER_PATIENT, PATIENT, to_patient


def receivers_of_last(db_session: Session) -> list[str]:
    db_session.expire_all()
    report = db_session.scalars(select(Report).order_by(Report.seq.desc())).first()
    assert report is not None
    return [d.receiver_code for d in report.deliveries]


def finish(call: Call, *, name: str | None = "Anna Andersson") -> Call:
    """From the extra-receiver question: no extra receiver, the name (if asked), register."""
    call.press("2")
    if name is not None and "Säg ditt namn" in call.heard:
        call.say(name)
        call.press("1")
    return call.press("1")


def gather_of(call: Call) -> ET.Element:
    assert call.last is not None
    gather = next((verb for verb in parse_document(call.last.body) if verb.tag == "Gather"), None)
    assert gather is not None
    return gather


def test_the_receiver_question_listens_for_swedish_speech_with_hints_from_the_directory(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    gather = gather_of(call)
    assert (gather.get("input"), gather.get("language"), gather.get("bargeIn")) == ("dtmf speech", "sv-SE", "true")
    hints = gather.get("hints") or ""
    assert "Luleå" in hints and "Kiruna kommun" in hints and "[" not in hints
    assert "Hertsön" not in hints  # only municipalities are asked for here
    assert gather.get("numDigits") == "4"  # a municipality's code is still four keys


@pytest.mark.parametrize("said", ["Luleå", "luleå kommun", "Lulea", "till Luleå kommun tack", "Luleå kommun."])
def test_a_municipality_said_by_name_is_read_back_and_registered(
    caller: Caller, db_session: Session, said: str
) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say(said)
    assert call.heard == "Luleå kommun? Ja: tryck 1. Nej: tryck 2."
    call.press("1")
    assert "Även till en öppenvårdsenhet?" in call.heard
    finish(call)
    assert receivers_of_last(db_session) == ["2580"]


def test_2_at_the_read_back_asks_for_the_receiver_again(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Piteå")
    call.press("2")
    assert call.heard.startswith("Vilken kommun?")
    call.say("Boden")
    call.press("1")
    finish(call)
    assert receivers_of_last(db_session) == ["2582"]


def test_an_unknown_name_is_said_to_be_unknown_and_asked_again(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Stockholm")
    assert call.heard.startswith("Jag hittade ingen med det namnet.")
    assert "Vilken kommun?" in call.heard


def test_a_name_of_the_wrong_kind_is_not_taken(caller: Caller) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Hälsocentralen Hertsön")  # an outpatient unit, but a municipality is asked for
    assert call.heard.startswith("Jag hittade ingen med det namnet.")


def test_an_ambiguous_name_lists_the_candidates_and_asks_again(caller: Caller, db_session: Session) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Luleå")
    call.press("1")
    call.press("1")  # also to an outpatient unit
    assert call.heard.startswith("Vilken öppenvårdsenhet? Säg namnet eller knappa koden och fyrkant.")
    call.say("hälsocentralen")
    assert call.heard.startswith("Jag hittade flera: ")
    assert "Säg hela namnet eller knappa koden." in call.heard
    call.say("Hertsön")
    assert call.heard == "Hälsocentralen Hertsön, Luleå? Ja: tryck 1. Nej: tryck 2."
    call.press("1")
    call.say("Anna Andersson")
    call.press("1")
    call.press("1")
    assert receivers_of_last(db_session) == ["2580", "601"]


def test_the_same_receiver_as_the_wards_last_report_is_one_key(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Kiruna")
    call.press("1")
    finish(call)
    call.answer(keys=["1"])
    call.hangup()

    clock.advance(timedelta(hours=2))
    call = to_patient(caller.dial(WARD_61))
    call.press(OTHER_PATIENT)
    assert "Till Kiruna kommun igen? Ja: tryck 1. En annan: tryck 2." in call.heard
    call.press("1")  # no read-back needed: the question was the read-back
    finish(call)
    assert receivers_of_last(db_session) == ["2584"]

    other = to_patient(caller.dial(WARD_62))  # another ward has no "last report"
    other.press(PATIENT)
    assert "igen?" not in other.heard and "Vilken kommun?" in other.heard


def test_the_same_receiver_is_not_offered_after_a_shift(caller: Caller, clock: FrozenClock) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Kiruna")
    call.press("1")
    finish(call)
    call.hangup()
    clock.advance(timedelta(hours=9))
    call = to_patient(caller.dial(WARD_61))
    call.press(OTHER_PATIENT)
    assert "igen?" not in call.heard


def test_2_at_the_same_receiver_question_asks_for_another(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    call = to_patient(caller.dial(WARD_61))
    call.press(PATIENT)
    call.say("Kiruna")
    call.press("1")
    finish(call)
    call.hangup()
    call = to_patient(caller.dial(WARD_61))
    call.press(OTHER_PATIENT)
    call.press("2")
    assert call.heard.startswith("Vilken kommun?")
    call.press("2580")
    call.press("1")
    finish(call)
    assert receivers_of_last(db_session) == ["2580"]
