"""Helpers for the console tests: users of several organisations, logging in with the CSRF token, and
reports and tickets made the way the voice line makes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from directory.lookup import find_unit_by_code
from directory.snapshot import snapshot
from ivr.caller.engine import new_sid
from ivr.calls.service import record_call_seen
from ivr.faults.models import FaultTicket
from ivr.faults.service import FiledBy, attach_voicemail, file_ticket, open_draft
from ivr.reports.models import Report
from ivr.reports.service import NewReport, register_report
from ivr.users.models import User
from ivr.users.service import add_user
from ivr.web.context import runtime_of
from tests.conftest import NORRBOTTEN_LINE, STOCKHOLM, WARD_61
from tests.fixtures_reports import OTHER_PATIENT, PATIENT

PASSWORD = "ett-långt-lösenord-för-test"
ACCOUNT_SID = "AC" + "0" * 32
RECORDING_SID = "RE" + "1" * 32
RECORDING_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{RECORDING_SID}"
RECORDING_URL = "https://api.twilio.com" + RECORDING_PATH
AUDIO = b"ID3\x03\x00fake mp3 audio of a voicemail"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Who is who in the tests: username -> (role, organisation code in the bundled directory).
USERS = {
    "lulea": ("coordinator", "2580"),  # Luleå kommun
    "pitea": ("coordinator", "2581"),  # Piteå kommun
    "sunderby": ("coordinator", "100"),  # Sunderby sjukhus and its wards
    "linkoping": ("coordinator", "0580"),  # Linköpings kommun (the other line)
    "admin": ("admin", "25"),  # Region Norrbotten
    "lkadmin": ("admin", "0580"),
    "finance": ("finance", "2580"),
    "auditor": ("auditor", "25"),
}


def add_console_user(session: Session, username: str, *, now: datetime, password: str | None = PASSWORD) -> User:
    """One of USERS, with the test password; commits."""
    role, organisation = USERS[username]
    user = add_user(
        session=session,
        username=username,
        display_name=username.capitalize(),
        organisation_code=organisation,
        role=role,
        password=password,
        by="test",
        now=now,
    )
    session.commit()
    return user


def logged_in_as(client: FlaskClient, user: User) -> FlaskClient:
    """A browser already logged in as the user, the way Flask-Login's own test client does it (no password check:
    the login itself is tested in test_console_auth.py; an argon2 check per case would dominate the route table)."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}.{user.session_version}"
        session["_fresh"] = True
    return client


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, as every form carries it."""
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, "the login page carries a CSRF token"
    return match.group(1)


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Log in through the form, as a browser does."""
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)})


def post_form(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> TestResponse:
    """A form post with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)})


@dataclass(frozen=True)
class World:
    """The references the tests ask for: a Luleå report, a Piteå report, one ticket per line."""

    lulea_report: str
    pitea_report: str
    norrbotten_ticket: str
    linkoping_ticket: str


def report_to(
    session: Session,
    *,
    receiver: str,
    at: datetime,
    patient: str = PATIENT,
    reporter: str = "101",
    event: str = "discharge_ready",
    recording: str | None = None,
) -> Report:
    """A report from a ward to a municipality, registered as the voice flow registers it; commits."""
    call_sid = new_sid("CA")
    record_call_seen(
        session=session, call_sid=call_sid, from_number=WARD_61, to_number=NORRBOTTEN_LINE, status="in-progress", now=at
    )
    units = [find_unit_by_code(session=session, code=code) for code in (reporter, receiver)]
    snaps = [snapshot(u) for u in units if u is not None]
    report = register_report(
        session=session,
        new=NewReport(
            call_sid=call_sid,
            call_position=1,
            line_key="norrbotten",
            drill=False,
            event=event,
            reporter=snaps[0],
            patient_number=patient,
            patient_number_kind="personnummer",
            receivers=snaps[1:],
            caller_name="Anna Andersson",
            caller_name_recording=recording,
        ),
        caller_number=WARD_61,
        timezone=STOCKHOLM,
        now=at,
    )
    session.commit()
    return report


def ticket_on(app: Flask, session: Session, *, line_key: str, at: datetime, unit: str = "101") -> FaultTicket:
    """A filed fault ticket with a voicemail on a line, as the voice flow files it; commits."""
    line = runtime_of(app).lines.by_key(line_key)
    assert line is not None
    call_sid = new_sid("CA")
    open_draft(session=session, call_sid=call_sid, line=line, from_number=WARD_61, now=at)
    found = find_unit_by_code(session=session, code=unit)
    file_ticket(
        session=session,
        call_sid=call_sid,
        line=line,
        kind="login",
        by=FiledBy(name="Bo Berg", name_recording=None, unit=snapshot(found) if found else None),
        routed_to="help_desk",
        now=at,
        timezone=STOCKHOLM,
    )
    ticket = attach_voicemail(
        session=session, call_sid=call_sid, line=line, url=RECORDING_URL, seconds=12, now=at, timezone=STOCKHOLM
    )
    session.commit()
    return ticket


def make_world(app: Flask, session: Session, *, at: datetime) -> World:
    """The reports and tickets every permission test looks at."""
    lulea = report_to(session, receiver="2580", at=at, recording=RECORDING_URL)
    pitea = report_to(session, receiver="2581", at=at, patient=OTHER_PATIENT)
    north = ticket_on(app, session, line_key="norrbotten", at=at)
    south = ticket_on(app, session, line_key="linkoping", at=at, unit="58101")
    assert north.reference and south.reference
    return World(lulea.reference, pitea.reference, north.reference, south.reference)
