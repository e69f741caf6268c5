"""What a caller has to do, flow by flow: keys pressed, answers spoken, words heard and webhooks.

Every flow is a complete call through the project's own test caller (ivr.caller), in-process against a fresh
SQLite database with the bundled directory, on Monday 23 November 2026 at 10:00 with Lifecare SP down since
07:00 (the situation the line exists for). For each flow it reports, up to the moment the caller is put
through (the receiver's, help desk's or ward's phone starts ringing):

- keys: every key pressed, the 12 digits of a personnummer included;
- speech: answers spoken (a name, a municipality);
- words: words of every prompt heard in full (no barge-in; digits read out count one word each), and
  "to key": the words heard by a caller who presses as soon as the option they need has been said;
- webhooks: requests Twilio makes until then (redirects included), and for the whole call (whisper leg and
  status callback included).

    python bench/caller_effort.py [--json]

Exits 1 if the discharge-ready report from a known ward to a municipality said by name misses its targets
(at most 18 keys and 100 words heard before the connection starts).
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

from directory.loader import load_directory_file  # noqa: E402
from ivr.app import create_app  # noqa: E402
from ivr.caller import Call, FlaskTransport  # noqa: E402
from ivr.clock import FrozenClock  # noqa: E402
from ivr.config import BUNDLED_DIRECTORY, Config  # noqa: E402
from ivr.migrate import upgrade  # noqa: E402
from ivr.outages.service import start_outage  # noqa: E402
from ivr.persistence import make_engine  # noqa: E402
from ivr.web.context import runtime_of  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://ivr.example.se"
NORRBOTTEN_LINE = "+46846500400"
WARD_61 = "+46980319202"  # Avdelning 61 medicin, Sunderby sjukhus
LULEA_KOMMUN = "+46980319227"  # 2580
PATIENT = "194608239986"  # Skatteverket test personnummer
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


class Script:
    """A scripted caller: each action is recorded so the bench can count keys, speech and words to the key."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.keys = 0
        self.speech = 0
        self.words_to_key = 0

    def press(self, keys: str, *, option: str | None = None) -> Script:
        """Press keys; `option` names the words after which a caller who knows what they want would press."""
        self.words_to_key += _words_until(self.call.heard, option)
        self.keys += len(keys)
        self.call.press(keys)
        return self

    def say(self, words: str) -> Script:
        self.words_to_key += _words_until(self.call.heard, None)
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


def discharge_ready_by_name(s: Script) -> None:
    """A ward known by caller ID reports discharge-ready to a municipality said by name."""
    s.press("1", option="tryck 1")  # the report
    s.press("1", option="tryck 1")  # BEFORE: the unit from caller ID is right
    s.press("3", option="tryck 3")  # discharge-ready
    s.press(PATIENT + "#")
    s.press("1", option="tryck 1")  # the number read back is right
    s.press("2580")  # (before: the code; by name once the flow takes speech)
    s.press("1", option="tryck 1")
    s.press("2", option="tryck 2")  # no outpatient unit
    s.say("Anna Andersson")
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")  # register


def admission_with_date(s: Script) -> None:
    """Admission with an estimated discharge date."""
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")  # BEFORE: unit
    s.press("1", option="tryck 1")
    s.press(PATIENT + "#")
    s.press("1", option="tryck 1")
    s.press("2580")
    s.press("1", option="tryck 1")
    s.press("2", option="tryck 2")
    s.press("1", option="tryck 1")  # there is a date
    s.press("20261130")
    s.press("1", option="tryck 1")
    s.say("Anna Andersson")
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")


def changed_assessment(s: Script) -> None:
    """A changed assessment with a new date, naming the assessing doctor."""
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")  # BEFORE: unit
    s.press("5", option="tryck 5")
    s.press(PATIENT + "#")
    s.press("1", option="tryck 1")
    s.press("2580")
    s.press("1", option="tryck 1")
    s.press("2", option="tryck 2")
    s.say("Bo Berg")
    s.press("1", option="tryck 1")
    s.press("2", option="tryck 2")  # a new date
    s.press("20261130")
    s.press("1", option="tryck 1")
    s.say("Anna Andersson")
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")


def fault_report(s: Script) -> None:
    """A fault report from a known ward, put through to the help desk."""
    s.press("2", option="tryck 2")
    s.say("Anna Andersson")
    s.press("1", option="tryck 1")
    s.press("1", option="tryck 1")  # the unit from caller ID
    s.press("1", option="tryck 1")  # Lifecare SP
    s.press("2", option="tryck 2")  # unreachable


def connect_by_code(s: Script) -> None:
    """Connect to a municipality by its code."""
    s.press("3", option="tryck 3")
    s.press("2580#")
    s.press("1", option="tryck 1")


FLOWS: dict[str, tuple[str, Callable[[Script], None]]] = {
    "discharge-ready": (WARD_61, discharge_ready_by_name),
    "admission with date": (WARD_61, admission_with_date),
    "changed assessment": (WARD_61, changed_assessment),
    "fault report": (WARD_61, fault_report),
    "connect by code": (WARD_61, connect_by_code),
}


# ---- running them -----------------------------------------------------------------------------------------


def service(instance: Path, clock: FrozenClock) -> Flask:
    url = f"sqlite:///{instance / 'effort.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_directory_file(session=session, path=BUNDLED_DIRECTORY)
        session.commit()
    engine.dispose()
    config = Config(
        instance_path=instance,
        database_url=url,
        twilio_account_sid=None,
        twilio_auth_token=TOKEN,
        auth_token_is_development=False,
        twilio_sms_from=None,
        twilio_messaging_service_sid=None,
        twilio_api_base_url=None,
        public_url=None,
        directory_path=BUNDLED_DIRECTORY,
        timezone=STOCKHOLM,
    )
    app = create_app(config, clock=clock)
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


def measure(app: Flask, name: str, caller_id: str, flow: Callable[[Script], None]) -> Effort:
    call = Call(FlaskTransport(app.test_client()), TOKEN, BASE, from_number=caller_id, to_number=NORRBOTTEN_LINE)
    script = Script(call.start())
    flow(script)
    if call.waiting_for != "Dial":
        raise SystemExit(f"{name}: the caller was not put through; last heard: {call.heard!r}")
    words = _words(call.heard_all)
    script.words_to_key += _words(call.heard)
    webhooks = len(call.requests)
    leg = call.answer(keys=["1"])
    call.hangup()
    return Effort(
        flow=name,
        keys=script.keys,
        speech=script.speech,
        words=words,
        words_to_key=script.words_to_key,
        seconds_listening=round(words * 60 / WORDS_PER_MINUTE),
        webhooks=webhooks,
        webhooks_whole_call=len(call.requests) + len(leg.requests),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    clock = FrozenClock(datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM))
    with tempfile.TemporaryDirectory() as tmp:
        app = service(Path(tmp), clock)
        results = [measure(app, name, caller, flow) for name, (caller, flow) in FLOWS.items()]
        app.extensions["ivr.engine"].dispose()
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
    else:
        print(f"{'flow':<22} {'keys':>5} {'speech':>6} {'words':>6} {'to key':>6} {'~s':>4} {'hooks':>6} {'all':>4}")
        for r in results:
            print(
                f"{r.flow:<22} {r.keys:>5} {r.speech:>6} {r.words:>6} {r.words_to_key:>6} "
                f"{r.seconds_listening:>4} {r.webhooks:>6} {r.webhooks_whole_call:>4}"
            )
    target = results[0]
    if target.keys > TARGET_KEYS or target.words > TARGET_WORDS:
        print(
            f"discharge-ready misses its targets: {target.keys} keys (≤ {TARGET_KEYS}), "
            f"{target.words} words (≤ {TARGET_WORDS})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
