"""Every request that may wait on the database is answered within a budget, whatever the database does.

Twilio waits 15 s for a webhook, then plays its own English error and hangs up. The database waits are
bounded one by one (ivr.persistence); this middleware bounds the whole request: the app runs in a pool of
request threads while the server's own thread waits at most the budget, then answers itself (for a voice
webhook: the spoken apology and the line's switchboard). A request that starts after its budget is spent is
not run at all, and one that overruns may not commit (ivr.web.session), so a caller who heard the apology
never has a report registered behind their back. When every request thread is stuck (a database that
accepts connections and never answers), new requests are answered at once instead of queueing.
"""

from __future__ import annotations

import contextvars
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("ivr.deadline")
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("ivr_request_deadline", default=None)
MAX_BODY = 2 * 1024 * 1024  # as the app accepts (ivr.app.MAX_BODY_BYTES)


class DeadlinePassedError(RuntimeError):
    """The request's budget ran out; its work is not committed (the caller already got an answer)."""


def check_deadline() -> None:
    """Raise if the current request's budget has run out (called before every commit)."""
    deadline = DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlinePassedError("the request's time budget ran out before it could commit")


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer: status line, headers, body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


OnTimeout = Callable[["WSGIEnvironment", bytes], Answer]


@dataclass
class _Running:
    deadline: float
    started: float = field(default_factory=time.monotonic)


class RequestBudget:
    """WSGI middleware running the app in bounded request threads, answering by itself when time runs out."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        budget: float,
        threads: int,
        exempt: Callable[[WSGIEnvironment], bool],
        on_timeout: OnTimeout,
    ) -> None:
        self.app = app
        self.budget = budget
        self.threads = threads
        self.exempt = exempt
        self.on_timeout = on_timeout
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ivr-request")
        self._lock = threading.Lock()
        self._running: dict[int, _Running] = {}
        self._next = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.exempt(environ):
            return self.app(environ, start_response)
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        deadline = time.monotonic() + self.budget
        if self._stuck():
            log.error("every request thread is stuck past its budget: answering %s at once", environ.get("PATH_INFO"))
            return self._answer(self.on_timeout(environ, body), start_response)
        context = contextvars.copy_context()
        future = self.pool.submit(context.run, self._run, environ, deadline)
        try:
            answer = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            log.error(
                "request %s overran its %.1f s budget: answered without it", environ.get("PATH_INFO"), self.budget
            )
            answer = self.on_timeout(environ, body)
        return self._answer(answer, start_response)

    def _run(self, environ: WSGIEnvironment, deadline: float) -> Answer:
        if time.monotonic() > deadline:
            raise DeadlinePassedError("queued past its budget; not run")
        with self._lock:
            key, self._next = self._next, self._next + 1
            self._running[key] = _Running(deadline=deadline)
        DEADLINE.set(deadline)
        try:
            return _call_whole(self.app, environ)
        finally:
            with self._lock:
                self._running.pop(key, None)

    def _stuck(self) -> bool:
        now = time.monotonic()
        with self._lock:
            overdue = sum(1 for running in self._running.values() if running.deadline < now)
        return overdue >= self.threads

    @staticmethod
    def _answer(answer: Answer, start_response: StartResponse) -> Iterable[bytes]:
        headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(answer.body))))
        start_response(answer.status, headers)
        return [answer.body]


def _read_body(environ: WSGIEnvironment) -> bytes:
    """The request body, read in the server's thread (at most one byte more than the app accepts)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream: Any = environ["wsgi.input"]
    data: bytes = stream.read(min(length, MAX_BODY + 1)) if length > 0 else b""
    if length > MAX_BODY:
        environ["CONTENT_LENGTH"] = str(length)  # the app refuses it (413) without reading on
    return data


def _call_whole(app: WSGIApplication, environ: WSGIEnvironment) -> Answer:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Answer(status=captured["status"], headers=list(captured["headers"]), body=body)
