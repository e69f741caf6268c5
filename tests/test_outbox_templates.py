"""The SMS catalogue: short, GSM-7, and never a personnummer, a patient's name or what a caller said."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from call_flows.menus import OPTIONS
from directory.loader import read_directory
from directory.lookup import find_unit_by_code
from directory.snapshot import snapshot
from ivr.calls.service import record_call_seen
from ivr.config import BUNDLED_DIRECTORY, BUNDLED_LINES
from ivr.faults.service import FiledBy, attach_voicemail, file_ticket, open_draft
from ivr.lines.loader import load_lines
from ivr.outbox.models import OutboxMessage
from ivr.outbox.service import contains_identity_number, enqueue_sms, sms_recipient
from ivr.outbox.templates import (
    ALLOWED_PLACEHOLDERS,
    TEMPLATES,
    TemplateError,
    is_gsm7,
    official_time,
    placeholders,
    render,
    segment_count,
)
from ivr.reports.models import Report
from ivr.reports.service import NewReport, acknowledge_delivery, cancel_report, register_report
from tests.conftest import NORRBOTTEN_LINE, TESTDATA, WARD_61

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 10, 58, tzinfo=STOCKHOLM)


def _directory_names() -> list[str]:
    with BUNDLED_DIRECTORY.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [row["name"] for row in rows]


LONGEST_UNIT = max(_directory_names(), key=len)
LONG_VALUES = {
    "event": "Ändrad beräknad utskrivningsdag",
    "time": "2026-11-23 kl. 10.15",
    "reference": "2026-482913-77",
    "unit": LONGEST_UNIT,
    "unit_phone": "0980-31 92 02",
    "receiver": LONGEST_UNIT,
    "system": "Lifecare SP, samordnad utskrivning",
    "fault_kind": "det går inte att logga in i systemet",
}


def _values(template: str, source: dict[str, str]) -> dict[str, str]:
    return {name: source[name] for name in placeholders(template)}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("drill", [False, True])
def test_every_template_fits_two_sms_segments_in_gsm7_with_long_realistic_values(template: str, drill: bool) -> None:
    body = render(template, _values(template, LONG_VALUES), drill=drill)

    assert is_gsm7(body), "Swedish letters are in GSM-7; anything else would halve the length"
    assert segment_count(body) <= 2, f"{len(body)} characters: {body}"


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_uses_only_the_allowed_placeholders_and_names_the_reference(template: str) -> None:
    assert placeholders(template) <= ALLOWED_PLACEHOLDERS
    assert {"reference", "time"} <= placeholders(template)


def test_receipts_carry_the_event_time_reference_sender_and_receiver() -> None:
    for template in ("report_receipt", "report_notice"):
        body = render(template, _values(template, LONG_VALUES))
        for name in ("event", "time", "reference", "unit", "unit_phone", "receiver"):
            assert LONG_VALUES[name] in body, (template, name)


def test_drill_messages_start_with_ovning() -> None:
    for template in TEMPLATES:
        assert render(template, _values(template, LONG_VALUES), drill=True).startswith("ÖVNING")
        assert not render(template, _values(template, LONG_VALUES)).startswith("ÖVNING")


def test_an_unknown_template_or_wrong_placeholders_are_refused() -> None:
    values = _values("report_receipt", LONG_VALUES)
    with pytest.raises(TemplateError, match="unknown SMS template"):
        render("report_reciept", values)
    with pytest.raises(TemplateError, match="missing \\['unit_phone'\\]"):
        render("report_receipt", {k: v for k, v in values.items() if k != "unit_phone"})
    with pytest.raises(TemplateError, match="unexpected \\['patient'\\]"):
        render("report_receipt", {**values, "patient": "Anna Andersson"})


def test_the_official_time_is_shown_in_swedish_local_time_winter_and_summer() -> None:
    assert official_time(datetime(2026, 11, 23, 9, 15, tzinfo=UTC), STOCKHOLM) == "2026-11-23 kl. 10.15"
    assert official_time(datetime(2026, 6, 30, 22, 5, tzinfo=UTC), STOCKHOLM) == "2026-07-01 kl. 00.05"


def test_segments_are_counted_the_way_phones_split_them() -> None:
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("å" * 306) == 2
    assert segment_count("a" * 307) == 3
    assert segment_count("€" * 80) == 1  # two septets each
    assert segment_count("€" * 81) == 2
    assert segment_count("ш" * 70) == 1  # not GSM-7: UCS-2
    assert segment_count("ш" * 71) == 2


# ---- privacy (DOMAIN.md §7) ----------------------------------------------------------------------------


def _identity_numbers() -> list[str]:
    numbers = json.loads((TESTDATA / "skatteverket-testpersonnummer.json").read_text(encoding="utf-8"))
    coordination = json.loads((TESTDATA / "skatteverket-testsamordningsnummer.json").read_text(encoding="utf-8"))
    rng = random.Random(20261123)
    return rng.sample(numbers, 150) + rng.sample(coordination, 50)


def _formats(number: str) -> list[str]:
    """The ways a 12-digit number is written: long, long with dash, short, short with - and +."""
    return [
        number,
        f"{number[:8]}-{number[8:]}",
        number[2:],
        f"{number[2:8]}-{number[8:]}",
        f"{number[2:8]}+{number[8:]}",
    ]


PATIENT_NAME = "Tolvan Tolvansson"
CALLER_NAME = "Anna Andersson"
DOCTOR_NAME = "Doktor Berit Bengtsson"


def _report_as_phoned_in(session: Session, number: str, call_sid: str) -> None:
    """A report registered the way the voice flow does it: patient number, caller's and doctor's names, dates."""
    record_call_seen(
        session=session, call_sid=call_sid, from_number=WARD_61, to_number=NORRBOTTEN_LINE, status="", now=NOW
    )
    reporter, receiver = (find_unit_by_code(session=session, code=code) for code in ("101", "2580"))
    assert reporter is not None and receiver is not None
    register_report(
        session=session,
        new=NewReport(
            call_sid=call_sid,
            call_position=1,
            line_key="norrbotten",
            drill=False,
            event="changed_assessment",
            reporter=snapshot(reporter),
            patient_number=number,
            patient_number_kind="personnummer",
            receivers=[snapshot(receiver)],
            event_data={"doctor_name": DOCTOR_NAME, "assessment": "new_date", "new_date": "2026-11-30"},
            caller_name=CALLER_NAME,
            caller_name_recording="https://api.twilio.com/recording/RE1",
        ),
        caller_number=WARD_61,
        timezone=STOCKHOLM,
        now=NOW,
    )


def _fault_as_phoned_in(session: Session, call_sid: str) -> None:
    """A fault report filed and left as voicemail, the way the voice flow does it."""
    line = load_lines(BUNDLED_LINES, read_directory(BUNDLED_DIRECTORY), menu_options=OPTIONS.keys()).first
    unit = find_unit_by_code(session=session, code="101")
    assert unit is not None
    open_draft(session=session, call_sid=call_sid, line=line, from_number=WARD_61, now=NOW)
    by = FiledBy(name=CALLER_NAME, name_recording=None, unit=snapshot(unit))
    file_ticket(
        session=session,
        call_sid=call_sid,
        line=line,
        kind="login",
        by=by,
        routed_to="standby",
        now=NOW,
        timezone=STOCKHOLM,
    )
    attach_voicemail(
        session=session,
        call_sid=call_sid,
        line=line,
        url="https://api.twilio.com/recording/RE2",
        seconds=30,
        now=NOW,
        timezone=STOCKHOLM,
    )


def test_no_sms_the_service_sends_carries_a_personnummer_a_name_or_what_a_caller_said(
    app: Flask, db_session: Session
) -> None:
    numbers = _identity_numbers()[:20]
    for position, number in enumerate(numbers):
        _report_as_phoned_in(db_session, number, f"CA{position:032d}")
    _fault_as_phoned_in(db_session, "CA" + "f" * 32)
    db_session.commit()
    first, second = db_session.scalars(select(Report).order_by(Report.seq)).all()[:2]
    acknowledge_delivery(
        session=db_session,
        reference=first.reference,
        receiver_code="2580",
        by="Berit",
        channel="console",
        timezone=STOCKHOLM,
        now=NOW,
    )
    cancel_report(
        session=db_session,
        reference=second.reference,
        reason=f"fel patient, {PATIENT_NAME} {numbers[1]}",
        by="Berit",
        timezone=STOCKHOLM,
        now=NOW,
    )
    db_session.commit()

    messages = db_session.scalars(select(OutboxMessage)).all()
    assert {m.template for m in messages} == set(TEMPLATES), "every template is sent by some path of this test"
    for message in messages:
        assert not contains_identity_number(message.body), message.template
        for number in numbers:
            for written in _formats(number):
                assert written not in message.body
        for private in (PATIENT_NAME, CALLER_NAME, DOCTOR_NAME, "Berit", "Anna", "recording"):
            assert private not in message.body, (message.template, private)


def test_a_value_that_looks_like_a_personnummer_never_reaches_an_sms(app: Flask, db_session: Session) -> None:
    number = _identity_numbers()[0]
    for written in _formats(number):
        with pytest.raises(ValueError, match="personnummer"):
            enqueue_sms(
                session=db_session,
                to=WARD_61,
                template="report_notice",
                values={**_values("report_notice", LONG_VALUES), "unit": f"Avdelning {written}"},
                subject="test",
                now=NOW,
            )


def test_every_written_form_of_a_test_personnummer_is_recognised() -> None:
    for number in _identity_numbers():
        for written in _formats(number):
            assert contains_identity_number(f"ref {written} kl. 10"), written


def test_phone_numbers_times_and_references_are_not_mistaken_for_personnummer() -> None:
    for harmless in ("0980-31 92 02", "070-174 06 05", "2026-11-23 kl. 10.15", "482913", "2026-482913-77"):
        assert not contains_identity_number(harmless), harmless


# ---- recipients ----------------------------------------------------------------------------------------


def test_the_units_sms_number_is_preferred_to_the_callers_mobile() -> None:
    assert sms_recipient(unit_sms="+46701740606", caller_number="+46701740699") == "+46701740606"


def test_a_caller_on_a_mobile_gets_the_receipt_when_the_unit_has_no_sms_number() -> None:
    assert sms_recipient(unit_sms=None, caller_number="+46701740699") == "+46701740699"


@pytest.mark.parametrize("caller", ["+46980319202", "+46920284000", "anonymous", "", None])
def test_a_landline_or_hidden_caller_without_a_unit_sms_number_gets_no_receipt(caller: str | None) -> None:
    assert sms_recipient(unit_sms=None, caller_number=caller) is None
