"""Helpers for the liability and worklist tests: reports registered through the reports service, the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from directory.lookup import find_unit_by_code
from directory.snapshot import snapshot
from ivr.caller.engine import new_sid
from ivr.calls.service import record_call_seen
from ivr.cli import main
from ivr.reports.models import Report
from ivr.reports.service import NewReport, register_report
from tests.conftest import NORRBOTTEN_LINE, STOCKHOLM

# Test personnummer from tests/data (Skatteverket's open test data).
PATIENT = "194608239986"
OTHER_PATIENT = "195704289999"
THIRD_PATIENT = "189001019802"
WARD = "101"  # Avdelning 61 medicin, Sunderby sjukhus
OUTPATIENT = "601"  # Hälsocentralen Hertsön
LULEA = "2580"
PITEA = "2581"
WARD_PHONE = "+46980319202"


def phone_in(
    session: Session,
    *,
    at: datetime,
    event: str,
    patient: str = PATIENT,
    reporter: str = WARD,
    receivers: tuple[str, ...] = (LULEA,),
    event_data: dict[str, str] | None = None,
    drill: bool = False,
    line_key: str = "norrbotten",
) -> Report:
    """A report phoned in at `at` (the call's first sighting is its official time), registered and committed."""
    call_sid = new_sid("CA")
    record_call_seen(
        session=session,
        call_sid=call_sid,
        from_number=WARD_PHONE,
        to_number=NORRBOTTEN_LINE,
        status="in-progress",
        now=at,
    )
    units = [find_unit_by_code(session=session, code=code) for code in (reporter, *receivers)]
    snaps = [snapshot(unit) for unit in units if unit is not None]
    assert len(snaps) == 1 + len(receivers)
    report = register_report(
        session=session,
        new=NewReport(
            call_sid=call_sid,
            call_position=1,
            line_key=line_key,
            drill=drill,
            event=event,
            reporter=snaps[0],
            patient_number=patient,
            patient_number_kind="personnummer",
            receivers=snaps[1:],
            event_data=event_data or {},
        ),
        caller_number=WARD_PHONE,
        timezone=STOCKHOLM,
        now=at,
    )
    session.commit()
    return report


def rates_file(tmp_path: Path, *entries: tuple[str, str, int]) -> Path:
    """A rates table of (from, to, sek) periods, labelled as test amounts."""
    path = tmp_path / "rates.toml"
    path.write_text(
        "".join(f"[[rate]]\nfrom = {a}\nto = {b}\nsek = {sek}\nsource = 'test amount'\n" for a, b, sek in entries),
        encoding="utf-8",
    )
    return path


def run_ivr(app: Flask, *args: str) -> Result:
    """Run an `ivr` command on the test app (its database and frozen clock)."""
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def ivr_json(app: Flask, *args: str) -> Any:
    """Run an `ivr` command that prints JSON, and parse it."""
    result = run_ivr(app, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
