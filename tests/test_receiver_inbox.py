"""A way back for receivers: a municipality that missed the connected call hears its unacknowledged reports
when it calls the line, acknowledges each by phone, or is put through to the reporting ward."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.caller import Call
from ivr.clock import FrozenClock
from ivr.outbox.models import OutboxMessage
from ivr.reports.models import Report, ReportDelivery
from tests.conftest import UNKNOWN_CALLER, WARD_61, WARD_62, Caller
from tests.fixtures_reports import LULEA_KOMMUN_PHONE, OTHER_PATIENT, PATIENT, WARD_61_SMS, key_patient, to_patient
from tests.fixtures_voice_line import ivr_json, run_ivr


def missed_report(caller: Caller, ward: str = WARD_61, patient: str = PATIENT) -> str:
    """A discharge-ready report to Luleå kommun, whose phone nobody answered; returns its reference."""
    call = to_patient(caller.dial(ward))
    key_patient(call, patient)
    if "Säg ditt namn" in call.heard:
        call.say("Anna Andersson")
        call.press("1")
    call.press("1")
    assert "Registrerad" in call.heard
    call.dial_outcome("no-answer")
    call.hangup()
    messages = [m for m in ivr_json_app(caller, "reports", "unacknowledged") if m["reporting_unit_phone"] == ward]
    return str(messages[-1]["reference"])


def ivr_json_app(caller: Caller, *args: str) -> list[dict[str, object]]:
    app: Flask = caller.transport.client.application
    rows: list[dict[str, object]] = ivr_json(app, *args)
    return rows


def spoken(reference: str) -> str:
    from call_flows.speech import reference as in_pairs

    return in_pairs(reference)


def delivery(db_session: Session, reference: str) -> ReportDelivery:
    db_session.expire_all()
    return db_session.scalars(select(ReportDelivery).join(Report).where(Report.reference == reference)).one()


def test_a_municipality_with_a_missed_report_hears_it_waiting_and_acknowledges_it_by_phone(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    reference = missed_report(caller)
    call = caller.dial(LULEA_KOMMUN_PHONE)
    assert "Du ringer från Luleå kommun. Du har en okvitterad rapport." in call.heard
    assert "Okvitterade rapporter: tryck 4." in call.heard
    call.press("4")
    assert call.heard == (
        "Du har en okvitterad rapport. Utskrivningsklar från Avdelning 61 medicin, Sunderby sjukhus, i dag klockan "
        f"tio, referens {spoken(reference)}. Kvittera: tryck 1. Koppla till Avdelning 61 medicin, Sunderby sjukhus: "
        "tryck 2. Nästa: tryck 3."
    )
    assert "nitton fyrtiosex" not in call.heard_all and PATIENT not in call.heard_all  # no patient data by phone
    call.press("1")
    assert call.heard.startswith(
        "Kvitterad. Avdelning 61 medicin, Sunderby sjukhus får ett SMS. Inga fler okvitterade rapporter."
    )
    row = delivery(db_session, reference)
    assert row.acknowledged_at == clock.now() and row.outcome == "no_answer"  # how the call went stays on record
    [entry] = list_audit(session=db_session, action="reports.acknowledge")
    assert json.loads(entry.detail) == {"receiver": "2580", "channel": "phone"}
    assert entry.actor == f"Luleå kommun (telefon {LULEA_KOMMUN_PHONE})"
    receipt = db_session.scalars(select(OutboxMessage).where(OutboxMessage.template == "report_acknowledged")).one()
    assert receipt.to_number == WARD_61_SMS and "Luleå kommun har kvitterat" in receipt.body
    assert PATIENT not in receipt.body
    assert ivr_json_app(caller, "reports", "unacknowledged") == []
    call.hangup()
    again = caller.dial(LULEA_KOMMUN_PHONE)
    assert "okvitterad" not in again.heard and "tryck 4" not in again.heard


def test_a_retried_acknowledgement_sends_one_sms(caller: Caller, db_session: Session) -> None:
    missed_report(caller)
    call = caller.dial(LULEA_KOMMUN_PHONE)
    call.press("4")
    call.press("1")
    call.retry_last()
    db_session.expire_all()
    templates = db_session.scalars(select(OutboxMessage.template)).all()
    assert templates.count("report_acknowledged") == 1


def test_2_puts_the_municipality_through_to_the_reporting_ward_and_3_goes_on(caller: Caller) -> None:
    first = missed_report(caller, WARD_61, PATIENT)
    second = missed_report(caller, WARD_62, OTHER_PATIENT)
    call = caller.dial(LULEA_KOMMUN_PHONE)
    assert "Du har två okvitterade rapporter." in call.heard
    call.press("4")
    assert spoken(first) in call.heard
    call.press("2")
    assert call.heard == "Du kopplas till Avdelning 61 medicin, Sunderby sjukhus."
    assert call.dialled == [WARD_61]
    call.dial_outcome("completed")
    assert spoken(first) in call.heard and "Kvittera: tryck 1" in call.heard  # back at the same report
    call.press("3")
    assert spoken(second) in call.heard and "Avdelning 62 kirurgi" in call.heard
    call.press("3")
    assert call.heard.startswith("Inga fler okvitterade rapporter. Redo för hemtagning: tryck 1.")
    assert [r["reference"] for r in ivr_json_app(caller, "reports", "unacknowledged")] == [first, second]


def test_an_unknown_number_keys_its_unit_code(caller: Caller) -> None:
    reference = missed_report(caller)
    call = caller.dial(UNKNOWN_CALLER)
    assert "Rapporter till din enhet: tryck 4." in call.heard
    call.press("4")
    assert call.heard == "Knappa in din enhets kod och avsluta med fyrkant."
    call.press("58101#")
    assert "Hemtjänsten Ryd tar inte emot rapporter." in call.heard
    call.press("2580#")
    assert call.heard == "Luleå kommun? Ja: tryck 1. Nej: tryck 2."
    call.press("1")
    assert spoken(reference) in call.heard and "Du har en okvitterad rapport." in call.heard


def test_a_unit_with_nothing_waiting_hears_so_and_the_main_menu(caller: Caller) -> None:
    call = caller.dial(LULEA_KOMMUN_PHONE)
    assert "tryck 4" not in call.heard  # not offered: nothing waits
    call.press("4")  # the key works anyway
    assert call.heard.startswith("Det finns inga okvitterade rapporter till Luleå kommun. Redo för hemtagning")


def test_a_cancelled_or_connected_report_is_not_in_the_inbox(app: Flask, caller: Caller) -> None:
    reference = missed_report(caller)
    assert run_ivr(app, "reports", "cancel", reference, "--reason", "fel patient").exit_code == 0
    answered = to_patient(caller.dial(WARD_62))
    key_patient(answered, OTHER_PATIENT)
    answered.say("Bo Berg")
    answered.press("1")
    answered.press("1")
    answered.answer(keys=["1"])  # Luleå kommun took this one on the call
    call: Call = caller.dial(LULEA_KOMMUN_PHONE)
    assert "okvitterad" not in call.heard
