"""Outage state and what callers hear: the system, since when, the routine's threshold, planned windows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from tests.conftest import LINKOPING_LINE, SWITCHBOARD, WARD_61, Caller, stockholm, via
from tests.fixtures_voice_line import HOME_CARE_RYD, ivr_json, run_ivr


def start(app: Flask, *args: str) -> None:
    result = run_ivr(app, "outage", "start", *args)
    assert result.exit_code == 0, result.output


def test_an_outage_is_announced_first_with_the_system_and_since_when(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    start(app, "--line", "norrbotten", "--system", "lifecare sp", "--by", "anna")
    clock.set(stockholm(2026, 11, 23, 11, 15))
    call = caller.dial(WARD_61)
    greeting = (
        "Välkommen till reservlinjen för Region Norrbotten. Du ringer från Avdelning 61 medicin, Sunderby sjukhus."
    )
    assert call.heard.startswith(f"{greeting} Lifecare SP är nere sedan klockan tio.")  # the welcome first
    assert "Telefonrutinen gäller från klockan tretton." in call.heard
    assert call.waiting_for == "Gather" and call.uninterruptible == []


def test_after_three_hours_callers_hear_that_the_lifecare_phone_routine_applies(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    start(app, "--line", "norrbotten", "--system", "Lifecare SP")
    clock.set(stockholm(2026, 11, 23, 13, 30))
    call = caller.dial(WARD_61)
    assert "Lifecare SP är nere sedan klockan tio. Telefonrutinen gäller." in call.heard
    [outage] = ivr_json(app, "outage", "status")["in_progress"]
    assert (outage["system"], outage["lasted_minutes"], outage["lasted"]) == ("Lifecare SP", 210, "3 h 30 min")
    assert outage["routine_applies"] is True


def test_an_ended_outage_is_no_longer_announced_and_both_changes_are_audited(
    app: Flask, caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    start(app, "--line", "norrbotten", "--system", "Lifecare SP", "--by", "anna")
    clock.set(stockholm(2026, 11, 23, 12, 0))
    assert run_ivr(app, "outage", "end", "--line", "norrbotten", "--by", "bo").exit_code == 0
    assert "är nere" not in caller.dial(WARD_61).heard
    assert ivr_json(app, "outage", "status") == {"in_progress": [], "planned": []}
    entries = [(e.action, e.actor) for e in list_audit(session=db_session) if e.action.startswith("outage.")]
    assert entries == [("outage.start", via("anna")), ("outage.end", via("bo"))]
    assert '"lasted_minutes": 120' in list_audit(session=db_session, action="outage.end")[0].detail


def test_a_planned_outage_within_a_week_is_announced_on_its_own_line_only(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    start(
        app,
        "--line",
        "linkoping",
        "--system",
        "treserva",
        "--planned",
        "--from",
        "2026-11-26 18:00",
        "--to",
        "2026-11-26 22:00",
    )
    start(
        app,
        "--line",
        "linkoping",
        "--system",
        "TES",
        "--planned",
        "--from",
        "2026-12-10 18:00",
        "--to",
        "2026-12-10 20:00",
    )
    call = caller.dial(HOME_CARE_RYD, LINKOPING_LINE)
    # The date once: the window starts and ends the same day.
    assert "Planerat avbrott i Treserva torsdagen den tjugosjätte november, klockan arton till klockan tjugotvå." in (
        call.heard
    )
    assert "TES" not in call.heard  # more than seven days ahead
    assert "Treserva" not in caller.dial(WARD_61).heard  # the Norrbotten line
    planned = ivr_json(app, "outage", "status", "--line", "linkoping")["planned"]
    assert [p["system"] for p in planned] == ["Treserva", "TES"]

    clock.set(stockholm(2026, 11, 26, 19, 0))
    call = caller.dial(HOME_CARE_RYD, LINKOPING_LINE)
    assert "Planerat avbrott i Treserva pågår, till klockan tjugotvå." in call.heard
    clock.set(stockholm(2026, 11, 26, 22, 0))
    assert "Treserva" not in caller.dial(HOME_CARE_RYD, LINKOPING_LINE).heard


def test_a_drill_outage_says_it_is_a_drill(app: Flask, caller: Caller) -> None:
    start(app, "--line", "norrbotten", "--system", "Lifecare SP", "--drill")
    heard = caller.dial(WARD_61).heard
    assert "Sunderby sjukhus. Det här är en övning. Lifecare SP är nere sedan klockan tio." in heard


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--line", "norrbotten", "--system", "Treserva"), "has no system 'Treserva'"),
        (("--line", "norrbotten", "--system", "Lifecare SP", "--planned", "--from", "2026-12-01 08:00"), "--to"),
        (("--line", "norrbotten", "--system", "Lifecare SP", "--from", "2026-12-01 08:00"), "--planned"),
        (
            ("--line", "norrbotten", "--system", "Lifecare SP", "--from", "tomorrow"),
            "is not a date (2026-11-23) or time",
        ),
    ],
)
def test_an_impossible_outage_is_refused_with_the_reason(app: Flask, args: tuple[str, ...], problem: str) -> None:
    result = run_ivr(app, "outage", "start", *args)
    assert result.exit_code != 0
    assert problem in result.output


def test_ending_when_nothing_is_in_progress_says_so(app: Flask) -> None:
    result = run_ivr(app, "outage", "end", "--line", "linkoping")
    assert result.exit_code != 0
    assert "no outage in progress on linkoping" in result.output


@pytest.fixture
def outages_table(app: Flask) -> Iterator[Engine]:
    """Takes the outages table away for a test (a real failure) and puts it back afterwards (renamed, not
    dropped: its triggers, which keep every process's snapshot current, go with it)."""
    engine: Engine = app.extensions["ivr.engine"]
    yield engine
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE outages_away RENAME TO outages"))


def test_a_database_failure_at_the_entry_ends_in_an_apology_and_the_switchboard(
    caller: Caller, outages_table: Engine
) -> None:
    with outages_table.begin() as connection:
        connection.execute(text("ALTER TABLE outages RENAME TO outages_away"))
    call = caller.dial(WARD_61)
    assert "Förlåt, något gick fel" in call.heard
    assert call.dialled == [SWITCHBOARD]


def test_a_planned_window_over_two_days_says_both_dates_and_one_today_says_i_dag(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    start(
        app,
        "--line",
        "linkoping",
        "--system",
        "TES",
        "--planned",
        "--from",
        "2026-11-24 22:00",
        "--to",
        "2026-11-25 02:00",
    )
    start(
        app,
        "--line",
        "linkoping",
        "--system",
        "Treserva",
        "--planned",
        "--from",
        "2026-11-23 18:00",
        "--to",
        "2026-11-23 20:00",
    )
    heard = caller.dial(HOME_CARE_RYD, LINKOPING_LINE).heard
    assert "Planerat avbrott i Treserva i dag, klockan arton till klockan tjugo." in heard
    assert (
        "Planerat avbrott i TES från tisdagen den tjugofjärde november klockan tjugotvå "
        "till onsdagen den tjugofemte november klockan två." in heard
    )
