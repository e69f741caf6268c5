"""`ivr worker` and `ivr sms list`, run as an operator runs them, against the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from ivr.cli import main
from tests.conftest import AUTH_TOKEN
from tests.fixtures_outbox import (
    ACCOUNT_SID,
    WARD_61_SMS,
    FakeTwilio,
    add_receipt,
    reload,
    serve_fake_twilio,
)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture(scope="module")
def twilio_server() -> Iterator[FakeTwilio]:
    yield from serve_fake_twilio()


@pytest.fixture
def fake_twilio(twilio_server: FakeTwilio) -> FakeTwilio:
    twilio_server.reset()
    return twilio_server


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a machine with no Twilio account: the worker prints instead of sending."""
    return {
        "DATABASE_URL": database_url,
        "IVR_INSTANCE_PATH": str(tmp_path),
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_SMS_FROM": "",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": "",
        "IVR_PUBLIC_URL": "",
    }


def _run(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _recently() -> datetime:
    # The CLI runs on the system clock, so the messages are due by it.
    return datetime.now(UTC) - timedelta(minutes=1)


def test_the_worker_once_sends_through_the_configured_twilio_api_and_exits(
    env: dict[str, str], db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=_recently())
    env |= {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_SMS_FROM": "08-465 004 00",
        "TWILIO_API_BASE_URL": fake_twilio.url,
        "IVR_PUBLIC_URL": "https://ivr.example.se",
    }

    result = _run(env, "worker", "--once")

    assert "outbox: sent 1" in result.output
    [form] = fake_twilio.received
    assert (form["To"], form["From"]) == (WARD_61_SMS, "+46846500400")
    assert form["StatusCallback"] == "https://ivr.example.se/sms/status"
    assert reload(db_session, message_id).twilio_sid is not None


def test_without_twilio_credentials_the_worker_prints_the_receipts(env: dict[str, str], db_session: Session) -> None:
    message_id = add_receipt(db_session, now=_recently())

    result = _run(env, "worker", "--once")

    assert "SMS till 070-174 06 06:\n  Kvitto, reservlinjen: Utskrivningsklar\n  Till: Luleå kommun" in result.output
    assert "outbox: printed 1" in result.output
    assert reload(db_session, message_id).status == "printed"


def test_sms_list_json_shows_recipient_template_status_attempts_error_sid_and_skip_reason(
    env: dict[str, str], db_session: Session, fake_twilio: FakeTwilio
) -> None:
    sent = add_receipt(db_session, now=_recently(), reference="1001")
    failed = add_receipt(db_session, now=_recently(), reference="1002")
    skipped = add_receipt(db_session, now=_recently(), to=None, reference="1003")
    fake_twilio.reply_with("ok", 21614)
    env |= {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_SMS_FROM": "+46846500400",
        "IVR_PUBLIC_URL": "https://ivr.example.se",
    }
    env["TWILIO_API_BASE_URL"] = fake_twilio.url
    _run(env, "worker", "--once")

    rows = {row["id"]: row for row in json.loads(_run(env, "sms", "list", "--json").output)}

    assert rows[sent]["status"] == "queued"
    assert rows[sent]["twilio_sid"].startswith("SM")
    assert rows[sent]["attempts"] == 1
    assert rows[sent]["to"] == WARD_61_SMS
    assert rows[sent]["template"] == "report_receipt"
    assert rows[sent]["subject"] == "report:1001"
    assert (rows[failed]["status"], rows[failed]["last_error_code"]) == ("failed", 21614)
    assert "landline" in rows[failed]["last_error"]
    assert rows[failed]["twilio_sid"] is None
    assert (rows[skipped]["status"], rows[skipped]["skip_reason"]) == ("skipped", "mottagaren saknar SMS-nummer")
    assert rows[skipped]["attempts"] == 0


def test_sms_list_failed_shows_only_what_will_not_arrive_with_its_twilio_code(
    env: dict[str, str], db_session: Session, fake_twilio: FakeTwilio
) -> None:
    add_receipt(db_session, now=_recently(), reference="2001")
    add_receipt(db_session, now=_recently(), reference="2002")
    fake_twilio.reply_with(21211, "ok")
    env |= {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_SMS_FROM": "+46846500400",
        "IVR_PUBLIC_URL": "https://ivr.example.se",
    }
    env["TWILIO_API_BASE_URL"] = fake_twilio.url
    _run(env, "worker", "--once")

    text = _run(env, "sms", "list", "--failed").output
    rows = json.loads(_run(env, "sms", "list", "--failed", "--json").output)

    assert [row["subject"] for row in rows] == ["report:2001"]
    assert "report:2001" in text and "report:2002" not in text
    assert "error 21211: HTTP 400: invalid 'To' number" in text


def test_sms_list_shows_skipped_messages_with_their_reason(env: dict[str, str], db_session: Session) -> None:
    add_receipt(db_session, now=_recently(), to=None, reference="3001")

    text = _run(env, "sms", "list").output

    assert "skipped" in text
    assert "report:3001 skipped: mottagaren saknar SMS-nummer" in text
