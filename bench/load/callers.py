"""The callers of the whole-call load test (bench/load_test.py): the test data they use and the calls they place.

Every caller is a thread dialling from a ward's landline, sending each webhook to the next `ivr serve` instance in
turn and timing it, walking a care report or a fault report to the end with think time between its actions, and
recording how each call ended.
"""

from __future__ import annotations

import contextlib
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from directory.loader import read_directory
from ivr.caller import Call, CallError, HttpResult, HttpTransport, TwimlError
from ivr.config import BUNDLED_DIRECTORY
from ivr.reports.personnummer import luhn_check_digit

TOKEN = secrets.token_hex(16)  # signs the bench's own requests
ACCOUNT_SID = "AC" + secrets.token_hex(16)
PUBLIC_URL = "https://ivr.example.se"  # what Twilio would sign; each request goes to one instance on loopback
NORRBOTTEN_LINE = "+46846500400"
FLOWS = ("report", "fault")
HTTP_TIMEOUT = 15.0  # Twilio waits at most 15 s for a webhook
NUMBER_IN_PATH = re.compile(r"/\d+(?=/|$)")


class UnexpectedPromptError(Exception):
    """The call went somewhere a caller on this flow would not: an apology, the switchboard, a wrong prompt."""

    def __init__(self, step: str, heard: str) -> None:
        super().__init__(f"unexpected prompt at {step}")
        self.step = step
        self.heard = heard


@dataclass(frozen=True)
class Sample:
    """One webhook request as the caller measured it."""

    path: str
    seconds: float
    status: int
    instance: int


@dataclass
class Outcome:
    """One call: its flow, whether it completed, and if not where and what was last heard."""

    flow: str
    call_sid: str
    ended_at: float
    patient: str | None = None
    error: str | None = None


# ---- test data ----------------------------------------------------------------------------------------------


def ward_numbers() -> list[str]:
    """The caller IDs of the bundled directory's wards (E.164), in directory order."""
    return [row.voice[0] for row in read_directory(BUNDLED_DIRECTORY) if row.kind == "ward" and row.voice]


class Patients:
    """Distinct valid personnummer (born 1940 to 1999, Luhn check digit), never the same one twice in a run."""

    def __init__(self, seed: int) -> None:
        self._next = random.Random(seed).randrange(20_000)
        self._lock = threading.Lock()

    def take(self) -> str:
        with self._lock:
            index, self._next = self._next, self._next + 1
        days = 60 * 365
        born = date(1940, 1, 1) + timedelta(days=index % days)
        serial = 100 + index // days  # a new birth number once every day of the 60 years is used
        short = f"{born:%y%m%d}{serial:03d}"
        return f"{born.year // 100}{short}{luhn_check_digit(short)}"


# ---- the callers --------------------------------------------------------------------------------------------


class TimedTransport:
    """Sends each webhook to the next instance in turn and records its latency under its path."""

    def __init__(self, bases: list[str], first: int, samples: list[Sample]) -> None:
        self.inner = HttpTransport(timeout=HTTP_TIMEOUT)
        self.bases = bases
        self.turn = first
        self.samples = samples

    def send(self, method: str, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResult:
        instance = self.turn % len(self.bases)
        base = self.bases[instance]
        self.turn += 1
        path = urlsplit(url).path
        status = 0
        start = time.perf_counter()
        try:
            result = self.inner.send(method, base + url.removeprefix(PUBLIC_URL), params, headers)
            status = result.status
            return result
        finally:
            seconds = time.perf_counter() - start
            self.samples.append(Sample(NUMBER_IN_PATH.sub("/{n}", path), seconds, status, instance))


class Caller:
    """A caller who listens and thinks (`pause`) before each thing they do, and checks what they heard."""

    def __init__(self, call: Call, pause: Callable[[], None]) -> None:
        self.call = call
        self.pause = pause

    def press(self, keys: str) -> None:
        self.pause()
        self.call.press(keys)

    def say(self, words: str) -> None:
        self.pause()
        self.call.say(words)

    def expect(self, step: str, *texts: str, waiting: str = "Gather") -> None:
        """Raise UnexpectedPromptError unless the call waits at `waiting` having just said one of `texts`."""
        if self.call.waiting_for != waiting or not any(t in self.call.heard for t in texts):
            raise UnexpectedPromptError(step, self.call.heard)

    def take_whisper(self, whisper: str) -> None:
        """The receiver answers, hears the whisper and takes the call with 1; then the caller hangs up."""
        if self.call.whisper_url is None:
            raise UnexpectedPromptError("dial", f"a <Dial> without a whisper to {', '.join(self.call.dialled)}")
        self.pause()
        leg = self.call.answer(keys=["1"])
        if whisper not in leg.heard_all or leg.hung_up_by_app:
            raise UnexpectedPromptError("whisper", leg.heard_all)
        self.pause()
        self.call.hangup()


def report_call(caller: Caller, patient: str) -> None:
    """A discharge-ready report from a known ward to Luleå kommun, said by name or taken as last time."""
    caller.call.start()
    caller.expect("menu", "Inskrivning och utskrivning: tryck 1")
    caller.press("1")
    caller.expect("event", "Utskrivningsklar: tryck 3")
    caller.press("3")
    caller.expect("patient", "tolv siffror")
    caller.press(patient)
    if "Vilken kommun?" in caller.call.heard:
        caller.say("Luleå")
        caller.expect("receiver", "Luleå kommun? Ja: tryck 1")
    else:
        caller.expect("receiver", "Till Luleå kommun igen? Ja: tryck 1")
    caller.press("1")
    caller.expect("outpatient", "öppenvårdsenhet? Ja: tryck 1. Nej: tryck 2")
    caller.press("2")
    if "Säg ditt namn" in caller.call.heard:
        caller.say("Anna Andersson")
        caller.expect("name", "Anna Andersson? Ja: tryck 1")
        caller.press("1")
    caller.expect("summary", "Registrera: tryck 1")
    caller.press("1")
    caller.expect("registered", "Registrerad klockan", waiting="Dial")
    caller.take_whisper("Ta emot samtalet: tryck 1")


def fault_call(caller: Caller) -> None:
    """A fault report from a known ward: the name, Lifecare SP, "cannot be reached"; then put through."""
    caller.call.start()
    caller.expect("menu", "Felanmälan: tryck 2")
    caller.press("2")
    caller.expect("name", "Säg ditt namn")
    caller.say("Anna Andersson")
    caller.expect("name", "Anna Andersson? Ja: tryck 1")
    caller.press("1")
    caller.expect("system", "Gäller felet Lifecare SP? Ja: tryck 1")
    caller.press("1")
    caller.expect("kind", "Går inte att nå: tryck 2")
    caller.press("2")
    caller.expect("filed", "Felanmälan är registrerad", waiting="Dial")
    caller.take_whisper("Ta samtalet: tryck 1")


@dataclass
class Plan:
    """What every caller does: the flows' weights, think time, when to stop and where to send webhooks."""

    bases: list[str]
    wards: list[str]
    mix: dict[str, float]
    think: float
    stop_at: float
    patients: Patients
    seed: int


def run_caller(index: int, plan: Plan, samples: list[Sample], outcomes: list[Outcome]) -> None:
    """One caller: complete calls one after another, from a ward's shared landline, until the plan stops."""
    rng = random.Random(plan.seed * 100_003 + index)
    flows, weights = list(plan.mix), list(plan.mix.values())

    def pause() -> None:
        if plan.think > 0:
            time.sleep(plan.think * rng.uniform(0.5, 1.5))

    if plan.think > 0:
        time.sleep(rng.uniform(0, plan.think))  # callers start spread over one think time
    calls = 0
    while time.monotonic() < plan.stop_at:
        flow = rng.choices(flows, weights)[0]
        ward = plan.wards[(index + calls * 7) % len(plan.wards)]
        transport = TimedTransport(plan.bases, index + calls, samples)
        call = Call(transport, TOKEN, PUBLIC_URL, from_number=ward, to_number=NORRBOTTEN_LINE, account_sid=ACCOUNT_SID)
        patient = plan.patients.take() if flow == "report" else None
        outcome = Outcome(flow, call.call_sid, 0.0, patient)
        try:
            if patient is not None:
                report_call(Caller(call, pause), patient)
            else:
                fault_call(Caller(call, pause))
        except Exception as exc:  # every failure of a call is counted, whatever it is; none stops the bench
            outcome.error = describe(exc, call)
            hang_up_quietly(call)
        outcome.ended_at = time.monotonic()
        outcomes.append(outcome)
        calls += 1
        pause()


def describe(exc: Exception, call: Call) -> str:
    """One line naming the failure, the last webhook and what the caller last heard."""
    last = urlsplit(call.requests[-1][1]).path if call.requests else "-"
    if isinstance(exc, UnexpectedPromptError):
        return f"{exc.step}: after {last} heard {exc.heard[:240]!r}"
    if isinstance(exc, TwimlError | CallError):
        return f"{type(exc).__name__}: {str(exc)[:240]}"
    return f"{type(exc).__name__} after {last}: {str(exc)[:200]}"


def hang_up_quietly(call: Call) -> None:
    """End a failed call as the caller would (the status callback), ignoring a second failure."""
    with contextlib.suppress(Exception):  # the call has already been counted as an error
        call.hangup()


def run_callers(plan: Plan, count: int, first: int) -> tuple[list[Sample], list[Outcome]]:
    """`count` caller threads on the plan until each has finished; their samples and outcomes."""
    samples: list[list[Sample]] = [[] for _ in range(count)]
    outcomes: list[list[Outcome]] = [[] for _ in range(count)]
    threads = [
        threading.Thread(target=run_caller, args=(first + i, plan, samples[i], outcomes[i]), daemon=True)
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for each in samples for s in each], [o for each in outcomes for o in each]
