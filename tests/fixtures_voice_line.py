"""Helpers for the voice-line tests: walking a call to a step, and running `ivr` commands on the test app."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from ivr.caller import Call
from ivr.caller.transport import HttpResult
from ivr.cli import main
from ivr.faults.models import FaultTicket
from tests.conftest import AUTH_TOKEN

HELP_DESK_NORRBOTTEN = "+46980319200"  # Teknikakuten (71010)
STANDBY_NORRBOTTEN = "+46980319201"  # Teknikakutens beredskap (71011), SMS 070-174 06 05
STANDBY_NORRBOTTEN_SMS = "+46701740605"
HELP_DESK_LINKOPING = "+46313900602"  # Användarstöd (58001)
STANDBY_LINKOPING = "+4613207000"  # LKDATA (58002), the public 013-20 70 00
SWITCHBOARD_LINKOPING = "+46313900601"  # 58000
LULEA_KOMMUN = "+46980319227"  # 2580
HOME_CARE_RYD = "+46313900603"  # 58101, SMS 070-174 06 91


def run_ivr(app: Flask, *args: str) -> Result:
    """Run an `ivr` command against the test app (its database and frozen clock)."""
    result = app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)
    return result


def ivr_json(app: Flask, *args: str) -> Any:
    """Run an `ivr ... --json` command and parse what it printed."""
    result = run_ivr(app, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def report_fault(call: Call, *, name: str = "Anna Andersson", system_key: str = "1", kind_key: str = "1") -> Call:
    """From the main menu of a caller in the directory: key 2, name (unless the call has it), system and kind
    (the unit is the caller ID's)."""
    call.press("2")
    if "Säg ditt namn" in call.heard:
        call.say(name)
        call.press("1")  # the name is right
    call.press(system_key)
    call.press(kind_key)
    return call


def ticket_of(db_session: Session, call: Call) -> FaultTicket:
    """The ticket the call made, fresh from the database."""
    db_session.expire_all()
    return db_session.scalars(select(FaultTicket).where(FaultTicket.call_sid == call.call_sid)).one()


def resend(call: Call, path: str) -> tuple[HttpResult, HttpResult]:
    """Twilio retrying the call's latest request to a path (e.g. after the call already hung up).

    Returns the first answer (as the call got it, re-sent once more) and the retry's answer.
    """
    method, url, params = next(r for r in reversed(call.requests) if path in r[1])
    headers = {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params)}
    return call.transport.send(method, url, params, headers), call.transport.send(method, url, params, headers)
