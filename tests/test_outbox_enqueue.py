"""Receipts are written in the same transaction as the report that causes them, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Unit
from ivr.audit.models import AuditEntry
from ivr.audit.service import record_audit
from ivr.clock import FrozenClock
from ivr.outbox.models import PENDING, SKIPPED, OutboxMessage
from ivr.outbox.service import INVALID_NUMBER, NO_SMS_NUMBER, enqueue_sms, messages_for, sms_recipient
from ivr.outbox.templates import TEMPLATES, TemplateError, official_time, placeholders
from tests.conftest import STOCKHOLM
from tests.fixtures_outbox import LULEA_SMS, REPORT_VALUES, WARD_61_SMS
from tests.test_outbox_templates import LONG_VALUES, _formats, _identity_numbers

pytestmark = pytest.mark.usefixtures("app")


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one()
    return unit


def _report_with_receipts(session: Session, clock: FrozenClock, *, reference: str = "482913") -> None:
    """What a discharge-ready report does: store the report (here an audit entry) and both receipts."""
    ward, municipality = _unit(session, "101"), _unit(session, "2580")
    now = clock.now()
    record_audit(session=session, actor="voice", action="report", subject=f"report:{reference}", now=now)
    values = {
        "event": "Utskrivningsklar",
        "time": official_time(now, STOCKHOLM),
        "reference": reference,
        "unit": ward.name,
        "unit_phone": "0980-31 92 02",
        "receiver": municipality.name,
    }
    for template, unit in (("report_receipt", ward), ("report_notice", municipality)):
        enqueue_sms(
            session=session,
            to=sms_recipient(unit_sms=unit.sms_number, caller_number=None),
            template=template,
            values=values,
            subject=f"report:{reference}",
            now=now,
        )


def test_a_report_stores_one_receipt_for_the_reporter_and_one_for_the_municipality(
    db_session: Session, clock: FrozenClock
) -> None:
    _report_with_receipts(db_session, clock)
    db_session.commit()

    receipt, notice = messages_for(session=db_session, subject="report:482913")
    assert (receipt.template, receipt.to_number) == ("report_receipt", WARD_61_SMS)
    assert (notice.template, notice.to_number) == ("report_notice", LULEA_SMS)
    for message in (receipt, notice):
        assert message.status == PENDING
        assert message.next_attempt_at == clock.now()
        assert message.attempts == 0
        assert "Officiell tid: 2026-11-23 kl. 10.00" in message.body
        assert "Referens: 482913" in message.body
    assert "Till: Luleå kommun" in receipt.body
    assert notice.body.startswith("Reservlinjen: Avdelning 61 medicin, Sunderby sjukhus har rapporterat")


def test_a_rolled_back_report_leaves_no_receipt_behind(db_session: Session, clock: FrozenClock) -> None:
    _report_with_receipts(db_session, clock)
    db_session.flush()  # the rows were written...
    db_session.rollback()  # ...and the report failed before its commit

    assert db_session.scalars(select(OutboxMessage)).all() == []
    assert db_session.scalars(select(AuditEntry)).all() == []


def test_a_failing_report_transaction_takes_its_receipts_with_it(db_session: Session, clock: FrozenClock) -> None:
    def report_that_fails() -> None:
        with db_session.begin():
            _report_with_receipts(db_session, clock)
            raise RuntimeError("the report could not be stored")

    with pytest.raises(RuntimeError):
        report_that_fails()

    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_a_unit_without_an_sms_number_is_kept_as_skipped_with_its_reason(
    db_session: Session, clock: FrozenClock
) -> None:
    region = _unit(db_session, "25")  # Region Norrbotten has no SMS number
    to = sms_recipient(unit_sms=region.sms_number, caller_number="+46980319202")
    assert to is None

    enqueue_sms(
        session=db_session,
        to=to,
        template="report_notice",
        values=REPORT_VALUES,
        subject="report:1",
        now=clock.now(),
        skip_reason="enheten saknar SMS-nummer",
    )
    enqueue_sms(
        session=db_session, to=None, template="report_notice", values=REPORT_VALUES, subject="report:2", now=clock.now()
    )
    db_session.commit()

    [explicit] = messages_for(session=db_session, subject="report:1")
    [default] = messages_for(session=db_session, subject="report:2")
    assert (explicit.status, explicit.skip_reason) == (SKIPPED, "enheten saknar SMS-nummer")
    assert (default.status, default.skip_reason) == (SKIPPED, NO_SMS_NUMBER)
    assert explicit.next_attempt_at is None
    assert "Referens: 482913" in explicit.body, "the text is kept, so the operator sees what was not sent"


def test_a_number_that_is_not_a_phone_number_is_skipped_not_sent(db_session: Session, clock: FrozenClock) -> None:
    message = enqueue_sms(
        session=db_session, to="12345", template="report_receipt", values=REPORT_VALUES, subject="r", now=clock.now()
    )

    assert (message.status, message.skip_reason, message.to_number) == (SKIPPED, INVALID_NUMBER, None)


def test_a_number_in_national_format_is_stored_as_e164(db_session: Session, clock: FrozenClock) -> None:
    message = enqueue_sms(
        session=db_session,
        to="070-174 06 06",
        template="report_receipt",
        values=REPORT_VALUES,
        subject="r",
        now=clock.now(),
    )

    assert message.to_number == WARD_61_SMS


def test_a_personnummer_in_any_placeholder_of_any_template_is_refused(db_session: Session, clock: FrozenClock) -> None:
    for number in _identity_numbers()[::20]:
        for template in TEMPLATES:
            for name in placeholders(template):
                for written in _formats(number):
                    values = {key: LONG_VALUES[key] for key in placeholders(template)}
                    values[name] = f"{values[name]} {written}"
                    with pytest.raises(ValueError, match="personnummer"):
                        enqueue_sms(
                            session=db_session,
                            to=WARD_61_SMS,
                            template=template,
                            values=values,
                            subject="report:1",
                            now=clock.now(),
                        )
    assert list(db_session.new) == []


def test_an_unknown_template_or_a_patient_field_is_refused(db_session: Session, clock: FrozenClock) -> None:
    with pytest.raises(TemplateError):
        enqueue_sms(
            session=db_session, to=WARD_61_SMS, template="nope", values=REPORT_VALUES, subject="r", now=clock.now()
        )
    with pytest.raises(TemplateError, match="unexpected \\['patient_name'\\]"):
        enqueue_sms(
            session=db_session,
            to=WARD_61_SMS,
            template="report_receipt",
            values={**REPORT_VALUES, "patient_name": "Tolvan Tolvansson"},
            subject="r",
            now=clock.now(),
        )
    assert list(db_session.new) == []


def test_a_drill_receipt_starts_with_ovning(db_session: Session, clock: FrozenClock) -> None:
    message = enqueue_sms(
        session=db_session,
        to=WARD_61_SMS,
        template="report_receipt",
        values=REPORT_VALUES,
        subject="r",
        now=clock.now(),
        drill=True,
    )

    assert message.drill is True
    assert message.body.startswith("ÖVNING: Kvitto")
