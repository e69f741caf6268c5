"""A local server that answers like Twilio's Messages API, and helpers for the outbox tests.

A test module declares its fixtures with `yield from serve_fake_twilio()` (module scope) and
`fake.reset()` before each test.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator
from werkzeug import Request, Response

from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outbox.models import OutboxMessage
from ivr.outbox.sender import Sender, sender_from_config
from ivr.outbox.service import enqueue_sms
from ivr.outbox.worker import Worker
from tests.conftest import AUTH_TOKEN, BASE_URL

ACCOUNT_SID = "AC" + "0" * 32
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
WARD_61_SMS = "+46701740606"  # Avdelning 61 medicin's SMS number in the bundled directory
LULEA_SMS = "+46701740631"  # Luleå kommun's SMS number
STANDBY_SMS = "+46701740605"  # Teknikakutens beredskap
SLOW_SECONDS = 1.0
CLIENT_TIMEOUT = 0.3

REPORT_VALUES = {
    "event": "Utskrivningsklar",
    "time": "2026-11-23 kl. 10.00",
    "reference": "482913",
    "unit": "Avdelning 61 medicin, Sunderby sjukhus",
    "unit_phone": "0980-31 92 02",
    "receiver": "Luleå kommun",
}


@dataclass
class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: answers each POST with the next scripted reply (default: 201)."""

    server: HTTPServer
    script: list[str | int] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    next_sids: list[str] = field(default_factory=list)
    lookups: list[dict[str, str]] = field(default_factory=list)
    taken: list[dict[str, str]] = field(default_factory=list)  # every message Twilio has, as its API lists it
    delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def reset(self) -> None:
        """Forget what was received and scripted (the server itself is shared by a test module)."""
        with self._lock:
            self.script.clear()
            self.received.clear()
            self.authorizations.clear()
            self.next_sids.clear()
            self.lookups.clear()
            self.taken.clear()
            self.delay = 0.0
            self.server.clear_log()

    def reply_with(self, *replies: str | int) -> None:
        """Script the next replies: "ok", "429", "500", "slow" (past the client's timeout, not taken),
        "taken-slow" (taken, but answered past the client's timeout), "problem" (an RFC 9457 error) or a Twilio
        error code (HTTP 400)."""
        self.script.extend(replies)

    def handle(self, request: Request) -> Response:
        with self._lock:
            reply = self.script.pop(0) if self.script else "ok"
            form = request.form.to_dict()
            self.authorizations.append(request.headers.get("Authorization", ""))
            sid = self.next_sids.pop(0) if self.next_sids else f"SM{next(self._counter):032x}"
        if self.delay:
            time.sleep(self.delay)
        if reply == "slow":
            time.sleep(SLOW_SECONDS)  # the client has given up by now; this time Twilio did not take it
            return _json(503, {"code": 20503, "message": "Service Unavailable", "status": 503})
        if reply == "429":
            return _json(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
        if reply == "500":
            return _json(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
        if reply == "problem":  # the RFC 9457 error shape some Twilio services answer with
            problem = {
                "type": "https://www.twilio.com/docs/errors/21614",
                "title": "Not a mobile number",
                "status": 400,
                "code": 21614,
                "detail": "The 'To' number is not a valid mobile number.",
            }
            return _json(400, problem)
        if isinstance(reply, int):
            return _json(400, {"code": reply, "message": f"Twilio error {reply}", "status": 400})
        body = self._take(sid, form)
        if reply == "taken-slow":
            time.sleep(SLOW_SECONDS)  # taken, but the client has given up waiting for the answer
        return _json(201, body)

    def take(self, form: dict[str, str]) -> None:
        """Twilio takes a message without the worker hearing back (e.g. the worker dies mid-request)."""
        self._take(f"SM{next(self._counter):032x}", form)

    def _take(self, sid: str, form: dict[str, str]) -> dict[str, object]:
        body: dict[str, object] = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "to": form.get("To"),
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body"),
            "status": "accepted" if "MessagingServiceSid" in form else "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Mon, 23 Nov 2026 09:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
        with self._lock:
            self.received.append(form)
            self.taken.insert(0, {k: str(v) for k, v in body.items()})
        return body

    def list_messages(self, request: Request) -> Response:
        """GET Messages.json?To=…: the messages Twilio has, newest first, in the API's page shape."""
        to = request.args.get("To")
        with self._lock:
            self.lookups.append(request.args.to_dict())
            found = [m for m in self.taken if to is None or m["to"] == to]
        page = {"messages": found, "page": 0, "page_size": 50, "uri": MESSAGES_PATH, "next_page_uri": None}
        return _json(200, page)

    @property
    def bodies(self) -> list[str]:
        """The bodies of the messages Twilio accepted (201), in order."""
        return [form["Body"] for form in self.received]


def _json(status: int, body: Mapping[str, object]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def serve_fake_twilio() -> Iterator[FakeTwilio]:
    """A threaded local server answering like Twilio's Messages API (yield from it in a fixture)."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    fake = FakeTwilio(server)
    server.expect_request(MESSAGES_PATH, method="POST").respond_with_handler(fake.handle)
    server.expect_request(MESSAGES_PATH, method="GET").respond_with_handler(fake.list_messages)
    server.start()
    try:
        yield fake
    finally:
        server.clear()
        if server.is_running():
            server.stop()


def twilio_config(config: Config, fake: FakeTwilio, **changes: object) -> Config:
    """The test config pointed at the fake Twilio server."""
    return replace(config, twilio_api_base_url=fake.url, sms_sender="twilio", **changes)  # type: ignore[arg-type]


def sender_for(config: Config, fake: FakeTwilio) -> Sender:
    """The production sender, built from config, reaching the fake server through the real twilio client."""
    return sender_from_config(twilio_config(config, fake), timeout=CLIENT_TIMEOUT)


def make_worker(app: Flask, sender: Sender, clock: FrozenClock, name: str = "worker-1", **kwargs: object) -> Worker:
    """A worker with its own sessions on the app's database."""
    factory = sessionmaker(app.extensions["ivr.engine"], expire_on_commit=False)
    return Worker(session_factory=factory, sender=sender, clock=clock, worker_id=name, **kwargs)  # type: ignore[arg-type]


def add_receipt(session: Session, *, now: datetime, to: str | None = WARD_61_SMS, reference: str = "482913") -> int:
    """Enqueue and commit one report receipt; returns its id."""
    message = enqueue_sms(
        session=session,
        to=to,
        template="report_receipt",
        values={**REPORT_VALUES, "reference": reference},
        subject=f"report:{reference}",
        now=now,
    )
    session.commit()
    return message.id


def reload(session: Session, message_id: int) -> OutboxMessage:
    """The message as stored now."""
    session.expire_all()
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def post_status(client: FlaskClient, params: dict[str, str], *, token: str = AUTH_TOKEN) -> int:
    """POST a status callback signed the way Twilio signs it; returns the HTTP status."""
    url = BASE_URL + "/sms/status"
    signature = RequestValidator(token).compute_signature(url, params)
    response = client.post("/sms/status", base_url=BASE_URL, data=params, headers={"X-Twilio-Signature": signature})
    return response.status_code
