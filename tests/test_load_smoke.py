"""The whole-call load test (bench/load_test.py) as a smoke check: a few seconds of callers at full speed, on
SQLite with one instance and on PostgreSQL with two instances and two SMS workers, end with every call complete,
no error, one record per call and every SMS sent once. Timings are not asserted: they belong to the bench."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from bench.load_test import POSTGRES_ADMIN_URL, main

SMOKE = ["--callers", "4", "--think", "0", "--duration", "3", "--warmup", "0", "--idle", "0", "--json"]


def run_load_test(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, dict[str, object]]:
    code = main([*options, *SMOKE])
    figures: dict[str, object] = json.loads(capsys.readouterr().out)
    return code, figures


def require_postgres() -> None:
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        if os.environ.get("IVR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (IVR_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    finally:
        engine.dispose()


def assert_every_call_completed_once(code: int, figures: dict[str, object]) -> None:
    completed = figures["completed"]
    checks = figures["checks"]
    assert isinstance(completed, dict) and isinstance(checks, dict)
    assert figures["errors"] == 0, figures["error_examples"]
    assert figures["problems"] == []
    assert completed["report"] > 0 and completed["fault"] > 0
    assert checks["reports"] == completed["report"] and checks["fault_tickets"] == completed["fault"]
    assert checks["report_duplicates"] == 0 and checks["chain_intact"] is True
    assert checks["sms_taken"] == checks["outbox_messages"] > 0
    assert checks["sms_duplicates"] == 0 and checks["sms_missing"] == 0
    assert checks["webhooks_not_2xx"] == 0
    assert code == 0


def test_callers_on_sqlite_complete_every_call_with_one_record_each_and_every_sms_sent_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, figures = run_load_test(capsys, "--db", "sqlite")

    assert_every_call_completed_once(code, figures)


def test_callers_spread_over_two_instances_on_postgresql_with_two_sms_workers_leave_no_duplicate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_postgres()

    code, figures = run_load_test(capsys, "--db", "postgresql", "--instances", "2", "--workers", "1")

    assert_every_call_completed_once(code, figures)
    per_instance = figures["requests_per_instance"]
    assert isinstance(per_instance, list) and len(per_instance) == 2 and min(per_instance) > 0
    settings = figures["settings"]
    assert isinstance(settings, dict) and settings["workers_sms"] == 2


def test_more_than_one_instance_on_sqlite_is_refused_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", "sqlite", "--instances", "2"])

    assert exit_.value.code == 2
    assert "--instances above 1 needs --db postgresql" in capsys.readouterr().err
