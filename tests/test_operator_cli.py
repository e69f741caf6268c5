"""Every command, tried as a new operator would: a one-line message naming what is wrong, a non-zero exit,
nothing changed, and never a traceback."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ivr.cli import main
from tests.conftest import POSTGRES_ADMIN_URL, stockholm
from tests.fixtures_reports import report_directly
from tests.fixtures_voice_line import ivr_json, run_ivr

READ_COMMANDS = [
    ("directory", "lookup", "2580"),
    ("lines", "show"),
    ("outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--by", "Berit"),
    ("outage", "status"),
    ("reports", "list"),
    ("tickets", "list"),
    ("schedule", "status"),
    ("sms", "list"),
    ("worklist", "list"),
    ("audit", "verify"),
]


def ivr(env: dict[str, str], *args: str) -> Result:
    base = {k: "" for k in os.environ if k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
    return CliRunner().invoke(main, list(args), env={**base, **env}, catch_exceptions=False)


def assert_one_line_refusal(result: Result, *words: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for word in words:
        assert word in errors[0], result.output


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ivr_fresh_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("IVR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required: {exc}")
        pytest.skip("PostgreSQL not reachable")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("+psycopg", "") + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_on_a_fresh_sqlite_database_every_command_says_to_run_the_migrations(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = ivr({"IVR_INSTANCE_PATH": str(tmp_path)}, *command)
    assert_one_line_refusal(result, "no tables yet", "ivr db upgrade")


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_on_a_fresh_postgresql_database_every_command_says_to_run_the_migrations(
    tmp_path: Path, empty_postgres: str, command: tuple[str, ...]
) -> None:
    result = ivr({"IVR_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": empty_postgres}, *command)
    assert_one_line_refusal(result, "no tables yet", "ivr db upgrade")


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_unreachable_postgresql_is_named_by_its_variable(tmp_path: Path, command: tuple[str, ...]) -> None:
    env = {"IVR_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://127.0.0.1:1/outage_line"}
    assert_one_line_refusal(ivr(env, *command), "DATABASE_URL", "cannot be reached")


def test_a_missing_postgresql_database_is_named_with_what_to_do(tmp_path: Path, empty_postgres: str) -> None:
    env = {"IVR_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": empty_postgres + "_not_there"}
    assert_one_line_refusal(ivr(env, "reports", "list"), "DATABASE_URL", "does not exist", "createdb")


def test_db_upgrade_against_an_unreachable_database_names_the_variable(tmp_path: Path) -> None:
    env = {"IVR_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://127.0.0.1:1/outage_line"}
    assert_one_line_refusal(ivr(env, "db", "upgrade"), "DATABASE_URL")


def test_with_a_real_token_on_a_fresh_checkout_db_upgrade_makes_the_instance_folder(tmp_path: Path) -> None:
    instance = tmp_path / "not-yet"
    env = {
        "IVR_INSTANCE_PATH": str(instance),
        "TWILIO_AUTH_TOKEN": "f" * 32,
        "IVR_SMS_SENDER": "console",
        "IVR_STAFF_CODE_SECRET": "s" * 32,
    }
    result = ivr(env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (instance / "outage-line.sqlite3").is_file()


def test_a_half_configured_twilio_sender_stops_every_command(tmp_path: Path) -> None:
    env = {"IVR_INSTANCE_PATH": str(tmp_path), "TWILIO_AUTH_TOKEN": "f" * 32, "IVR_PUBLIC_URL": "https://x.example.se"}
    for command in (("worker", "--once"), ("serve",), ("db", "upgrade")):
        assert_one_line_refusal(ivr(env, *command), "TWILIO_ACCOUNT_SID")
    env["TWILIO_ACCOUNT_SID"] = "AC" + "a" * 32
    assert_one_line_refusal(ivr(env, "worker", "--once"), "TWILIO_SMS_FROM")


# ---- nothing misleading is accepted silently ---------------------------------------------------------------


def test_a_second_outage_of_the_same_system_is_refused(app: Flask) -> None:
    first = run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "lifecare", "--by", "Berit")
    assert first.exit_code == 0, first.output  # the start of the system's name is enough
    again = run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--by", "Berit")
    assert again.exit_code == 1
    assert "already recorded from 2026-11-23 10.00" in again.output and "ivr outage end" in again.output
    assert len(ivr_json(app, "outage", "status")["in_progress"]) == 1


def test_a_planned_window_ahead_is_accepted_beside_an_outage_in_progress_but_not_twice(app: Flask) -> None:
    assert run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP").exit_code == 0
    window = ("outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--planned")
    times = ("--from", "2026-11-30 08:00", "--to", "2026-11-30 12:00")
    assert run_ivr(app, *window, *times).exit_code == 0
    overlapping = run_ivr(app, *window, "--from", "2026-11-30 11:00", "--to", "2026-11-30 13:00")
    assert (
        overlapping.exit_code == 1 and "already planned for 2026-11-30 08.00 to 2026-11-30 12.00" in overlapping.output
    )


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("liability", "report", "--municipality", "9999", "--from", "2026-11-01", "--to", "2026-11-30"), "9999"),
        (("reports", "export", "--receiver", "9999"), "9999"),
        (("worklist", "list", "--line", "nope"), "no line 'nope'"),
        (("worklist", "list", "--outage", "999"), "no outage 999"),
        (("reports", "list", "--from", "2026-11-24", "--to", "2026-11-23"), "not after --from"),
        (("reports", "export", "--from", "2026-11-24", "--to", "2026-11-23"), "not after --from"),
        (("liability", "report", "--from", "2026-11-30", "--to", "2026-11-01"), "before --from"),
    ],
)
def test_an_unknown_code_or_a_backwards_period_is_refused_not_answered_empty(
    app: Flask, args: tuple[str, ...], problem: str
) -> None:
    result = run_ivr(app, *args)
    assert result.exit_code == 2, result.output
    assert problem in result.output


def test_outage_status_shows_a_planned_window_and_a_drill_as_they_are(app: Flask) -> None:
    window = ("outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--planned", "--drill")
    assert run_ivr(app, *window, "--from", "2026-11-30 08:00", "--to", "2026-11-30 12:00").exit_code == 0
    text = run_ivr(app, "outage", "status").output
    assert "planned 2026-11-30 08.00 – 2026-11-30 12.00 (drill)" in text
    assert "0 h 0 min" not in text


def test_texts_show_local_times_to_the_minute_and_events_by_their_name(app: Flask, db_session: Session) -> None:
    report = report_directly(db_session, first_seen=stockholm(2026, 11, 23, 11, 58) + timedelta(seconds=12))
    listed = run_ivr(app, "reports", "list").output
    assert f"{report.reference}  2026-11-23 11.58  Utskrivningsklar" in listed
    assert "discharge_ready" not in listed and "+01:00" not in listed
    [row] = ivr_json(app, "reports", "list")
    assert row["official_time"] == "2026-11-23T11:58:12+01:00"  # JSON: ISO, to the second, Stockholm time


def test_schedule_status_names_a_holiday_as_a_holiday(app: Flask, clock: object) -> None:
    from ivr.clock import FrozenClock

    assert isinstance(clock, FrozenClock)
    clock.set(stockholm(2026, 12, 24, 10, 0))
    text = run_ivr(app, "schedule", "status").output
    assert "public holiday or eve: Julafton" in text


def test_an_export_with_patient_numbers_is_written_for_its_owner_only(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    report_directly(db_session, first_seen=stockholm(2026, 11, 23, 9, 0))
    path = tmp_path / "export.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    assert run_ivr(app, "reports", "export", "--output", str(path), "--by", "Berit").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))[0]["patient_number"]


def test_the_development_token_warning_is_not_printed_by_every_command(tmp_path: Path) -> None:
    ivr({"IVR_INSTANCE_PATH": str(tmp_path)}, "db", "upgrade")
    result = ivr({"IVR_INSTANCE_PATH": str(tmp_path)}, "directory", "lookup", "2580")
    assert result.exit_code == 0
    assert "TWILIO_AUTH_TOKEN" not in result.output
