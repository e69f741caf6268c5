"""The worker sends the outbox through the real twilio client to a server that answers like Twilio."""

from __future__ import annotations

import base64
import random
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outbox.models import FAILED, PENDING, OutboxMessage
from ivr.outbox.sender import ConsoleSender, TwilioSender, sender_from_config
from ivr.outbox.worker import BACKOFF_CAP, backoff
from tests.fixtures_outbox import (
    ACCOUNT_SID,
    CLIENT_TIMEOUT,
    LULEA_SMS,
    WARD_61_SMS,
    FakeTwilio,
    add_receipt,
    make_worker,
    reload,
    sender_for,
    serve_fake_twilio,
    twilio_config,
)

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture(scope="module")
def twilio_server() -> Iterator[FakeTwilio]:
    yield from serve_fake_twilio()


@pytest.fixture
def fake_twilio(twilio_server: FakeTwilio) -> FakeTwilio:
    twilio_server.reset()
    return twilio_server


def test_the_worker_delivers_a_receipt_to_twilio_and_stores_its_sid(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=clock.now())

    outcomes = make_worker(app, sender_for(config, fake_twilio), clock).run_once()

    assert outcomes == Counter(sent=1)
    [form] = fake_twilio.received
    assert form["To"] == WARD_61_SMS
    assert form["From"] == "+46846500400"
    assert form["Body"].startswith("Kvitto, reservlinjen: Utskrivningsklar")
    assert "StatusCallback" not in form  # no public URL configured
    assert (
        fake_twilio.authorizations[0]
        == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{config.twilio_auth_token}".encode()).decode()
    )
    message = reload(db_session, message_id)
    assert message.status == "queued"
    assert message.twilio_sid is not None and message.twilio_sid.startswith("SM")
    assert message.attempts == 1
    assert message.sent_at == clock.now()
    assert message.claimed_by is None


def test_a_messaging_service_and_the_status_callback_url_are_used_when_configured(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    messaging = "MG" + "1" * 32
    sender = sender_from_config(
        twilio_config(config, fake_twilio, twilio_messaging_service_sid=messaging, public_url="https://ivr.example.se"),
        timeout=CLIENT_TIMEOUT,
    )
    message_id = add_receipt(db_session, now=clock.now())

    make_worker(app, sender, clock).run_once()

    [form] = fake_twilio.received
    assert form["MessagingServiceSid"] == messaging
    assert "From" not in form
    assert form["StatusCallback"] == "https://ivr.example.se/sms/status"
    assert reload(db_session, message_id).status == "accepted"


def test_a_server_failing_three_times_in_a_row_still_ends_in_one_delivery(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with("500", "429", "slow", "ok")
    message_id = add_receipt(db_session, now=clock.now())
    worker = make_worker(app, sender_for(config, fake_twilio), clock, rng=random.Random(5))

    errors = []
    for _ in range(3):
        assert worker.run_once() == Counter(retry=1)
        message = reload(db_session, message_id)
        errors.append((message.last_error_code, message.last_error))
        assert message.status == PENDING
        assert message.next_attempt_at is not None and message.next_attempt_at > clock.now()
        assert worker.run_once() == Counter(), "nothing is retried before its backoff has passed"
        clock.set(message.next_attempt_at)
    assert worker.run_once() == Counter(sent=1)

    assert errors[0][0] == 20500 and "HTTP 500" in (errors[0][1] or "")
    assert errors[1][0] == 20429 and "HTTP 429" in (errors[1][1] or "")
    assert errors[2][0] is None and "Timeout" in (errors[2][1] or "")
    assert len(fake_twilio.received) == 1
    message = reload(db_session, message_id)
    assert message.status == "queued"
    assert message.attempts == 4


def test_a_network_error_is_retried_later(app: Flask, config: Config, clock: FrozenClock, db_session: Session) -> None:
    unreachable = TwilioSender(
        account_sid=ACCOUNT_SID,
        auth_token=config.twilio_auth_token,
        messaging_service_sid=None,
        sms_from="+46846500400",
        api_base_url="http://127.0.0.1:9",  # the discard port: nothing listens
        timeout=CLIENT_TIMEOUT,
    )
    message_id = add_receipt(db_session, now=clock.now())

    assert make_worker(app, unreachable, clock).run_once() == Counter(retry=1)

    message = reload(db_session, message_id)
    assert message.status == PENDING
    assert message.last_error == "network: ConnectionError"


def test_backoff_doubles_from_thirty_seconds_with_jitter_up_to_an_hour() -> None:
    rng = random.Random(1)
    first = [backoff(1, rng) for _ in range(50)]
    third = [backoff(3, rng) for _ in range(50)]
    late = [backoff(15, rng) for _ in range(50)]

    assert all(timedelta(seconds=15) <= d <= timedelta(seconds=30) for d in first)
    assert all(timedelta(seconds=60) <= d <= timedelta(seconds=120) for d in third)
    assert all(BACKOFF_CAP / 2 <= d <= BACKOFF_CAP for d in late)
    assert len(set(first)) > 40, "jitter spreads workers out"


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(21211, "invalid 'To' number"), (21614, "landline"), (21610, "unsubscribed"), (21408, "not enabled")],
)
def test_a_permanent_twilio_error_marks_the_message_failed_at_once(
    app: Flask,
    config: Config,
    clock: FrozenClock,
    db_session: Session,
    fake_twilio: FakeTwilio,
    code: int,
    meaning: str,
) -> None:
    fake_twilio.reply_with(code)
    message_id = add_receipt(db_session, now=clock.now())
    worker = make_worker(app, sender_for(config, fake_twilio), clock)

    assert worker.run_once() == Counter(failed=1)
    clock.advance(timedelta(days=1))
    assert worker.run_once() == Counter(), "a failed message is never tried again"

    message = reload(db_session, message_id)
    assert message.status == FAILED
    assert message.last_error_code == code
    assert meaning in (message.last_error or "")
    assert message.attempts == 1


def test_an_unknown_client_error_is_permanent_too(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with(21617)  # body too long
    message_id = add_receipt(db_session, now=clock.now())

    assert make_worker(app, sender_for(config, fake_twilio), clock).run_once() == Counter(failed=1)
    assert reload(db_session, message_id).last_error_code == 21617


def test_a_permanent_error_in_the_rfc_9457_shape_is_recognised_too(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with("problem")
    message_id = add_receipt(db_session, now=clock.now())

    assert make_worker(app, sender_for(config, fake_twilio), clock).run_once() == Counter(failed=1)
    message = reload(db_session, message_id)
    assert message.last_error_code == 21614
    assert (
        message.last_error
        == "HTTP 400: the number cannot take SMS (landline): The 'To' number is not a valid mobile number."
    )


def test_a_message_that_keeps_failing_transiently_is_given_up_visibly(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with("500", "500", "500")
    message_id = add_receipt(db_session, now=clock.now())
    worker = make_worker(app, sender_for(config, fake_twilio), clock, max_attempts=3)

    for _ in range(3):
        worker.run_once()
        clock.advance(BACKOFF_CAP)

    message = reload(db_session, message_id)
    assert message.status == FAILED
    assert message.last_error is not None and message.last_error.startswith("gave up after 3 attempts")


def test_a_worker_killed_between_claim_and_send_leaves_the_message_to_another_worker_after_the_lease(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=clock.now())
    sender = sender_for(config, fake_twilio)
    doomed = make_worker(app, sender, clock, "doomed", lease=timedelta(minutes=5))
    survivor = make_worker(app, sender, clock, "survivor", lease=timedelta(minutes=5))

    assert doomed.claim() == [message_id]  # ...and the process dies here, before sending
    assert reload(db_session, message_id).claimed_by == "doomed"

    clock.advance(timedelta(minutes=4))
    assert survivor.run_once() == Counter(), "the claim still holds"
    clock.advance(timedelta(minutes=2))
    assert survivor.run_once() == Counter(sent=1)
    clock.advance(timedelta(hours=1))
    assert survivor.run_once() == Counter()

    assert len(fake_twilio.received) == 1
    message = reload(db_session, message_id)
    assert message.status == "queued"
    assert message.attempts == 2  # the abandoned claim counts as an attempt


def test_a_worker_whose_lease_expired_neither_sends_nor_overwrites_the_outcome(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=clock.now())
    sender = sender_for(config, fake_twilio)
    slow = make_worker(app, sender, clock, "slow")
    [claimed] = slow.claim()
    clock.advance(timedelta(minutes=6))
    assert make_worker(app, sender, clock, "other").run_once() == Counter(sent=1)

    assert slow.deliver(claimed) == "lost"
    assert len(fake_twilio.received) == 1
    message = reload(db_session, message_id)
    assert message.status == "queued"
    assert message.attempts == 2


def test_skipped_messages_are_never_sent(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    add_receipt(db_session, now=clock.now(), to=None)

    assert make_worker(app, sender_for(config, fake_twilio), clock).run_once() == Counter()
    assert fake_twilio.received == []


def test_without_twilio_credentials_the_worker_prints_each_message(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    local = Config(**{**config.__dict__, "auth_token_is_development": True})
    sender = sender_from_config(local)
    assert isinstance(sender, ConsoleSender)
    message_id = add_receipt(db_session, now=clock.now())

    assert make_worker(app, sender, clock).run_once() == Counter(printed=1)

    printed = capsys.readouterr().out
    assert "SMS till 070-174 06 06" in printed
    assert "Kvitto, reservlinjen: Utskrivningsklar" in printed
    message = reload(db_session, message_id)
    assert message.status == "printed"
    assert message.twilio_sid is None


def test_two_workers_on_postgresql_send_each_message_exactly_once(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    if app.extensions["ivr.engine"].dialect.name != "postgresql":
        pytest.skip("several workers at once are supported on PostgreSQL only")
    count = 80
    for n in range(count):
        add_receipt(db_session, now=clock.now(), to=LULEA_SMS if n % 2 else WARD_61_SMS, reference=f"R{n:04d}")
    fake_twilio.delay = 0.005  # long enough for the workers to overlap
    start = threading.Barrier(2)
    results: dict[str, Counter[str]] = {}

    def work(name: str) -> None:
        worker = make_worker(app, sender_for(config, fake_twilio), clock, name, batch_size=3)
        start.wait()
        results[name] = worker.run_once()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    references = [body.split("Referens: ")[1].split("\n")[0] for body in fake_twilio.bodies]
    assert sorted(references) == [f"R{n:04d}" for n in range(count)]
    assert results["worker-1"]["sent"] + results["worker-2"]["sent"] == count
    assert results["worker-1"]["lost"] + results["worker-2"]["lost"] == 0, "no claim was taken from under a worker"
    assert results["worker-1"]["sent"] > 0 and results["worker-2"]["sent"] > 0, "both workers took part"
    statuses = db_session.scalars(select(OutboxMessage.status)).all()
    assert Counter(statuses) == Counter(queued=count)


def test_the_running_worker_sends_new_messages_until_it_is_stopped(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    worker = make_worker(app, sender_for(config, fake_twilio), clock)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, kwargs={"stop": stop, "interval": 0.05})
    thread.start()
    try:
        message_id = add_receipt(db_session, now=clock.now())
        for _ in range(200):
            if reload(db_session, message_id).status != PENDING:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)

    assert not thread.is_alive()
    assert reload(db_session, message_id).status == "queued"
    assert len(fake_twilio.received) == 1


def test_a_receipt_twilio_took_without_answering_in_time_is_not_sent_again(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with("taken-slow")
    message_id = add_receipt(db_session, now=clock.now())
    worker = make_worker(app, sender_for(config, fake_twilio), clock, rng=random.Random(5))

    assert worker.run_once() == Counter(retry=1)
    message = reload(db_session, message_id)
    assert message.uncertain_since is not None and message.next_attempt_at is not None
    clock.set(message.next_attempt_at)
    assert worker.run_once() == Counter(sent=1)

    assert len(fake_twilio.received) == 1, "asked Twilio first, and did not send it twice"
    assert fake_twilio.lookups and fake_twilio.lookups[-1]["To"] == WARD_61_SMS
    message = reload(db_session, message_id)
    assert message.twilio_sid == fake_twilio.taken[0]["sid"]
    assert message.uncertain_since is None


def test_a_receipt_that_timed_out_and_was_not_taken_is_sent_once(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.reply_with("slow")
    message_id = add_receipt(db_session, now=clock.now())
    worker = make_worker(app, sender_for(config, fake_twilio), clock, rng=random.Random(5))

    assert worker.run_once() == Counter(retry=1)
    clock.set(reload(db_session, message_id).next_attempt_at or clock.now())
    assert worker.run_once() == Counter(sent=1)
    assert len(fake_twilio.received) == 1 and len(fake_twilio.lookups) == 1


def test_a_worker_lost_after_twilio_took_the_message_does_not_make_the_next_worker_send_it_again(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session, fake_twilio: FakeTwilio
) -> None:
    message_id = add_receipt(db_session, now=clock.now())
    sender = sender_for(config, fake_twilio)
    doomed = make_worker(app, sender, clock, "doomed", lease=timedelta(minutes=5))
    assert doomed.claim() == [message_id]
    message = reload(db_session, message_id)
    fake_twilio.take({"To": message.to_number or "", "Body": message.body})  # ...and the worker dies here

    clock.advance(timedelta(minutes=6))
    assert make_worker(app, sender, clock, "survivor").run_once() == Counter(sent=1)

    assert len(fake_twilio.received) == 1
    assert reload(db_session, message_id).twilio_sid == fake_twilio.taken[0]["sid"]
