"""Helpers for the care-transition report tests: test patients, a report made without the voice flow, the CLI."""

from __future__ import annotations

from datetime import datetime

from click.testing import CliRunner
from sqlalchemy.orm import Session

from directory.lookup import find_unit_by_code
from directory.snapshot import snapshot
from ivr.caller import Call
from ivr.caller.engine import new_sid
from ivr.calls.service import record_call_seen
from ivr.cli import main
from ivr.config import Config
from ivr.reports.models import Report
from ivr.reports.service import NewReport, register_report
from tests.conftest import NORRBOTTEN_LINE, STOCKHOLM, WARD_61

# Test numbers from tests/data (Skatteverket's open test data and the shared valid cases).
PATIENT = "194608239986"
OTHER_PATIENT = "195704289999"
SAMORDNINGSNUMMER = "197302889931"


def report_directly(
    session: Session,
    *,
    first_seen: datetime,
    now: datetime | None = None,
    patient: str = PATIENT,
    event: str = "discharge_ready",
    receivers: tuple[str, ...] = ("2580",),
    reporter: str = "101",
    call_sid: str | None = None,
    position: int = 1,
    drill: bool = False,
    duplicate_of: str | None = None,
) -> Report:
    """Register a report the way the voice flow does, for tests of the store itself; commits."""
    call_sid = call_sid or new_sid("CA")
    record_call_seen(
        session=session,
        call_sid=call_sid,
        from_number=WARD_61,
        to_number=NORRBOTTEN_LINE,
        status="in-progress",
        now=first_seen,
    )
    units = [find_unit_by_code(session=session, code=code) for code in (reporter, *receivers)]
    assert all(u is not None for u in units)
    snaps = [snapshot(u) for u in units if u is not None]
    report = register_report(
        session=session,
        new=NewReport(
            call_sid=call_sid,
            call_position=position,
            line_key="norrbotten",
            drill=drill,
            event=event,
            reporter=snaps[0],
            patient_number=patient,
            patient_number_kind="personnummer",
            receivers=snaps[1:],
            caller_name="Anna Andersson",
            duplicate_of=duplicate_of,
        ),
        caller_number=WARD_61,
        timezone=STOCKHOLM,
        now=now or first_seen,
    )
    session.commit()
    return report


def run_cli(config: Config, *args: str) -> tuple[int, str, str]:
    """Run `ivr …` against the test database; returns exit code, stdout and stderr."""
    env = {
        "DATABASE_URL": config.database_url,
        "IVR_INSTANCE_PATH": str(config.instance_path),
        "TWILIO_AUTH_TOKEN": config.twilio_auth_token,
        "IVR_SMS_SENDER": "console",
    }
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


# ---- walking a report call --------------------------------------------------------------------------------

LULEA_KOMMUN_PHONE = "+46980319227"  # 2580 in the bundled directory
HERTSON_PHONE = "+46980319214"  # 601 Hälsocentralen Hertsön
WARD_61_SMS = "+46701740606"
LULEA_SMS = "+46701740631"


def to_patient(call: Call, *, event_key: str = "3") -> Call:
    """From the main menu of a ward's call (its unit known from caller ID): key 1, then the event."""
    call.press("1")
    call.press(event_key)
    return call


def choose_receiver(call: Call, code: str, *, same: bool = False) -> Call:
    """At a receiver question: take "the same as last time" when offered and `same`, else key the code (and #
    for a unit's code) and confirm the read-back."""
    if "igen? Ja: tryck 1" in call.heard:
        if same:
            return call.press("1")
        call.press("2")
    call.press(code if len(code) == 4 else code + "#")
    call.press("1")
    return call


def key_patient(call: Call, patient: str = PATIENT, *, municipality: str = "2580", extra: str | None = None) -> Call:
    """At the patient prompt: key the number (read back on the way), the municipality, and optionally an extra
    receiver."""
    call.press(patient)
    choose_receiver(call, municipality)
    if extra is None:
        call.press("2")
    else:
        call.press("1")
        choose_receiver(call, extra)
    return call


def to_summary(
    call: Call, patient: str = PATIENT, *, event_key: str = "3", name: str | None = "Anna Andersson"
) -> Call:
    """A ward's discharge-ready (by default) report from the main menu to the summary; the caller's name is said
    when it is asked (once per call)."""
    to_patient(call, event_key=event_key)
    key_patient(call, patient)
    if name is not None and "Säg ditt namn" in call.heard:
        call.say(name)
        call.press("1")
    return call
