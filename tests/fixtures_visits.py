"""Helpers for the home-care visit tests: the bundled client register's numbers, staff, and a visit by phone."""

from __future__ import annotations

from flask import Flask

from ivr.caller import Call
from tests.conftest import LINKOPING_LINE, Caller
from tests.fixtures_voice_line import run_ivr

# Fictional PTS numbers from ivr/visits/data/clients.csv (none is in the bundled directory).
CLIENT_4711_LANDLINE = "+46313900650"  # 031-390 06 50: brukare 4711, Hemtjänsten Ryd
COUPLE_LANDLINE = "+46313900651"  # 031-390 06 51: brukare 4712 and 4713 share it
CLIENT_4721_LANDLINE = "+46313900652"  # 031-390 06 52: brukare 4721, Hemtjänsten Skäggetorp
STAFF_MOBILE = "+46701740660"  # 070-174 06 60: a work mobile in no register
ANNA_CODE = "482916"
BO_CODE = "730518"
RYD = "58101"
SKAGGETORP = "58102"


def add_staff(app: Flask, name: str, team: str, code: str | None = None) -> int:
    """Add a staff member with `ivr staff add`; returns their id."""
    args = ["staff", "add", "--name", name, "--team", team, "--by", "Samordnare"]
    result = run_ivr(app, *args, *(["--code", code] if code else []))
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1].rstrip(":"))


def visit_menu(caller: Caller, from_number: str, code: str = ANNA_CODE) -> Call:
    """Ring the Linköping line, press 1 for visits and key the personal code."""
    call = caller.dial(from_number, LINKOPING_LINE)
    call.press("1")
    call.press(code + "#")
    return call


def register_start(caller: Caller, from_number: str, code: str = ANNA_CODE, client: str | None = None) -> Call:
    """A whole start call: menu 1, the code, the client code (when not calling from the client's landline), 1."""
    call = visit_menu(caller, from_number, code)
    if client is not None:
        call.press(client + "#")
    call.press("1")
    return call


def register_end(
    caller: Caller,
    from_number: str,
    interventions: tuple[str, ...] = (),
    code: str = ANNA_CODE,
    client: str | None = None,
) -> Call:
    """A whole end call: menu 1, the code, (the client code,) 2, each intervention code, #, then 1 registers."""
    call = visit_menu(caller, from_number, code)
    if client is not None:
        call.press(client + "#")
    call.press("2")
    for intervention in interventions:
        call.press(intervention + "#")
    call.press("#")
    call.press("1")
    return call
