"""A stand-in for Twilio's Messages API on loopback, counting every SMS the outbox workers send to it.

It answers like Twilio as far as the `twilio` client and the outbox worker need: a POST to
`/2010-04-01/Accounts/{sid}/Messages.json` is taken (201, a message resource with a unique `sid`), and a GET of the
same path lists what was taken to a number, newest first (the worker's look-up of an uncertain attempt). Anything
else answers 404, and is counted, so a bench never mistakes a wrong URL for a quiet run.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class TakenMessage:
    """One message Twilio took: its SID, recipient and body."""

    sid: str
    to: str
    body: str


@dataclass
class Inbox:
    """What the fake has seen: every message taken, look-ups and requests it could not answer."""

    taken: list[TakenMessage] = field(default_factory=list)
    lookups: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def duplicates(self) -> int:
        """Messages taken more than once with the same recipient and body (each body carries a reference)."""
        with self.lock:
            counts = Counter((m.to, m.body) for m in self.taken)
        return sum(n - 1 for n in counts.values() if n > 1)


class FakeTwilio:
    """A threaded HTTP server on 127.0.0.1 answering like Twilio's Messages API for one account."""

    def __init__(self, account_sid: str) -> None:
        self.account_sid = account_sid
        self.path = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        self.inbox = Inbox()
        self._counter = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-twilio", daemon=True)

    @property
    def url(self) -> str:
        """The base URL to give the service as TWILIO_API_BASE_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def take(self, form: dict[str, str]) -> dict[str, object]:
        """Take one message and return its resource as Twilio's API answers it."""
        sid = f"SM{next(self._counter):032x}"
        message = TakenMessage(sid=sid, to=form.get("To", ""), body=form.get("Body", ""))
        with self.inbox.lock:
            self.inbox.taken.append(message)
        return self._resource(message, sender=form.get("From"), service=form.get("MessagingServiceSid"))

    def listing(self, to: str | None) -> dict[str, object]:
        """The page Twilio answers to GET Messages.json?To=…: the messages to that number, newest first."""
        with self.inbox.lock:
            self.inbox.lookups += 1
            found = [m for m in reversed(self.inbox.taken) if to is None or m.to == to]
        return {
            "messages": [self._resource(m, sender=None, service=None) for m in found],
            "page": 0,
            "page_size": 50,
            "uri": self.path,
            "next_page_uri": None,
        }

    def _resource(self, message: TakenMessage, *, sender: str | None, service: str | None) -> dict[str, object]:
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": message.to,
            "from": sender,
            "messaging_service_sid": service,
            "body": message.body,
            "status": "accepted" if service else "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": API_VERSION,
            "date_created": "Mon, 23 Nov 2026 09:00:00 +0000",
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # the twilio client keeps its connection open

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(length).decode("utf-8")
                if urlsplit(self.path).path != fake.path:
                    self._unexpected()
                    return
                form = {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}
                self._json(201, fake.take(form))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != fake.path:
                    self._unexpected()
                    return
                to = parse_qs(parts.query).get("To", [None])[-1]
                self._json(200, fake.listing(to))

            def _unexpected(self) -> None:
                with fake.inbox.lock:
                    fake.inbox.unexpected.append(f"{self.command} {self.path}")
                self._json(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})

            def _json(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the bench counts requests itself."""

        return Handler
