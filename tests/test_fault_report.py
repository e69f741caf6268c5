"""The fault report: a ticket with a reference, the right number with a whisper, the chain, voicemail, SMS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from call_flows.speech import reference
from ivr.clock import FrozenClock
from ivr.faults.models import FaultDialAttempt, FaultTicket
from ivr.outbox.models import OutboxMessage
from ivr.outbox.service import messages_for
from ivr.schema import metadata
from tests.conftest import LINKOPING_LINE, SWITCHBOARD, UNKNOWN_CALLER, WARD_61, Caller, stockholm
from tests.fixtures_voice_line import (
    HELP_DESK_NORRBOTTEN,
    HOME_CARE_RYD,
    STANDBY_LINKOPING,
    STANDBY_NORRBOTTEN,
    STANDBY_NORRBOTTEN_SMS,
    ivr_json,
    report_fault,
    resend,
    ticket_of,
)

WARD_61_SMS = "+46701740606"


def test_a_fault_report_ends_as_a_ticket_and_a_dial_to_the_help_desk_with_a_whisper(
    caller: Caller, db_session: Session
) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    assert call.heard == "Felanmälan. Säg ditt namn."
    call.say("Anna Andersson")
    assert call.heard == "Anna Andersson? Ja: tryck 1. Nej: tryck 2."
    call.press("1")  # the unit from caller ID was announced at the greeting: not asked again
    assert call.heard == "Gäller felet Lifecare SP? Ja: tryck 1. Ett annat system: tryck 2."
    call.press("1")
    assert "Kan inte logga in: tryck 1." in call.heard
    call.press("1")

    ticket = ticket_of(db_session, call)
    assert ticket.reference is not None and len(ticket.reference) == 6
    assert f"Referens {reference(ticket.reference)}." in call.heard
    assert (ticket.reporter_name, ticket.unit_code, ticket.system, ticket.kind) == (
        "Anna Andersson",
        "101",
        "Lifecare SP",
        "login",
    )
    assert ticket.routed_to == "help_desk"
    assert call.dialled == [HELP_DESK_NORRBOTTEN]
    assert call.whisper_url is not None

    leg = call.answer(keys=["1"])
    # What the routine says a fault report states: who, which unit found it, what kind of fault.
    assert reference(ticket.reference) in leg.heard_all
    assert "Från Anna Andersson, Avdelning 61 medicin, Sunderby sjukhus." in leg.heard_all
    assert "Lifecare SP: kan inte logga in." in leg.heard_all
    assert call.ended
    ticket = ticket_of(db_session, call)
    assert (ticket.outcome, ticket.connected_number) == ("connected", HELP_DESK_NORRBOTTEN)


def test_the_reporter_gets_a_receipt_by_sms_without_their_name(caller: Caller, db_session: Session) -> None:
    call = report_fault(caller.dial(WARD_61))
    ticket = ticket_of(db_session, call)
    [receipt] = messages_for(session=db_session, subject=f"ticket:{ticket.reference}")
    assert (receipt.template, receipt.to_number) == ("fault_receipt", WARD_61_SMS)
    assert ticket.reference is not None and ticket.reference in receipt.body
    assert "Teknikakuten" in receipt.body
    assert "Anna" not in receipt.body


@pytest.mark.parametrize("keys", [[""], ["2"]], ids=["personal voicemail or silence", "declined with 2"])
def test_a_call_not_taken_in_the_whisper_goes_on_to_the_switchboard(
    caller: Caller, db_session: Session, keys: list[str]
) -> None:
    call = report_fault(caller.dial(WARD_61))
    call.answer(keys=keys)
    assert not call.ended
    assert "Ingen svarade. Jag försöker Region Norrbottens växel." in call.heard
    assert call.dialled == [SWITCHBOARD]
    attempts = db_session.scalars(select(FaultDialAttempt).order_by(FaultDialAttempt.position)).all()
    assert [(a.number, a.dial_status, a.accepted_at) for a in attempts] == [
        (HELP_DESK_NORRBOTTEN, "completed", None),
        (SWITCHBOARD, None, None),
    ]


def test_at_night_nobody_answering_ends_in_voicemail_and_an_sms_to_the_standby(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    clock.set(stockholm(2026, 11, 24, 2, 30))
    call = report_fault(caller.dial(WARD_61))
    assert "Användarstödet har stängt. Du kopplas till beredskapen." in call.heard
    assert "Teknikakutens beredskap" not in call.heard  # the unit's own name for itself is not repeated
    assert call.dialled == [STANDBY_NORRBOTTEN]
    call.dial_outcome("no-answer")
    assert call.dialled == [SWITCHBOARD]
    call.dial_outcome("busy")
    assert "Lämna ett meddelande" in call.heard
    call.record(seconds=20)
    assert "Meddelandet är sparat" in call.heard
    assert call.ended

    ticket = ticket_of(db_session, call)
    assert ticket.outcome == "voicemail"
    assert ticket.voicemail_url is not None and ticket.voicemail_url.startswith("https://api.twilio.com/")
    assert ticket.voicemail_seconds == 20
    notices = messages_for(session=db_session, subject=f"ticket:{ticket.reference}")
    notice = next(m for m in notices if m.template == "fault_voicemail_notice")
    assert notice.to_number == STANDBY_NORRBOTTEN_SMS
    assert "Avdelning 61" in notice.body
    assert ticket.reference is not None and ticket.reference in notice.body


def test_a_name_not_recognised_twice_is_recorded_instead(caller: Caller, db_session: Session) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    call.silence()
    assert "Jag uppfattade inte namnet" in call.heard
    assert call.waiting_for == "Gather"
    call.say("mumble", confidence=0.1)
    assert "efter tonen" in call.heard
    assert call.waiting_for == "Record"
    call.record(seconds=3)
    assert call.heard.startswith("Gäller felet Lifecare SP?")
    call.press("1").press("1")  # system, kind: the ticket is filed
    ticket = ticket_of(db_session, call)
    assert ticket.reference is not None
    assert ticket.reporter_name is None
    assert ticket.name_recording_url is not None
    leg = call.answer(keys=["1"])
    # The name the line could not recognise is played to the person answering, with the unit.
    assert f"Anmälarens namn: [ljud: {ticket.name_recording_url}] Från Avdelning 61" in leg.heard_all


def test_pressing_2_at_the_read_back_asks_for_the_name_again(caller: Caller, db_session: Session) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    call.say("Ana Anderson")
    call.press("2")
    assert call.heard == "Säg namnet igen."  # not "Jag uppfattade inte namnet": it was heard, just wrongly
    call.say("Anna Andersson")
    call.press("1")
    call.press("1").press("1")  # system, kind: the ticket is filed
    assert ticket_of(db_session, call).reporter_name == "Anna Andersson"


def test_a_caller_not_in_the_directory_keys_the_unit_code_and_an_unknown_code_is_retried(
    caller: Caller, db_session: Session
) -> None:
    call = caller.dial(UNKNOWN_CALLER)
    call.press("2")
    call.say("Bo Berg")
    call.press("1")
    assert "Knappa in din enhets kod" in call.heard
    call.press("999#")
    assert "Koden nio, nio, nio finns inte" in call.heard
    call.press("2580#")
    assert "Luleå kommun? Ja: tryck 1. Nej: tryck 2." in call.heard
    call.press("1")
    assert "Gäller felet Lifecare SP?" in call.heard
    call.press("2")  # another system
    call.press("4")
    ticket = ticket_of(db_session, call)
    assert (ticket.unit_code, ticket.unit_name, ticket.system, ticket.kind) == ("2580", "Luleå kommun", None, "other")
    [receipt] = messages_for(session=db_session, subject=f"ticket:{ticket.reference}")
    assert receipt.to_number == "+46701740631"  # Luleå kommun's SMS number, not the caller's mobile


def test_silence_at_a_fault_question_repeats_it_then_returns_to_the_main_menu(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    call.say("Anna Andersson")
    call.press("1")
    call.silence()
    assert "Jag hörde inget" in call.heard
    assert "Gäller felet Lifecare SP?" in call.heard
    call.press("9")
    assert "Det valet finns inte" in call.heard
    call.silence()
    assert "huvudmenyn" in call.heard
    assert "Felanmälan: tryck 2." in call.heard


def test_zero_reaches_the_switchboard_from_inside_the_fault_report(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    call.say("Anna Andersson")
    call.press("1")
    call.press("0")
    assert call.dialled == [SWITCHBOARD]


def test_retried_webhooks_return_the_same_answer_and_store_nothing_twice(caller: Caller, db_session: Session) -> None:
    call = caller.dial(WARD_61)
    call.press("2")
    entered = call.last
    assert entered is not None and call.retry_last().body == entered.body
    call.say("Anna Andersson")
    call.retry_last()
    call.press("1")
    call.press("1")
    call.press("1")  # files the ticket, then rings the help desk
    first = call.last
    again = call.retry_last()
    assert first is not None and again.body == first.body
    call.dial_outcome("no-answer")
    call.dial_outcome("no-answer")
    call.record()
    assert call.ended
    first_answer, retried = resend(call, "/voice/fault/voicemail")
    assert retried.body == first_answer.body
    assert "Meddelandet är sparat" in retried.body

    assert db_session.scalar(select(func.count()).select_from(FaultTicket)) == 1
    assert db_session.scalar(select(func.count()).select_from(FaultDialAttempt)) == 2
    templates = db_session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
    assert templates == ["fault_receipt", "fault_voicemail_notice"]


def test_tickets_list_shows_reference_time_unit_system_kind_route_and_outcome(
    app: Flask, caller: Caller, db_session: Session
) -> None:
    call = report_fault(caller.dial(WARD_61), kind_key="3")
    call.answer(keys=["1"])
    [listed] = ivr_json(app, "tickets", "list")
    ticket = ticket_of(db_session, call)
    assert listed["reference"] == ticket.reference
    assert listed["time"] == stockholm(2026, 11, 23, 10, 0).isoformat()
    assert listed["unit"] == {"code": "101", "name": "Avdelning 61 medicin, Sunderby sjukhus"}
    assert (listed["system"], listed["kind"], listed["routed_to"], listed["outcome"]) == (
        "Lifecare SP",
        "slow",
        "help_desk",
        "connected",
    )
    assert listed["reporter"] == {"name": "Anna Andersson", "name_recorded": False}  # who reports, per the routine


@pytest.fixture
def drop_tickets(app: Flask) -> Iterator[Engine]:
    """Drops the ticket tables for a test (a real failure, not a mock) and rebuilds them afterwards."""
    engine: Engine = app.extensions["ivr.engine"]
    tables = [metadata.tables["fault_dial_attempts"], metadata.tables["fault_tickets"]]
    yield engine
    metadata.create_all(engine, tables=tables, checkfirst=True)


def test_a_database_failure_inside_the_fault_report_ends_in_an_apology_and_the_switchboard(
    caller: Caller, drop_tickets: Engine
) -> None:
    call = caller.dial(WARD_61)
    metadata.drop_all(drop_tickets, tables=[metadata.tables["fault_dial_attempts"], metadata.tables["fault_tickets"]])
    call.press("2")
    assert "Förlåt, något gick fel" in call.heard
    assert call.dialled == [SWITCHBOARD]


def test_on_the_linkoping_line_at_night_lkdata_is_rung_and_a_closed_switchboard_is_skipped(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    clock.set(stockholm(2026, 11, 28, 23, 0))  # Saturday night: the Linköping switchboard is closed
    call = report_fault(caller.dial(HOME_CARE_RYD, LINKOPING_LINE), system_key="2", kind_key="2")
    assert call.dialled == [STANDBY_LINKOPING]
    call.answer(keys=[""])  # LKDATA's answering machine takes the call without pressing 1
    assert "Lämna ett meddelande" in call.heard
    call.record()
    ticket = ticket_of(db_session, call)
    assert (ticket.system, ticket.kind, ticket.outcome) == ("TES", "unreachable", "voicemail")
    notice = next(
        m
        for m in messages_for(session=db_session, subject=f"ticket:{ticket.reference}")
        if m.template == "fault_voicemail_notice"
    )
    assert notice.status == "skipped"  # LKDATA has no SMS number in the directory; the skip is on record


def test_three_bad_unit_codes_say_the_report_goes_on_without_a_unit(caller: Caller, db_session: Session) -> None:
    call = caller.dial(UNKNOWN_CALLER)
    call.press("2")
    call.say("Bo Berg")
    call.press("1")
    for _ in range(3):
        call.press("999#")
    assert call.heard.startswith("Koden nio, nio, nio finns inte. Felanmälan fortsätter utan enhet.")
    assert "Gäller felet Lifecare SP?" in call.heard
    call.press("1").press("2")
    ticket = ticket_of(db_session, call)
    assert (ticket.unit_code, ticket.reporter_name, ticket.kind) == (None, "Bo Berg", "unreachable")
    leg = call.answer(keys=["1"])
    assert "Från Bo Berg, okänd enhet." in leg.heard_all


def test_a_new_call_asks_the_name_again_and_the_summary_can_change_it(caller: Caller, db_session: Session) -> None:
    from tests.fixtures_reports import key_patient

    call = report_fault(caller.dial(WARD_61))
    call.answer(keys=["1"])
    assert call.ended  # a fault call ends with the help desk; a new call starts the report
    call = caller.dial(WARD_61)
    call.press("1")  # care report
    call.press("3")
    key_patient(call)
    assert "Säg ditt namn" in call.heard  # a new call: asked again
    call.say("Anna Andersson")
    call.press("1")
    call.press("2")  # the summary's "change": the name is among what can be changed
    assert "Ditt namn: tryck 6." in call.heard
