"""Recordings are deleted at Twilio after their retention period, stale drafts are dropped, a voicemail can be
heard from the command line, and the audit and access logs can be read."""

from __future__ import annotations

import getpass
import json
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from flask import Flask
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from ivr.app import create_app
from ivr.caller import Call
from ivr.calls.models import CallStateRow
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outbox.service import messages_for
from ivr.retention.models import DeletedRecording
from tests.conftest import NORRBOTTEN_LINE, WARD_61, Caller, stockholm, via
from tests.fixtures_voice_line import STANDBY_NORRBOTTEN_SMS, ivr_json, report_fault, run_ivr, ticket_of

ACCOUNT = "AC" + "0" * 32


def twilio_app(config: Config, clock: FrozenClock, httpserver: HTTPServer) -> Flask:
    changed = replace(
        config, twilio_api_base_url=httpserver.url_for("").rstrip("/"), sms_sender="twilio", public_url="https://x.se"
    )
    return create_app(changed, clock=clock)


def a_voicemail(caller: Caller, clock: FrozenClock) -> Call:
    """A fault report at night that ends in voicemail."""
    clock.set(stockholm(2026, 11, 24, 2, 30))
    call = report_fault(caller.dial(WARD_61, NORRBOTTEN_LINE))
    while call.waiting_for == "Dial":
        call.dial_outcome("no-answer")
    return call.record(seconds=14)


def test_the_voicemail_notice_gives_the_number_to_call_back_and_where_to_listen(
    caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    ticket = ticket_of(db_session, a_voicemail(caller, clock))
    notice = next(
        m
        for m in messages_for(session=db_session, subject=f"ticket:{ticket.reference}")
        if m.template == "fault_voicemail_notice"
    )
    assert notice.to_number == STANDBY_NORRBOTTEN_SMS
    assert "tel. 0980-31 92 02" in notice.body  # the caller's number, to call back
    assert f"Lyssna: konsolen, ärende {ticket.reference}" in notice.body


def test_a_voicemail_is_fetched_into_a_private_file_and_the_listening_is_logged(
    app: Flask,
    config: Config,
    caller: Caller,
    clock: FrozenClock,
    db_session: Session,
    httpserver: HTTPServer,
    tmp_path: Path,
) -> None:
    ticket = ticket_of(db_session, a_voicemail(caller, clock))
    assert ticket.voicemail_url is not None
    path = ticket.voicemail_url.removeprefix("https://api.twilio.com")
    httpserver.expect_request(path + ".mp3", method="GET").respond_with_data(b"ID3-audio", content_type="audio/mpeg")
    service = twilio_app(config, clock, httpserver)

    output = tmp_path / "voicemail.mp3"
    result = run_ivr(service, "tickets", "voicemail", ticket.reference or "", "--output", str(output), "--by", "Berit")

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == b"ID3-audio"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    [entry] = ivr_json(service, "access", "log", "--action", "tickets.voicemail")
    assert (entry["actor"], entry["subject"]) == (via("Berit"), f"ticket:{ticket.reference}")
    service.extensions["ivr.engine"].dispose()


def test_retention_deletes_old_recordings_at_twilio_once_and_drops_stale_drafts(
    app: Flask, config: Config, caller: Caller, clock: FrozenClock, db_session: Session, httpserver: HTTPServer
) -> None:
    ticket = ticket_of(db_session, a_voicemail(caller, clock))
    assert ticket.voicemail_url is not None
    deleted: list[str] = []

    def delete(request: Request) -> Response:
        deleted.append(request.path)
        return Response(status=204)

    httpserver.expect_request(
        ticket.voicemail_url.removeprefix("https://api.twilio.com") + ".json", method="DELETE"
    ).respond_with_handler(delete)
    caller.dial(WARD_61).press("1")  # an unfinished report: a call state
    service = twilio_app(config, clock, httpserver)

    clock.advance(timedelta(days=29))
    assert run_ivr(service, "retention", "run").output.startswith("0 recording(s) deleted, ")
    clock.advance(timedelta(days=2))
    first = run_ivr(service, "retention", "run", "--by", "Berit")
    again = run_ivr(service, "retention", "run")

    assert first.exit_code == 0, first.output
    assert "1 recording(s) deleted" in first.output and "0 recording(s) deleted" in again.output
    assert len(deleted) == 1
    assert db_session.scalars(select(DeletedRecording.source)).all() == [f"ticket:{ticket.reference} voicemail"]
    assert db_session.scalar(select(func.count()).select_from(CallStateRow)) == 0
    [entry] = ivr_json(service, "audit", "log", "--action", "retention.run", "--actor", "Berit")
    assert entry["detail"]["deleted"] == [f"ticket:{ticket.reference} voicemail"]
    service.extensions["ivr.engine"].dispose()


def test_retention_without_a_twilio_account_says_what_is_left_and_fails(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    a_voicemail(caller, clock)
    clock.advance(timedelta(days=40))
    result = run_ivr(app, "retention", "run")
    assert result.exit_code == 1
    assert "1 recording(s) are due but no Twilio account is configured" in result.output


def test_the_audit_log_reads_by_action_and_period_and_the_access_log_only_reads(
    app: Flask, clock: FrozenClock, db_session: Session
) -> None:
    run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--by", "Berit")
    clock.advance(timedelta(hours=2))
    run_ivr(app, "outage", "end", "--line", "norrbotten", "--by", "Berit")

    actions = [e["action"] for e in ivr_json(app, "audit", "log")]
    assert actions == ["outage.start", "outage.end"]
    assert [e["action"] for e in ivr_json(app, "audit", "log", "--from", "2026-11-23 11:00")] == ["outage.end"]
    text = run_ivr(app, "audit", "log").output
    assert f"2026-11-23 10.00  Berit (via {getpass.getuser()})" in text and "outage.start" in text
    assert ivr_json(app, "access", "log") == []
    assert json.loads(run_ivr(app, "access", "log", "--json").output) == []


def test_by_names_whom_it_was_done_for_but_never_hides_who_ran_the_command(app: Flask) -> None:
    user = getpass.getuser()
    run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--by", "  Ingrid   Ek ")
    run_ivr(app, "outage", "end", "--line", "norrbotten")
    actors = [e["actor"] for e in ivr_json(app, "audit", "log")]
    assert actors == [f"Ingrid Ek (via {user})", user]
    assert [e["action"] for e in ivr_json(app, "audit", "log", "--actor", user)] == ["outage.end"]
    assert [e["actor"] for e in ivr_json(app, "audit", "log", "--actor", "Ingrid Ek")] == [f"Ingrid Ek (via {user})"]
