"""Delivery tracking: POST /sms/status stores every status event; a message never moves backwards."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outbox.models import SmsStatusEvent
from ivr.outbox.service import list_messages, status_history
from tests.fixtures_outbox import (
    FakeTwilio,
    add_receipt,
    make_worker,
    post_status,
    reload,
    sender_for,
    serve_fake_twilio,
)

pytestmark = pytest.mark.usefixtures("app")
SID = "SM" + "ab" * 16


@pytest.fixture(scope="module")
def twilio_server() -> Iterator[FakeTwilio]:
    yield from serve_fake_twilio()


@pytest.fixture
def fake_twilio(twilio_server: FakeTwilio) -> FakeTwilio:
    twilio_server.reset()
    return twilio_server


@pytest.fixture
def sent_message(app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio) -> int:
    """A receipt the worker has handed to the fake Twilio, which gave it the SID `SID`."""
    message_id = add_receipt(db_session, now=clock.now())
    fake_twilio.next_sids.append(SID)
    assert make_worker(app, sender_for(config, fake_twilio), clock).run_once() == Counter(sent=1)
    assert reload(db_session, message_id).status == "queued"
    return message_id


def _callback(status: str, error_code: str | None = None) -> dict[str, str]:
    params = {
        "MessageSid": SID,
        "SmsSid": SID,
        "AccountSid": "AC" + "0" * 32,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": "+46701740606",
        "From": "+46846500400",
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        params["ErrorCode"] = error_code
    return params


def test_status_callbacks_in_order_end_delivered_with_the_whole_history(
    client: FlaskClient, db_session: Session, sent_message: int
) -> None:
    for status in ("sending", "sent", "delivered"):
        assert post_status(client, _callback(status)) == 204

    message = reload(db_session, sent_message)
    assert message.status == "delivered"
    assert [e.status for e in status_history(session=db_session, message_sid=SID)] == ["sending", "sent", "delivered"]
    assert all(e.message_id == sent_message for e in status_history(session=db_session, message_sid=SID))


@pytest.mark.parametrize("order", list(itertools.permutations(["queued", "sending", "sent", "delivered"])))
def test_callbacks_in_any_order_end_in_the_latest_status_and_keep_every_event(
    client: FlaskClient, db_session: Session, sent_message: int, order: tuple[str, ...]
) -> None:
    for status in order:
        assert post_status(client, _callback(status)) == 204

    assert reload(db_session, sent_message).status == "delivered"
    assert [e.status for e in status_history(session=db_session, message_sid=SID)] == list(order)


@pytest.mark.parametrize("order", [("sent", "undelivered"), ("undelivered", "sent"), ("undelivered", "queued")])
def test_an_undelivered_message_stays_undelivered_with_its_error_and_is_listed_as_failed(
    client: FlaskClient, db_session: Session, sent_message: int, order: tuple[str, str]
) -> None:
    for status in order:
        post_status(client, _callback(status, "30003" if status == "undelivered" else None))

    message = reload(db_session, sent_message)
    assert message.status == "undelivered"
    assert message.last_error_code == 30003
    assert [m.id for m in list_messages(session=db_session, failed_only=True)] == [sent_message]


def test_a_terminal_status_is_never_replaced_by_another_terminal_one(
    client: FlaskClient, db_session: Session, sent_message: int
) -> None:
    post_status(client, _callback("delivered"))
    post_status(client, _callback("failed", "30008"))

    message = reload(db_session, sent_message)
    assert message.status == "delivered"
    assert message.last_error_code is None
    assert len(status_history(session=db_session, message_sid=SID)) == 2


def test_a_repeated_callback_is_stored_once(client: FlaskClient, db_session: Session, sent_message: int) -> None:
    for _ in range(3):
        assert post_status(client, _callback("delivered")) == 204

    assert [e.status for e in status_history(session=db_session, message_sid=SID)] == ["delivered"]


def test_a_callback_that_beats_the_worker_is_applied_when_the_sid_is_recorded(
    app: Flask, config: Config, clock: FrozenClock, client: FlaskClient, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=clock.now())
    # Twilio answered the worker, then called back before the worker had stored the SID.
    assert post_status(client, _callback("delivered")) == 204
    assert post_status(client, _callback("sent")) == 204
    fake_twilio.next_sids.append(SID)

    make_worker(app, sender_for(config, fake_twilio), clock).run_once()

    message = reload(db_session, message_id)
    assert message.twilio_sid == SID
    assert message.status == "delivered"
    assert {e.message_id for e in status_history(session=db_session, message_sid=SID)} == {message_id}


def test_a_callback_for_an_unknown_message_is_kept_in_the_history(client: FlaskClient, db_session: Session) -> None:
    assert post_status(client, _callback("delivered")) == 204

    [event] = db_session.scalars(select(SmsStatusEvent)).all()
    assert (event.message_sid, event.status, event.message_id) == (SID, "delivered", None)


def test_an_unsigned_or_wrongly_signed_callback_is_refused(
    client: FlaskClient, db_session: Session, sent_message: int
) -> None:
    unsigned = client.post("/sms/status", base_url="https://ivr.example.se", data=_callback("failed"))
    forged = post_status(client, _callback("failed"), token="f" * 32)

    assert unsigned.status_code == 403
    assert forged == 403
    assert reload(db_session, sent_message).status == "queued"
    assert db_session.scalars(select(SmsStatusEvent)).all() == []


def test_a_callback_without_a_message_sid_is_rejected(client: FlaskClient, db_session: Session) -> None:
    assert post_status(client, {"MessageStatus": "delivered"}) == 400
    assert db_session.scalars(select(SmsStatusEvent)).all() == []
