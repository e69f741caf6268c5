"""Linköping's 10-hour rule for TES: hours of outage against the threshold in status, worklist and voice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory.loader import load_directory_file
from ivr.app import create_app
from ivr.clock import FrozenClock
from ivr.config import BUNDLED_LINES, Config, ConfigError
from tests.conftest import LINKOPING_LINE, UNKNOWN_CALLER, Caller, stockholm, wipe
from tests.fixtures_voice_line import ivr_json, run_ivr

WITHIN = "Vid driftstopp i TES upp till tio timmar efterregistrerar varje medarbetare sina tider och insatser."
BEYOND = "Driftstoppet i TES har pågått i mer än tio timmar. Förvaltningarna bestämmer hur tider och insatser"


def start_tes_outage(app: Flask, since: str = "2026-11-23 04:00", system: str = "TES") -> None:
    result = run_ivr(
        app, "outage", "start", "--line", "linkoping", "--system", system, "--from", since, "--by", "Driftledare"
    )
    assert result.exit_code == 0, result.output


def test_six_hours_into_a_tes_outage_status_and_voice_say_each_employee_post_registers(
    app: Flask, caller: Caller
) -> None:
    start_tes_outage(app)  # the clock stands at 10:00: six hours

    [outage] = ivr_json(app, "outage", "status")["in_progress"]
    routine = outage["post_registration"]
    assert (routine["threshold_hours"], routine["elapsed_hours"], routine["over_threshold"]) == (10, 6.0, False)
    assert routine["who"] == "staff_post_register"
    text = run_ivr(app, "outage", "status").output
    assert "post-registration: 6 h 0 min of 10 h\n" in text
    assert "Driftstopp upp till 10 timmar: varje medarbetare efterregistrerar" in text
    heard = caller.dial(UNKNOWN_CALLER, LINKOPING_LINE).heard
    assert WITHIN in heard
    assert "Förvaltningarna" not in heard


def test_exactly_ten_hours_is_still_within_and_a_minute_more_is_past_the_threshold(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    start_tes_outage(app)
    clock.set(stockholm(2026, 11, 23, 14, 0))
    assert ivr_json(app, "outage", "status")["in_progress"][0]["post_registration"]["over_threshold"] is False
    assert WITHIN in caller.dial(UNKNOWN_CALLER, LINKOPING_LINE).heard

    clock.set(stockholm(2026, 11, 23, 14, 1))

    routine = ivr_json(app, "outage", "status")["in_progress"][0]["post_registration"]
    assert (routine["lasted"], routine["over_threshold"], routine["who"]) == (
        "10 h 1 min",
        True,
        "administration_decides",
    )
    assert routine["instruction"].startswith("Driftstopp längre än 10 timmar: Socialförvaltningen")
    text = run_ivr(app, "outage", "status").output
    assert "post-registration: 10 h 1 min of 10 h (past it: the administration decides how)" in text
    heard = caller.dial(UNKNOWN_CALLER, LINKOPING_LINE).heard
    assert BEYOND in heard
    assert WITHIN not in heard


def test_a_treserva_outage_is_not_under_the_tes_rule(app: Flask, caller: Caller) -> None:
    start_tes_outage(app, system="Treserva")

    assert ivr_json(app, "outage", "status")["in_progress"][0]["post_registration"] is None
    assert "efterregistrera" not in caller.dial(UNKNOWN_CALLER, LINKOPING_LINE).heard


def test_the_worklist_shows_hours_of_outage_against_the_threshold(app: Flask, clock: FrozenClock) -> None:
    start_tes_outage(app)
    clock.set(stockholm(2026, 11, 23, 15, 30))
    assert run_ivr(app, "outage", "end", "--line", "linkoping", "--by", "Driftledare").exit_code == 0
    clock.set(stockholm(2026, 11, 24, 8, 0))

    [group] = ivr_json(app, "worklist", "list")
    routine = group["post_registration"]
    assert (routine["elapsed_hours"], routine["threshold_hours"], routine["over_threshold"]) == (11.5, 10, True)
    text = run_ivr(app, "worklist", "list").output
    assert "post-registration: 11 h 30 min of 10 h (past it: the administration decides how)" in text
    assert "Socialförvaltningen och Vård- och omsorgsförvaltningen meddelar" in text


# ---- the threshold is one value, in the lines file ---------------------------------------------------------


def _lines_with(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED_LINES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "lines.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture
def eight_hour_app(tmp_path: Path, config: Config, clock: FrozenClock) -> Iterator[Flask]:
    """The service with Linköping's threshold set to 8 hours in its lines file."""
    path = _lines_with(tmp_path, "within_hours = 10", "within_hours = 8")
    app = create_app(replace(config, lines_path=path), clock=clock)
    engine: Engine = app.extensions["ivr.engine"]
    wipe(engine)
    with Session(engine) as session:
        load_directory_file(session=session, path=config.directory_path)
    yield app
    engine.dispose()


def test_changing_the_threshold_in_the_lines_file_moves_the_switch_everywhere(
    eight_hour_app: Flask, clock: FrozenClock
) -> None:
    start_tes_outage(eight_hour_app)
    clock.set(stockholm(2026, 11, 23, 12, 30))  # 8.5 hours

    routine = ivr_json(eight_hour_app, "outage", "status")["in_progress"][0]["post_registration"]
    assert (routine["threshold_hours"], routine["over_threshold"]) == (8, True)
    assert routine["instruction"].startswith("Driftstopp längre än 8 timmar")
    client: FlaskClient = eight_hour_app.test_client()
    heard = Caller(client).dial(UNKNOWN_CALLER, LINKOPING_LINE).heard
    assert "har pågått i mer än åtta timmar. Förvaltningarna bestämmer" in heard
    lines = {line["key"]: line for line in ivr_json(eight_hour_app, "lines", "show")}
    assert lines["linkoping"]["post_registration"] == {"systems": ["TES"], "within_hours": 8}


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ('post_registration = { systems = ["Lifecare SP"], within_hours = 10 }', "post_registration.systems"),
        ('post_registration = { systems = ["TES"], within_hours = 0 }', "within_hours must be"),
        ('post_registration = { systems = ["TES"] }', "post_registration must be"),
    ],
)
def test_a_bad_post_registration_rule_stops_start_up_naming_the_setting(
    tmp_path: Path, config: Config, clock: FrozenClock, new: str, problem: str
) -> None:
    path = _lines_with(tmp_path, 'post_registration = { systems = ["TES"], within_hours = 10 }', new)
    with pytest.raises(ConfigError) as raised:
        create_app(replace(config, lines_path=path), clock=clock)
    assert raised.value.variable == "IVR_LINES"
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)
