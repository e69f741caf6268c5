"""The hour the line exists for: a region calling at once, and Twilio retrying while the first try still runs.

Against `ivr serve` itself (gunicorn, two processes, threads) on SQLite and on PostgreSQL: every complete call
registers exactly one record, and a step whose identical request arrives several times at once still files
one ticket, one report, one voicemail and exactly the SMS it should.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.caller import Call, HttpTransport
from ivr.caller.transport import HttpResult
from ivr.config import Config
from ivr.faults.models import FaultTicket
from ivr.outbox.models import OutboxMessage
from ivr.reports.chain import verify_chain
from ivr.reports.models import Report, ReportDelivery
from tests.conftest import AUTH_TOKEN, NORRBOTTEN_LINE, TESTDATA, WARD_61
from tests.servers import ivr_serve, service_env

CALLERS = 20
COPIES = 4  # each request of a replayed call arrives this many times at once
WARDS = ["+46980319202", "+46980319203", "+46980319204", "+46980319205"]  # Avdelning 61–64, Sunderby sjukhus


def patients(count: int) -> list[str]:
    numbers: list[str] = json.loads((TESTDATA / "skatteverket-testpersonnummer.json").read_text(encoding="utf-8"))
    return random.Random(20261123).sample(numbers, count)


@pytest.fixture
def server(app: Flask, config: Config, tmp_path: Path) -> Iterator[str]:
    """`ivr serve` (two processes) on the test database, which the `app` fixture emptied and gave the directory."""
    with ivr_serve(service_env(tmp_path, config.database_url), "--workers", "2", "--threads", "8") as (url, _):
        yield url


class Replaying:
    """A transport that sends every request `copies` times at once, like Twilio retrying a slow webhook."""

    def __init__(self, copies: int) -> None:
        self.inner = HttpTransport()
        self.copies = copies
        self.pool = ThreadPoolExecutor(max_workers=copies)

    def send(self, method: str, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResult:
        start = threading.Barrier(self.copies)

        def one() -> HttpResult:
            start.wait()
            return self.inner.send(method, url, params, headers)

        answers = [future.result() for future in [self.pool.submit(one) for _ in range(self.copies)]]
        assert all(a.status in (200, 204) for a in answers), [a.status for a in answers]
        return answers[0]


def finish(call: Call) -> None:
    """Whatever time it is: take every whispered call with 1, end every other dial, decline more patients."""
    while not call.ended:
        if call.waiting_for == "Dial":
            if call.whisper_url is not None:
                call.answer(keys=["1"])
            else:
                call.dial_outcome("completed")
        else:
            call.press("2")  # "1 for another patient, 2 to end"


def report_call(url: str, patient: str, ward: str, transport: object | None = None) -> Call:
    """A complete discharge-ready report from a ward to Luleå kommun."""
    call = Call(transport or HttpTransport(), AUTH_TOKEN, url, from_number=ward, to_number=NORRBOTTEN_LINE)  # type: ignore[arg-type]
    call.start()
    call.press("1").press("3")  # report (the unit from caller ID), discharge-ready
    call.press(patient)
    if "Till Luleå kommun igen?" in call.heard:  # the ward reported to it a moment ago
        call.press("1")
    else:
        call.press("2580").press("1")  # Luleå kommun
    call.press("2")  # no other receiver
    call.say("Anna Andersson").press("1")
    call.press("1")  # register
    finish(call)
    return call


def fault_call(url: str, ward: str, transport: object | None = None, *, to_voicemail: bool = False) -> Call:
    """A complete fault report: name (the unit from caller ID), Lifecare SP, cannot log in; then put through."""
    call = Call(transport or HttpTransport(), AUTH_TOKEN, url, from_number=ward, to_number=NORRBOTTEN_LINE)  # type: ignore[arg-type]
    call.start()
    call.press("2").say("Anna Andersson").press("1")
    call.press("1").press("1")
    if to_voicemail:
        while call.waiting_for == "Dial":
            call.dial_outcome("no-answer")
        call.record(seconds=12)
    finish(call)
    return call


def at_once(count: int, work: Callable[[int], Call]) -> list[Call]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(work, range(count)))


def count(session: Session, *where: object, model: object = OutboxMessage) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_twenty_care_reports_at_once_are_all_registered_once(server: str, db_session: Session) -> None:
    numbers = patients(CALLERS)
    calls = at_once(CALLERS, lambda i: report_call(server, numbers[i], WARDS[i % len(WARDS)]))

    assert all("Registrerad klockan" in call.heard_all for call in calls)
    assert not any("något gick fel" in call.heard_all for call in calls)
    reports = db_session.scalars(select(Report)).all()
    assert sorted(r.patient_number or "" for r in reports) == sorted(numbers)
    assert len({r.reference for r in reports}) == CALLERS
    assert verify_chain(db_session).ok
    assert count(db_session, OutboxMessage.template == "report_receipt") == CALLERS
    assert count(db_session, OutboxMessage.template == "report_notice") == CALLERS


def test_twenty_fault_reports_at_once_each_file_one_ticket(server: str, db_session: Session) -> None:
    calls = at_once(CALLERS, lambda i: fault_call(server, WARDS[i % len(WARDS)]))

    assert not any("något gick fel" in call.heard_all for call in calls)
    tickets = db_session.scalars(select(FaultTicket)).all()
    assert len(tickets) == CALLERS and all(t.reference for t in tickets)
    assert len({t.reference for t in tickets}) == CALLERS
    assert count(db_session, OutboxMessage.template == "fault_receipt") == CALLERS
    for call, ticket in ((c, next(t for t in tickets if t.call_sid == c.call_sid)) for c in calls):
        assert ticket.reference is not None
        assert digits_of(ticket.reference) in call.heard_all or ticket.outcome == "connected"


def test_a_report_call_whose_every_request_arrives_four_times_at_once_registers_one_report(
    server: str, db_session: Session
) -> None:
    [patient] = patients(1)
    call = report_call(server, patient, WARD_61, transport=Replaying(COPIES))

    assert "något gick fel" not in call.heard_all
    [report] = db_session.scalars(select(Report)).all()
    assert report.patient_number == patient
    assert count(db_session, OutboxMessage.subject == f"report:{report.reference}") == 2
    assert verify_chain(db_session).ok
    deliveries = db_session.scalars(select(ReportDelivery)).all()
    assert len(deliveries) == 1
    assert deliveries[0].acknowledged_at is not None or deliveries[0].outcome == "closed"


def test_a_fault_call_whose_every_request_arrives_four_times_at_once_files_one_ticket_and_one_notice(
    server: str, db_session: Session
) -> None:
    call = fault_call(server, WARD_61, transport=Replaying(COPIES), to_voicemail=True)

    assert "något gick fel" not in call.heard_all
    [ticket] = db_session.scalars(select(FaultTicket)).all()
    assert ticket.reference is not None and ticket.voicemail_url is not None
    assert digits_of(ticket.reference) in call.heard_all
    assert count(db_session, OutboxMessage.template == "fault_receipt") == 1
    assert count(db_session, OutboxMessage.template == "fault_voicemail_notice") == 1


def digits_of(reference: str) -> str:
    from call_flows.speech import reference as spoken

    return spoken(reference)
