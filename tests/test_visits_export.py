"""`ivr visits list|export`: the visits per employee and per client with exact times, corrections and flags."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from tests.conftest import Caller, stockholm, via
from tests.fixtures_visits import (
    ANNA_CODE,
    BO_CODE,
    CLIENT_4711_LANDLINE,
    RYD,
    SKAGGETORP,
    STAFF_MOBILE,
    add_staff,
    register_end,
    register_start,
)
from tests.fixtures_voice_line import ivr_json, run_ivr


@pytest.fixture
def two_visits(app: Flask, caller: Caller, clock: FrozenClock) -> dict[str, int]:
    """Anna at brukare 4711 08:05-09:10 (two interventions); Bo at brukare 4721 08:30-08:52 (keyed, one)."""
    anna = add_staff(app, "Anna Andersson", RYD, ANNA_CODE)
    bo = add_staff(app, "Bo Berg", SKAGGETORP, BO_CODE)
    clock.set(stockholm(2026, 11, 23, 8, 5))
    register_start(caller, CLIENT_4711_LANDLINE)
    clock.set(stockholm(2026, 11, 23, 8, 30))
    register_start(caller, STAFF_MOBILE, BO_CODE, client="4721")
    clock.set(stockholm(2026, 11, 23, 8, 52))
    register_end(caller, STAFF_MOBILE, ("61",), BO_CODE, client="4721")
    clock.set(stockholm(2026, 11, 23, 9, 10))
    register_end(caller, CLIENT_4711_LANDLINE, ("11", "31"))
    return {"anna": anna, "bo": bo}


def export_csv(app: Flask, *args: str) -> list[dict[str, str]]:
    result = run_ivr(app, "visits", "export", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_the_export_lists_each_visit_with_exact_times_per_employee(app: Flask, two_visits: dict[str, int]) -> None:
    rows = export_csv(app, "--from", "2026-11-23", "--to", "2026-11-23")

    assert [(r["Medarbetare"], r["Brukare"], r["Datum"], r["Start"], r["Slut"], r["Minuter"]) for r in rows] == [
        ("Anna Andersson", "4711", "2026-11-23", "08:05", "09:10", "65"),
        ("Bo Berg", "4721", "2026-11-23", "08:30", "08:52", "22"),
    ]
    assert rows[0]["Insatser"] == "11 Personlig omvårdnad; 31 Medicinering"
    assert rows[1]["Insatser"] == "61 Nattillsyn"
    assert (rows[0]["Team"], rows[0]["Anmärkning"], rows[0]["Rättad"]) == ("Hemtjänsten Ryd", "", "nej")
    assert list(rows[0]) == [
        "Referens",
        "Medarbetare",
        "Medarbetar-id",
        "Team",
        "Brukare",
        "Datum",
        "Start",
        "Slut",
        "Minuter",
        "Insatser",
        "Anmärkning",
        "Rättad",
        "Övning",
    ]


def test_the_json_export_carries_the_exact_moments_and_orders_per_client(
    app: Flask, two_visits: dict[str, int]
) -> None:
    result = run_ivr(app, "visits", "export", "--format", "json", "--per", "client")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["client"], r["start_at"], r["end_at"]) for r in rows] == [
        ("4711", "2026-11-23T08:05:00+01:00", "2026-11-23T09:10:00+01:00"),
        ("4721", "2026-11-23T08:30:00+01:00", "2026-11-23T08:52:00+01:00"),
    ]


def test_from_and_to_choose_the_days_and_team_the_team(app: Flask, two_visits: dict[str, int]) -> None:
    assert export_csv(app, "--from", "2026-11-24") == []
    assert [r["Brukare"] for r in export_csv(app, "--to", "2026-11-23", "--team", SKAGGETORP)] == ["4721"]
    assert [r["Brukare"] for r in export_csv(app, "--from", "2026-11-23 08:10")] == ["4721"]
    text_list = run_ivr(app, "visits", "list", "--per", "client").output
    assert "brukare 4711 (Hemtjänsten Ryd)" in text_list
    assert "08:05–09:10  Anna Andersson  11 Personlig omvårdnad, 31 Medicinering" in text_list


def test_a_start_without_an_end_is_flagged_once_the_rule_hours_have_passed(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    add_staff(app, "Anna Andersson", RYD, ANNA_CODE)
    clock.set(stockholm(2026, 11, 23, 8, 5))
    register_start(caller, CLIENT_4711_LANDLINE)

    clock.set(stockholm(2026, 11, 23, 11, 4))
    assert ivr_json(app, "visits", "list")[0]["flags"] == []
    clock.set(stockholm(2026, 11, 23, 11, 5))  # flag_open_after_hours = 3 (ivr/visits/data/visits.toml)
    [visit] = ivr_json(app, "visits", "list")
    assert (visit["end"], visit["flags"], visit["remarks"]) == (None, ["no_end"], ["inget slut registrerat"])
    [row] = export_csv(app)
    assert (row["Slut"], row["Anmärkning"]) == ("?", "inget slut registrerat")


def test_a_correction_is_a_new_audited_entry_and_what_was_phoned_in_stays(
    app: Flask, clock: FrozenClock, db_session: Session, two_visits: dict[str, int]
) -> None:
    anna_visit = ivr_json(app, "visits", "list", "--staff", str(two_visits["anna"]))[0]
    clock.set(stockholm(2026, 11, 23, 14, 0))

    result = run_ivr(
        app,
        "visits",
        "correct",
        anna_visit["reference"],
        "--end",
        "2026-11-23 09:20",
        "--interventions",
        "11,31,21",
        "--reason",
        "ringde när jag gick till nästa brukare",
        "--by",
        "Samordnare",
    )

    assert result.exit_code == 0, result.output
    [visit] = ivr_json(app, "visits", "list", "--staff", str(two_visits["anna"]))
    assert (visit["start"], visit["end"], visit["minutes"]) == (
        "2026-11-23T08:05:00+01:00",
        "2026-11-23T09:20:00+01:00",
        75,
    )
    assert [i["code"] for i in visit["interventions"]] == ["11", "31", "21"]
    assert visit["registered"] == {"start": "2026-11-23T08:05:00+01:00", "end": "2026-11-23T09:10:00+01:00"}
    assert visit["corrections"] == [
        {
            "at": "2026-11-23T14:00:00+01:00",
            "by": via("Samordnare"),
            "reason": "ringde när jag gick till nästa brukare",
            "withdrawn": False,
        }
    ]
    assert export_csv(app, "--team", RYD)[0]["Rättad"] == "ja"
    [entry] = list_audit(session=db_session, action="visit.correct")
    assert (entry.actor, entry.subject) == (via("Samordnare"), f"visit:{anna_visit['reference']}")


def test_a_withdrawn_visit_leaves_the_export_but_not_the_record(app: Flask, two_visits: dict[str, int]) -> None:
    bo_visit = ivr_json(app, "visits", "list", "--staff", str(two_visits["bo"]))[0]

    result = run_ivr(app, "visits", "correct", bo_visit["reference"], "--withdraw", "--reason", "fel brukare")

    assert result.exit_code == 0, result.output
    assert [r["Medarbetare"] for r in export_csv(app)] == ["Anna Andersson"]
    [withdrawn] = [v for v in ivr_json(app, "visits", "list", "--all") if v["withdrawn"]]
    assert withdrawn["reference"] == bo_visit["reference"]
    again = run_ivr(app, "visits", "correct", bo_visit["reference"], "--withdraw", "--reason", "igen")
    assert again.exit_code != 0 and "withdrawn" in again.output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--reason", "x"), "nothing to correct"),
        (("--end", "2026-11-23 07:00", "--reason", "x"), "must end after it starts"),
        (("--start", "2026-11-25 08:00", "--reason", "x"), "at most 24 hours"),
        (("--interventions", "99", "--reason", "x"), "no intervention 99"),
        (("--client", "4799", "--reason", "x"), "no client 4799"),
    ],
)
def test_an_impossible_correction_is_refused_with_the_reason(
    app: Flask, two_visits: dict[str, int], args: tuple[str, ...], problem: str
) -> None:
    reference = ivr_json(app, "visits", "list", "--staff", str(two_visits["anna"]))[0]["reference"]
    result = run_ivr(app, "visits", "correct", reference, *args)
    assert result.exit_code != 0
    assert problem in result.output


@pytest.mark.postgres_only
def test_postgresql_refuses_to_change_or_remove_a_visit_entry_or_correction(
    app: Flask, db_session: Session, two_visits: dict[str, int]
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only triggers exist on PostgreSQL only")
    reference = ivr_json(app, "visits", "list")[0]["reference"]
    run_ivr(app, "visits", "correct", reference, "--end", "2026-11-23 09:20", "--reason", "x")

    for statement in (
        "UPDATE visit_entries SET at = now()",
        "DELETE FROM visit_entries",
        "UPDATE visit_corrections SET reason = 'annat'",
        "DELETE FROM visit_corrections",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(statement))
        db_session.rollback()
