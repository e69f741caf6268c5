"""What a caller has to do, flow by flow: keys pressed, answers spoken, words heard and webhooks.

Every flow is a complete call through the project's own test caller (ivr.caller), in-process against a fresh
SQLite database with the bundled directory, on Monday 23 November 2026 at 10:00 with Lifecare SP down since
07:00 (the situation the line exists for). For each flow it reports, up to the moment the caller is put
through (the receiver's, help desk's or ward's phone starts ringing) or, for the inbox, the acknowledgement:

- keys: every key pressed, the 12 digits of a personnummer included;
- speech: answers spoken (a name, a municipality);
- words: every word of every prompt, as if the caller waited for each to end (digits read out count one word
  each);
- heard: the words a caller hears who answers as soon as the prompt has said what they need (every prompt is
  inside its <Gather>, so a key, or speech where it is listened for, interrupts it): up to "Utskrivningsklar:
  tryck 3", "Ja: tryck 1", "Vilken kommun?";
- ~s: seconds of listening to every word, at 150 words a minute;
- hooks: webhooks Twilio requests until then (redirects included); all: for the whole call, whisper leg and
  status callback included.

    python bench/caller_effort.py [--json]

Exits 1 if the discharge-ready report from a known ward to a municipality said by name misses its targets:
at most 18 keys and at most 100 words heard before the connection starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.in_process import BASE, TOKEN, in_process_service  # noqa: E402
from ivr.caller import Call, FlaskTransport  # noqa: E402
from ivr.clock import FrozenClock  # noqa: E402
from ivr.outages.service import start_outage  # noqa: E402
from ivr.web.context import runtime_of  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NORRBOTTEN_LINE = "+46846500400"
WARD_61 = "+46980319202"  # Avdelning 61 medicin, Sunderby sjukhus
WARD_62 = "+46980319203"  # Avdelning 62 kirurgi
WARD_63 = "+46980319204"  # Avdelning 63 ortopedi
GALLIVARE_MEDICIN = "+46980319206"
GALLIVARE_KIRURG = "+46980319207"
LULEA_KOMMUN = "+46980319227"  # 2580
# Skatteverket's test personnummer (tests/data), one per flow: the same patient twice would be a duplicate.
PATIENT = "194608239986"
NEXT_PATIENTS = ("195001182046", "195001182061")
PATIENTS = {"admission": "193801029202", "assessment": "196101122650", "missed": "196101182803"}
TARGET_KEYS = 18
TARGET_WORDS = 100
WORDS_PER_MINUTE = 150  # a calm, clear prompt voice


@dataclass
class Effort:
    """One flow's effort up to the connection, and the whole call's webhooks."""

    flow: str
    keys: int
    speech: int
    words: int
    words_to_key: int
    seconds_listening: int
    webhooks: int
    webhooks_whole_call: int
    uninterruptible: list[str]  # anything said outside a <Gather> before a question (none: a key always interrupts)


class Script:
    """A scripted caller: each action is recorded so the bench can count keys, speech and words to the key."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.keys = 0
        self.speech = 0
        self.words_to_key = 0
        self.start_words = 0
        self.start_requests = 0

    def reset(self) -> None:
        """Count from here (a flow measured from the middle of a call)."""
        self.keys = self.speech = self.words_to_key = 0
        self.start_words = len(self.call.transcript) - 1 if self.call.transcript else 0
        self.start_requests = len(self.call.requests)

    def press(self, keys: str, *, option: str | None = None) -> Script:
        """Press keys; `option` names the words after which a caller who knows what they want would press."""
        self.words_to_key += _words_until(self.call.heard, option)
        self.keys += len(keys)
        self.call.press(keys)
        return self

    def say(self, words: str, *, after: str | None = None) -> Script:
        """Speak; `after` names the words after which a caller who knows what to say starts speaking."""
        self.words_to_key += _words_until(self.call.heard, after)
        self.speech += 1
        self.call.say(words)
        return self


def _words(text: str) -> int:
    return len([w for w in re.split(r"[\s,.:;?!]+", text) if w])


def _words_until(heard: str, option: str | None) -> int:
    """The words heard until `option` has been said (the whole prompt if it is None or not found)."""
    if option is None or option not in heard:
        return _words(heard)
    return _words(heard[: heard.index(option) + len(option)])


# ---- the flows (each from the first ring to the moment the caller is put through) ----------------------


def discharge_ready_by_name(s: Script, patient: str = PATIENT) -> None:
    """A ward known by caller ID reports discharge-ready to a municipality said by name."""
    s.press("1", option="tryck 1")  # the report (the unit is announced, not asked)
    s.press("3", option="Utskrivningsklar: tryck 3")
    s.press(patient, option="tolv siffror")  # twelve digits end the question; the number is read back on the way
    s.say("Luleå", after="Vilken kommun?")
    s.press("1", option="Ja: tryck 1")  # "Luleå kommun?"
    s.press("2", option="Nej: tryck 2")  # no outpatient unit
    s.say("Anna Andersson")
    s.press("1", option="Ja: tryck 1")
    s.press("1", option="Registrera: tryck 1")


def next_patient_same_receiver(s: Script) -> None:
    """The same call's second patient, to the same municipality: the name is not asked again."""
    first, second = NEXT_PATIENTS
    discharge_ready_by_name(s, first)
    s.call.answer(keys=["1"])  # the municipality takes the first report
    s.reset()
    s.press("1", option="En patient till: tryck 1")
    s.press("3", option="Utskrivningsklar: tryck 3")
    s.press(second, option="tolv siffror")
    s.press("1", option="Ja: tryck 1")  # "Till Luleå kommun igen?"
    s.press("2", option="Nej: tryck 2")
    s.press("1", option="Registrera: tryck 1")


def admission_with_date(s: Script) -> None:
    """Admission with an estimated discharge date."""
    s.press("1", option="tryck 1")
    s.press("1", option="Inskrivning: tryck 1")
    s.press(PATIENTS["admission"], option="tolv siffror")
    s.say("Luleå", after="Vilken kommun?")
    s.press("1", option="Ja: tryck 1")
    s.press("2", option="Nej: tryck 2")
    s.press("1", option="Ja: tryck 1")  # there is a date
    s.press("20261130")
    s.press("1", option="Ja: tryck 1")
    s.say("Anna Andersson")
    s.press("1", option="Ja: tryck 1")
    s.press("1", option="Registrera: tryck 1")


def changed_assessment(s: Script) -> None:
    """A changed assessment with a new date, naming the assessing doctor."""
    s.press("1", option="tryck 1")
    s.press("5", option="Ändrad bedömning: tryck 5")
    s.press(PATIENTS["assessment"], option="tolv siffror")
    s.say("Luleå", after="Vilken kommun?")
    s.press("1", option="Ja: tryck 1")
    s.press("2", option="Nej: tryck 2")
    s.say("Bo Berg")
    s.press("1", option="Ja: tryck 1")
    s.press("2", option="nytt datum: tryck 2")
    s.press("20261130")
    s.press("1", option="Ja: tryck 1")
    s.say("Anna Andersson")
    s.press("1", option="Ja: tryck 1")
    s.press("1", option="Registrera: tryck 1")


def fault_report(s: Script) -> None:
    """A fault report from a known ward, put through to the help desk."""
    s.press("2", option="Felanmälan: tryck 2")
    s.say("Anna Andersson")
    s.press("1", option="Ja: tryck 1")
    s.press("1", option="Ja: tryck 1")  # Lifecare SP
    s.press("2", option="Går inte att nå: tryck 2")


def connect_by_code(s: Script) -> None:
    """Connect to a municipality by its code."""
    s.press("3", option="tryck 3")
    s.press("2580#")
    s.press("1", option="Koppla: tryck 1")


def receiver_inbox(s: Script) -> None:
    """Luleå kommun, which missed a report's call, calls the line and acknowledges it."""
    s.press("4", option="Okvitterade rapporter: tryck 4")
    s.press("1", option="Kvittera: tryck 1")


def missed_report(app: Flask) -> None:
    """A discharge-ready report whose call Luleå kommun did not answer (it then waits in its inbox)."""
    call = Call(FlaskTransport(app.test_client()), TOKEN, BASE, from_number=WARD_62, to_number=NORRBOTTEN_LINE)
    script = Script(call.start())
    discharge_ready_by_name(script, PATIENTS["missed"])
    call.dial_outcome("no-answer")
    call.hangup()


@dataclass(frozen=True)
class Flow:
    caller_id: str
    run: Callable[[Script], None]
    ends_at: str = "Dial"  # what the call waits at when the flow is done (Dial: being put through)
    setup: Callable[[Flask], None] | None = None


FLOWS: dict[str, Flow] = {
    "discharge-ready": Flow(WARD_61, discharge_ready_by_name),
    "next patient, same call": Flow(WARD_63, next_patient_same_receiver),
    "admission with date": Flow(GALLIVARE_MEDICIN, admission_with_date),
    "changed assessment": Flow(GALLIVARE_KIRURG, changed_assessment),
    "fault report": Flow(WARD_61, fault_report),
    "connect by code": Flow(WARD_61, connect_by_code),
    "receiver inbox": Flow(LULEA_KOMMUN, receiver_inbox, ends_at="Gather", setup=missed_report),
}


# ---- running them -----------------------------------------------------------------------------------------


def service(instance: Path, clock: FrozenClock) -> Flask:
    app = in_process_service(f"sqlite:///{instance / 'effort.sqlite3'}", instance, clock=clock)
    line = runtime_of(app).lines.by_key("norrbotten")
    assert line is not None
    with Session(app.extensions["ivr.engine"]) as session:
        start_outage(
            session=session,
            line=line,
            system="Lifecare SP",
            starts_at=clock.now() - timedelta(hours=3),
            actor="bench",
            now=clock.now(),
        )
        session.commit()
    return app


def measure(app: Flask, name: str, flow: Flow) -> Effort:
    if flow.setup is not None:
        flow.setup(app)
    call = Call(FlaskTransport(app.test_client()), TOKEN, BASE, from_number=flow.caller_id, to_number=NORRBOTTEN_LINE)
    script = Script(call.start())
    flow.run(script)
    if call.waiting_for != flow.ends_at:
        raise SystemExit(f"{name}: the flow did not end at a {flow.ends_at}; last heard: {call.heard!r}")
    heard = call.transcript[script.start_words :]
    words = sum(_words(text) for text in heard)
    if flow.ends_at == "Dial":
        script.words_to_key += _words(call.heard)
    webhooks = len(call.requests) - script.start_requests
    legs = [call.answer(keys=["1"])] if flow.ends_at == "Dial" else []
    call.hangup()
    return Effort(
        flow=name,
        keys=script.keys,
        speech=script.speech,
        words=words,
        words_to_key=script.words_to_key,
        seconds_listening=round(words * 60 / WORDS_PER_MINUTE),
        webhooks=webhooks,
        webhooks_whole_call=len(call.requests) - script.start_requests + sum(len(leg.requests) for leg in legs),
        uninterruptible=list(call.uninterruptible),
    )


def measure_all() -> list[Effort]:
    """Every flow, each on the same fresh service (Monday 23 November 2026 10:00, Lifecare SP down)."""
    clock = FrozenClock(datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM))
    with tempfile.TemporaryDirectory() as tmp:
        app = service(Path(tmp), clock)
        try:
            return [measure(app, name, flow) for name, flow in FLOWS.items()]
        finally:
            app.extensions["ivr.engine"].dispose()


def meets_targets(effort: Effort) -> bool:
    """The discharge-ready report's targets: keys including the personnummer, and words heard."""
    return effort.keys <= TARGET_KEYS and effort.words_to_key <= TARGET_WORDS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    results = measure_all()
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
    else:
        print(f"{'flow':<24} {'keys':>5} {'speech':>6} {'words':>6} {'heard':>6} {'~s':>4} {'hooks':>6} {'all':>4}")
        for r in results:
            print(
                f"{r.flow:<24} {r.keys:>5} {r.speech:>6} {r.words:>6} {r.words_to_key:>6} "
                f"{r.seconds_listening:>4} {r.webhooks:>6} {r.webhooks_whole_call:>4}"
            )
    target = results[0]
    if not meets_targets(target):
        print(
            f"discharge-ready misses its targets: {target.keys} keys (≤ {TARGET_KEYS}), "
            f"{target.words_to_key} words heard (≤ {TARGET_WORDS})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
