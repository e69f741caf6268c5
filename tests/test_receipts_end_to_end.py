"""From a phoned-in report to two delivered SMS: the caller, the outbox, the worker and a Twilio-like server."""

from collections.abc import Generator

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outbox.models import OutboxMessage
from ivr.reports.models import Report
from tests.conftest import WARD_61, Caller
from tests.fixtures_outbox import FakeTwilio, make_worker, sender_for, serve_fake_twilio
from tests.fixtures_reports import LULEA_SMS, PATIENT, WARD_61_SMS, to_summary


def fake_twilio() -> Generator[FakeTwilio, None, None]:
    yield from serve_fake_twilio()


def test_a_phoned_in_report_ends_in_exactly_two_delivered_receipts_without_patient_identifiers(
    app: Flask, config: Config, clock: FrozenClock, caller: Caller, db_session: Session
) -> None:
    call = to_summary(caller.dial(WARD_61))
    call.press("1")  # register
    call.hangup()
    report = db_session.scalars(select(Report)).one()

    servers = fake_twilio()
    fake = next(servers)
    try:
        outcomes = make_worker(app, sender_for(config, fake), clock).run_once()
        again = make_worker(app, sender_for(config, fake), clock).run_once()  # nothing is sent twice
    finally:
        servers.close()

    assert sorted(form["To"] for form in fake.received) == sorted([WARD_61_SMS, LULEA_SMS])
    assert len(fake.received) == 2
    assert sum(outcomes.values()) == 2 and not any(again.values())
    for form in fake.received:
        body = form["Body"]
        assert report.reference in body and "Utskrivningsklar" in body
        assert PATIENT not in body and PATIENT[2:] not in body and PATIENT[:8] not in body
    db_session.expire_all()
    sids = [m.twilio_sid for m in db_session.scalars(select(OutboxMessage))]
    assert len(sids) == 2 and all(sid and sid.startswith("SM") for sid in sids)
