"""`ivr liability report`: stored reports grouped into stays, priced per day, conditions shown, reads logged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from ivr.reports.models import Report
from ivr.reports.service import cancel_report
from tests.conftest import STOCKHOLM, stockholm, via
from tests.fixtures_liability import (
    LULEA,
    OTHER_PATIENT,
    OUTPATIENT,
    PATIENT,
    PITEA,
    THIRD_PATIENT,
    ivr_json,
    phone_in,
    rates_file,
    run_ivr,
)

NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")
REPORTED_ON = stockholm(2026, 12, 2, 9, 0)  # finance reads November's report early in December


@pytest.fixture(autouse=True)
def after_november(clock: FrozenClock) -> None:
    clock.set(REPORTED_ON)


def report(app: Flask, rates: Path, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = ivr_json(app, "liability", "report", "--rates", str(rates), "--by", "Eva Ek", *args)
    return data


def municipality(data: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in data["municipalities"] if m["code"] == code)
    return found


def a_full_stay(db_session: Session) -> list[Report]:
    """Admission, discharge-ready Monday 23 November 11:58, SIP invitation, discharge Saturday 28 November."""
    return [
        phone_in(db_session, at=stockholm(2026, 11, 16, 8, 0), event="admission", receivers=(LULEA, OUTPATIENT)),
        phone_in(db_session, at=stockholm(2026, 11, 23, 11, 58), event="discharge_ready"),
        phone_in(
            db_session,
            at=stockholm(2026, 11, 24, 9, 0),
            event="sip_meeting",
            reporter=OUTPATIENT,
            event_data={"sip_date": "2026-11-26"},
        ),
        phone_in(db_session, at=stockholm(2026, 11, 28, 10, 0), event="discharge"),
    ]


def test_a_stay_with_every_condition_reported_is_charged_from_thursday(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    admission, ready, sip, discharge = a_full_stay(db_session)
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    lulea = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)

    (stay,) = lulea["chargeable"]
    assert lulea["name"] == "Luleå kommun"
    assert lulea["to_check"] == []
    assert stay["patient_number"] == PATIENT
    assert stay["references"] == [admission.reference, ready.reference, sip.reference, discharge.reference]
    assert stay["discharge_ready_reference"] == ready.reference
    assert stay["discharge_ready_time"] == "2026-11-23T11:58:00+01:00"
    assert stay["after_cutoff"] is False
    assert stay["first_liable_day"] == "2026-11-26"  # Thursday
    assert stay["status"] == "discharged"
    assert stay["days"] == 2  # Thursday 26 and Friday 27; the discharge day (Saturday 28) does not count
    assert stay["amount_sek"] == 20_000
    assert stay["conditions"] == {
        "admission": "reported",
        "admission_reference": admission.reference,
        "discharge_ready": "reported",
        "discharge_ready_reference": ready.reference,
        "sip_invitation": "sent",
        "sip_reference": sip.reference,
        "shown_met": True,
    }
    assert lulea["totals"]["chargeable"] == {
        "stays": 1,
        "days": 2,
        "amount_sek": 20_000,
        "rate_missing_days": 0,
        "amount_complete": True,
    }


def test_a_call_at_1202_without_a_phoned_admission_is_listed_apart_from_friday(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    ready = phone_in(db_session, at=stockholm(2026, 11, 23, 12, 2), event="discharge_ready", patient=OTHER_PATIENT)
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    lulea = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)

    assert lulea["chargeable"] == []
    (stay,) = lulea["to_check"]
    assert stay["references"] == [ready.reference]
    assert stay["after_cutoff"] is True
    assert stay["first_liable_day"] == "2026-11-27"  # Friday
    assert stay["status"] == "still_admitted"
    assert stay["days"] == 4  # Friday 27 to Monday 30 November, the report's last day
    assert stay["conditions"]["admission"] == "check_in_lifecare"
    assert stay["conditions"]["sip_invitation"] == "unknown"
    assert lulea["totals"]["chargeable"]["amount_sek"] == 0
    assert lulea["totals"]["to_check"]["amount_sek"] == 40_000


def test_a_withdrawn_assessment_stops_the_clock_until_the_next_discharge_ready_report(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    phone_in(db_session, at=stockholm(2026, 11, 16, 9, 0), event="discharge_ready")  # liable from Thursday 19
    withdrawal = phone_in(
        db_session,
        at=stockholm(2026, 11, 21, 14, 0),
        event="changed_assessment",
        event_data={"assessment": "no_longer_ready", "doctor_name": "Doktor Test"},
    )
    again = phone_in(db_session, at=stockholm(2026, 11, 24, 15, 0), event="discharge_ready")  # from Saturday 28
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    (stay,) = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)["to_check"]

    first, second = stay["periods"]
    assert (first["first_liable_day"], first["ended_by"], first["end_reference"], first["days"]) == (
        "2026-11-19",
        "withdrawn",
        withdrawal.reference,
        2,  # Thursday 19 and Friday 20; the withdrawal on Saturday 21 stops it
    )
    assert (second["discharge_ready_reference"], second["first_liable_day"], second["ended_by"], second["days"]) == (
        again.reference,
        "2026-11-28",
        "still_admitted",
        3,  # Saturday 28 to Monday 30
    )
    assert stay["first_liable_day"] == "2026-11-28"
    assert stay["days"] == 5


def test_a_new_discharge_ready_date_from_the_doctor_also_stops_the_clock(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    phone_in(db_session, at=stockholm(2026, 11, 16, 9, 0), event="discharge_ready")  # liable from Thursday 19
    phone_in(
        db_session,
        at=stockholm(2026, 11, 20, 10, 0),
        event="changed_assessment",
        event_data={"assessment": "new_date", "new_date": "2026-11-25", "doctor_name": "Doktor Test"},
    )
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    (stay,) = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)["to_check"]

    (period,) = stay["periods"]
    assert (period["ended_by"], period["last_liable_day"], period["days"]) == ("withdrawn", "2026-11-19", 1)
    assert stay["days"] == 1  # until a new discharge-ready report is phoned in


def test_a_municipality_without_stays_is_named_with_zero_totals(app: Flask, tmp_path: Path) -> None:
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    pitea = municipality(report(app, rates, "--municipality", PITEA, *NOVEMBER), PITEA)

    assert pitea["name"] == "Piteå kommun"
    assert pitea["chargeable"] == [] and pitea["to_check"] == []
    assert pitea["totals"]["chargeable"]["amount_sek"] == 0


def test_cancelled_and_drill_reports_never_count(app: Flask, db_session: Session, tmp_path: Path) -> None:
    mistaken = phone_in(db_session, at=stockholm(2026, 11, 16, 9, 0), event="discharge_ready")
    cancel_report(
        timezone=STOCKHOLM,
        session=db_session,
        reference=mistaken.reference,
        reason="fel patient",
        by="Eva Ek",
        now=stockholm(2026, 11, 16, 10, 0),
    )
    db_session.commit()
    phone_in(db_session, at=stockholm(2026, 11, 17, 9, 0), event="discharge_ready", patient=OTHER_PATIENT, drill=True)
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    lulea = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)

    assert lulea["chargeable"] == [] and lulea["to_check"] == []
    assert lulea["totals"]["to_check"]["stays"] == 0


def test_days_without_a_rate_are_reported_as_rate_missing(app: Flask, db_session: Session, tmp_path: Path) -> None:
    a_full_stay(db_session)
    rates = rates_file(tmp_path, ("2026-01-01", "2026-11-26", 10_000))  # nothing entered from 27 November

    lulea = municipality(report(app, rates, "--municipality", LULEA, *NOVEMBER), LULEA)

    (stay,) = lulea["chargeable"]
    assert stay["rates"] == [
        {
            "from": "2026-11-26",
            "to": "2026-11-26",
            "days": 1,
            "rate": "entered",
            "sek_per_day": 10_000,
            "amount_sek": 10_000,
            "source": "test amount",
        },
        {
            "from": "2026-11-27",
            "to": "2026-11-27",
            "days": 1,
            "rate": "missing",
            "sek_per_day": None,
            "amount_sek": None,
            "source": None,
        },
    ]
    assert (stay["amount_sek"], stay["rate_missing_days"], stay["amount_complete"]) == (10_000, 1, False)
    assert lulea["totals"]["chargeable"]["amount_complete"] is False


def test_each_municipality_gets_its_own_stays_and_totals(app: Flask, db_session: Session, tmp_path: Path) -> None:
    a_full_stay(db_session)
    phone_in(
        db_session, at=stockholm(2026, 11, 23, 9, 0), event="discharge_ready", patient=THIRD_PATIENT, receivers=(PITEA,)
    )
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    data = report(app, rates, *NOVEMBER)

    assert [m["code"] for m in data["municipalities"]] == [LULEA, PITEA]
    assert municipality(data, LULEA)["totals"]["chargeable"]["stays"] == 1
    pitea = municipality(data, PITEA)
    assert [s["patient_number"] for s in pitea["to_check"]] == [THIRD_PATIENT]
    assert pitea["totals"]["to_check"]["days"] == 5  # Thursday 26 to Monday 30 November


def test_the_csv_report_has_a_row_per_stay_and_totals(app: Flask, db_session: Session, tmp_path: Path) -> None:
    _, ready, _, _ = a_full_stay(db_session)
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    result = run_ivr(
        app, "liability", "report", "--rates", str(rates), "--municipality", LULEA, *NOVEMBER, "--format", "csv"
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    stay, chargeable_total, to_check_total = rows
    assert (stay["row"], stay["section"], stay["patient_number"], stay["discharge_ready_reference"]) == (
        "stay",
        "chargeable",
        PATIENT,
        ready.reference,
    )
    assert (stay["discharge_ready_time"], stay["after_cutoff"], stay["first_liable_day"]) == (
        "2026-11-23T11:58:00+01:00",
        "no",
        "2026-11-26",
    )
    assert (stay["days"], stay["amount_sek"], stay["sip_invitation"]) == ("2", "20000", "sent")
    assert stay["rates"] == "2026-11-26–2026-11-27: 2 d × 10000 = 20000 SEK (test amount)"
    assert (chargeable_total["row"], chargeable_total["days"], chargeable_total["amount_sek"]) == (
        "total",
        "2",
        "20000",
    )
    assert (to_check_total["section"], to_check_total["stays"]) == ("to_check", "0")


def test_every_liability_report_is_written_to_the_access_log(app: Flask, db_session: Session, tmp_path: Path) -> None:
    references = [r.reference for r in a_full_stay(db_session)]
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))

    report(app, rates, "--municipality", LULEA, *NOVEMBER)

    db_session.expire_all()
    (entry,) = list_audit(session=db_session, action="liability.report")
    detail = json.loads(entry.detail)
    assert entry.actor == via("Eva Ek")
    assert entry.at == REPORTED_ON  # the service's clock
    assert detail["references"] == sorted(references)
    assert (detail["municipalities"], detail["from"], detail["to"]) == ([LULEA], "2026-11-01", "2026-11-30")


def test_a_bad_rates_file_stops_the_report_and_names_the_problem(app: Flask, tmp_path: Path) -> None:
    rates = rates_file(tmp_path, ("2026-01-01", "2025-12-31", 10_000))

    result = run_ivr(app, "liability", "report", "--rates", str(rates), *NOVEMBER)

    assert result.exit_code != 0
    assert "is before from" in result.output


def test_the_rates_command_shows_the_table_and_its_gaps(app: Flask, tmp_path: Path) -> None:
    rates = rates_file(tmp_path, ("2026-01-01", "2026-06-30", 10_000), ("2026-08-01", "2026-12-31", 10_500))

    result = run_ivr(app, "liability", "rates", "--file", str(rates))

    assert result.exit_code == 0, result.output
    assert "2026-01-01 – 2026-06-30    10000 SEK per vårddygn  (test amount)" in result.output
    assert "rate missing 2026-07-01 – 2026-07-31" in result.output


def test_days_that_have_not_happened_yet_are_not_counted(
    app: Flask, db_session: Session, clock: FrozenClock, tmp_path: Path
) -> None:
    phone_in(db_session, at=stockholm(2026, 11, 16, 8, 0), event="admission", receivers=(LULEA, OUTPATIENT))
    phone_in(db_session, at=stockholm(2026, 11, 23, 11, 58), event="discharge_ready")  # liable from Thursday 26th
    rates = rates_file(tmp_path, ("2026-01-01", "2026-12-31", 10_000))
    clock.set(stockholm(2026, 12, 2, 9, 0))

    data = report(app, rates, "--municipality", LULEA, "--from", "2026-12-01", "--to", "2026-12-31")

    lulea = municipality(data, LULEA)
    (stay,) = lulea["to_check"]  # no SIP invitation phoned in
    assert data["counted_to"] == "2026-12-02"
    assert stay["days"] == 2  # the 1st and the 2nd of December: the still-admitted patient is liable to date
