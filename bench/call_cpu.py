"""Server CPU per complete call, webhook by webhook, and where it goes (a sampling profile).

Complete calls (a discharge-ready report from a known ward to a municipality said by name, whisper leg and
status callback included; a fault report put through to the help desk) run in-process through the project's
test caller, against SQLite or PostgreSQL with the bundled directory and the real clock. Only the service's
own work is timed: the CPU time of the request thread from the moment the app receives a request until its
answer is built (signature check, database, TwiML), not the test caller's parsing. The database server's own
CPU (PostgreSQL) is not counted; `bench/load_test.py` measures whole processes under load.

    python bench/call_cpu.py [--calls 200] [--database-url URL] [--profile FILE.html]

Target: under 30 ms of server CPU per complete report call. Exits 1 if the report call misses it.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import Engine, event

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.in_process import BASE, TOKEN, in_process_service  # noqa: E402
from ivr.caller.engine import Call  # noqa: E402
from ivr.caller.transport import FlaskTransport  # noqa: E402
from ivr.reports.personnummer import luhn_check_digit  # noqa: E402

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

NORRBOTTEN_LINE = "+46846500400"
WARDS = ("+46980319202", "+46980319203", "+46980319204")  # Avdelning 61, 62, 63, Sunderby sjukhus
TARGET_MS = 30.0


class ThreadCpu:
    """WSGI middleware adding each request's thread CPU time to a per-path list, and counting the database
    statements each request sends, BEGIN and COMMIT included (on PostgreSQL the pool's ping when a request takes
    its connection comes on top: one more round trip per request)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.by_path: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._current = threading.local()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = re.sub(r"/\d+", "/N", environ.get("PATH_INFO", "?"))
        self._current.path = path
        start = time.thread_time()
        try:
            return self.app(environ, start_response)
        finally:
            spent = time.thread_time() - start
            self._current.path = None
            with self._lock:
                self.by_path[path].append(spent)

    def count_statement(self, *_args: object) -> None:
        path = getattr(self._current, "path", None)
        if path is not None:
            with self._lock:
                self.statements[path] += 1

    def watch(self, engine: Engine) -> None:
        """Count what this engine sends: every statement, and the BEGIN and COMMIT around them."""
        event.listen(engine, "before_cursor_execute", self.count_statement)
        event.listen(engine, "begin", self.count_statement)
        event.listen(engine, "commit", self.count_statement)

    def total(self) -> float:
        with self._lock:
            return sum(sum(times) for times in self.by_path.values())


def patients() -> Iterator[str]:
    """Distinct valid personnummer (generated: born 1940-1999, birth number 001-999, a valid check digit)."""
    for n in itertools.count():
        birth, serial = divmod(n, 999)
        year, day_of_year = divmod(birth, 336)
        body = f"{1940 + year % 60:04d}{day_of_year // 28 + 1:02d}{day_of_year % 28 + 1:02d}{serial + 1:03d}"
        yield body + str(luhn_check_digit(body[2:]))


def service(database_url: str, instance: Path, *, in_thread: bool = False) -> tuple[Flask, ThreadCpu]:
    app = in_process_service(database_url, instance)
    budget: Any = app.wsgi_app  # the request-budget middleware; time what runs in its request thread
    timer = ThreadCpu(budget.app)
    timer.watch(app.extensions["ivr.engine"])
    if in_thread:  # profiling: run the app in the profiled thread itself, without the budget's request threads
        app.wsgi_app = timer  # type: ignore[method-assign]
    else:
        budget.app = timer
    return app, timer


def report_call(app: Flask, ward: str, patient: str) -> Call:
    """Discharge-ready to Luleå kommun, said by name or offered as the ward's last receiver, then put through."""
    call = Call(FlaskTransport(app.test_client()), TOKEN, BASE, from_number=ward, to_number=NORRBOTTEN_LINE).start()
    call.press("1").press("3").press(patient)
    if "igen?" in call.heard:
        call.press("1")
    else:
        call.say("Luleå").press("1")
    call.press("2")  # no outpatient unit
    if "namn" in call.heard:
        call.say("Anna Andersson").press("1")
    call.press("1")
    _expect_dial(call)
    call.answer(keys=["1"])
    return call.hangup()


def fault_call(app: Flask, ward: str) -> Call:
    """A Lifecare SP fault from a known ward, put through with a whisper."""
    call = Call(FlaskTransport(app.test_client()), TOKEN, BASE, from_number=ward, to_number=NORRBOTTEN_LINE).start()
    call.press("2").say("Anna Andersson").press("1").press("1").press("2")
    _expect_dial(call)
    call.answer(keys=["1"])
    return call.hangup()


def _expect_dial(call: Call) -> None:
    if call.waiting_for != "Dial":
        raise SystemExit(f"the call was not put through; last heard: {call.heard!r}")


@contextmanager
def profiled(path: str | None) -> Iterator[None]:
    """Sample the block with pyinstrument; print where the service's own time goes (inside ThreadCpu)."""
    if path is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        session = profiler.stop()
        Path(path).write_text(profiler.output_html(), encoding="utf-8")
        _print_hotspots(session.root_frame())


def _print_hotspots(root: Any, top: int = 30) -> None:
    """Self and total time per function, counted only inside the service (below ThreadCpu.__call__)."""
    own: dict[str, float] = defaultdict(float)
    inclusive: dict[str, float] = defaultdict(float)
    served = 0.0

    def name(frame: Any) -> str:
        return f"{frame.function}  {frame.file_path_short}:{frame.line_no}"

    def walk(frame: Any, inside: bool, seen: frozenset[str]) -> None:
        nonlocal served
        if not inside and frame.function == "__call__" and "call_cpu" in (frame.file_path_short or ""):
            inside = True
            served += frame.time
        if inside:
            key = name(frame)
            own[key] += frame.total_self_time
            if key not in seen:  # recursion counts once
                inclusive[key] += frame.time
                seen = seen | {key}
        for child in frame.children:
            walk(child, inside, seen)

    if root is not None:
        walk(root, False, frozenset())
    print(f"profile: {served:.3f} s inside the service")
    print("self time (s)  function")
    for key, seconds in sorted(own.items(), key=lambda item: -item[1])[:top]:
        print(f"{seconds:>12.3f}  {key}")
    print("total time (s)  our function")
    ours = [(k, v) for k, v in inclusive.items() if any(p in k for p in ("call_flows/", "ivr/", "directory/"))]
    for key, seconds in sorted(ours, key=lambda item: -item[1])[:top]:
        print(f"{seconds:>12.3f}  {key}")


def measure(
    timer: ThreadCpu, calls: int, place: Callable[[int], Call]
) -> tuple[float, dict[str, list[float]], dict[str, int]]:
    """ms of server CPU per call, the per-path times and statement counts, for `calls` calls placed by `place(i)`."""
    timer.by_path.clear()
    timer.statements.clear()
    for i in range(calls):
        place(i)
    by_path = {path: list(times) for path, times in timer.by_path.items()}
    return timer.total() * 1000 / calls, by_path, dict(timer.statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="complete calls of each kind")
    parser.add_argument("--database-url", default=None, help="an empty database; default: a fresh SQLite file")
    parser.add_argument("--profile", default=None, help="write a pyinstrument profile of the report calls here")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app, timer = service(url, Path(tmp), in_thread=args.profile is not None)
        try:
            people = patients()
            for i in range(10):  # warm up: imports, compiled statements, the same-receiver offer
                report_call(app, WARDS[i % len(WARDS)], next(people))
            with profiled(args.profile):
                report_ms, report_paths, report_statements = measure(
                    timer, args.calls, lambda i: report_call(app, WARDS[i % len(WARDS)], next(people))
                )
            fault_ms, _, _ = measure(timer, args.calls, lambda i: fault_call(app, WARDS[i % len(WARDS)]))
        finally:
            app.extensions["ivr.engine"].dispose()
    print(f"database: {url.split(':')[0]}, {args.calls} calls of each kind")
    print(f"{'webhook (report call)':<44} {'n/call':>6} {'ms p50':>7} {'ms mean':>7} {'db stmts':>8}")
    for path, times in sorted(report_paths.items(), key=lambda item: -sum(item[1])):
        print(
            f"{path:<44} {len(times) / args.calls:>6.1f} {statistics.median(times) * 1000:>7.2f}"
            f" {statistics.fmean(times) * 1000:>7.2f} {report_statements.get(path, 0) / len(times):>8.1f}"
        )
    print(f"database statements per complete report call: {sum(report_statements.values()) / args.calls:.1f}")
    print(f"server CPU per complete report call: {report_ms:.1f} ms (target < {TARGET_MS:.0f} ms)")
    print(f"server CPU per complete fault call:  {fault_ms:.1f} ms")
    return 0 if report_ms < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
