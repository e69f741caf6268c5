"""The call engine: places a call against the app and follows its TwiML the way Twilio does.

Each request carries Twilio's parameters and a valid X-Twilio-Signature. The engine stops where Twilio
would wait for the world: at a <Gather> (press, say or stay silent), a <Dial> (answer, or a dial outcome)
or a <Record> (record or stay silent). A <Dial> with a whispered <Number url> is answered by running the
whisper as a child call; because Twilio reports such a leg as "completed" whether or not the callee took
the call, the parent's action gets DialCallStatus=completed with DialBridged telling whether it was bridged.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode, urljoin

from twilio.request_validator import RequestValidator

from ivr.caller.rules import TwimlError, parse_document, say_text
from ivr.caller.transport import HttpResult, Transport

API_VERSION = "2010-04-01"
MAX_UNATTENDED_REQUESTS = 25


class CallError(AssertionError):
    """The test asked for something the call cannot do in its current state."""


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID such as CA + 32 hex digits."""
    return prefix + secrets.token_hex(16)


@dataclass
class Waiting:
    """Where the call stands still: the verb, the document URL it came from and the verbs after it."""

    verb: ET.Element
    url: str
    rest: list[ET.Element]


@dataclass
class Call:
    """One phone call, driven step by step."""

    transport: Transport
    auth_token: str
    base_url: str
    from_number: str
    to_number: str
    voice_url: str = "/voice"
    status_callback: str | None = "/voice/status"
    account_sid: str = "AC" + "0" * 32
    call_sid: str = field(default_factory=lambda: new_sid("CA"))
    direction: str = "inbound"
    parent_call_sid: str | None = None
    method: str = "POST"

    transcript: list[str] = field(default_factory=list)
    # What was said outside a <Gather> in a document that then asks the caller something: a caller who knows
    # the way cannot interrupt it with a key (barge-in works only inside the <Gather>).
    uninterruptible: list[str] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    waiting: Waiting | None = None
    ended: bool = False
    hung_up_by_app: bool = False
    last: HttpResult | None = None
    _since_input: list[str] = field(default_factory=list)
    _unattended: int = 0
    _status_sequence: int = 0
    _seconds: int = 0

    # ---- placing and ending the call -------------------------------------------------------------

    def start(self) -> Call:
        """Ring the app: the first webhook request."""
        self._request(self.method, self._absolute(self.base_url, self.voice_url), {}, status="ringing")
        return self

    def hangup(self) -> Call:
        """The caller hangs up wherever the call is."""
        if not self.ended:
            self._finish()
        return self

    # ---- what the caller does --------------------------------------------------------------------

    def press(self, keys: str) -> Call:
        """Key digits at a <Gather> (e.g. "1" or "191212121212#") or finish a <Record> with a key."""
        waiting = self._expect("Gather", "Record")
        if waiting.verb.tag == "Record":
            return self.record(seconds=3, finish_key=keys[:1] or "#")
        inputs = waiting.verb.get("input", "dtmf").split()
        if "dtmf" not in inputs:
            raise CallError("this <Gather> does not listen for keys")
        finish = waiting.verb.get("finishOnKey", "#")
        num = waiting.verb.get("numDigits")
        digits, finished_on = keys, ""
        if finish and finish in keys:
            digits, finished_on = keys[: keys.index(finish)], finish
        if num is not None and len(digits) >= int(num):
            digits, finished_on = digits[: int(num)], ""
        if not digits:
            return self.silence()
        return self._act(waiting, {"Digits": digits, "FinishedOnKey": finished_on})

    def say(self, words: str, confidence: float = 0.92) -> Call:
        """Speak at a <Gather> that listens for speech."""
        waiting = self._expect("Gather")
        if "speech" not in waiting.verb.get("input", "dtmf").split():
            raise CallError("this <Gather> does not listen for speech")
        return self._act(waiting, {"SpeechResult": words, "Confidence": f"{confidence:.2f}"})

    def silence(self) -> Call:
        """Say and press nothing until the <Gather> or <Record> times out."""
        waiting = self._expect("Gather", "Record")
        self.waiting = None
        self._since_input = []
        if waiting.verb.tag == "Gather" and waiting.verb.get("actionOnEmptyResult") == "true":
            return self._act(waiting, {})
        # Twilio moves on to the next verb (an empty <Record> requests no action).
        self._run(waiting.url, waiting.rest)
        return self

    def record(self, seconds: int = 5, finish_key: str = "#") -> Call:
        """Leave a recording at a <Record>, ending it with a key (or "hangup")."""
        waiting = self._expect("Record")
        recording_sid = new_sid("RE")
        url = f"https://api.twilio.com/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{recording_sid}"
        self._seconds += seconds
        return self._act(
            waiting,
            {
                "RecordingUrl": url,
                "RecordingSid": recording_sid,
                "RecordingDuration": str(seconds),
                "Digits": finish_key,
            },
        )

    # ---- what the other end of a <Dial> does ------------------------------------------------------

    @property
    def dialled(self) -> list[str]:
        """The numbers the waiting <Dial> rings."""
        waiting = self._expect("Dial")
        bare = (waiting.verb.text or "").strip()
        return [bare] if bare else [(n.text or "").strip() for n in waiting.verb.findall("Number")]

    @property
    def whisper_url(self) -> str | None:
        """The whisper URL of the first <Number> of the waiting <Dial>, if any."""
        waiting = self._expect("Dial")
        number = waiting.verb.find("Number")
        return (
            None if number is None or number.get("url") is None else self._absolute(waiting.url, number.get("url", ""))
        )

    def answer(self, keys: Iterable[str] = (), *, index: int = 0, seconds: int = 60) -> Call:
        """The dialled party answers; a whisper runs first and is answered with `keys`. Returns the leg."""
        waiting = self._expect("Dial")
        numbers = waiting.verb.findall("Number")
        number = numbers[index] if numbers else None
        target = self.dialled[index]
        leg = Call(
            self.transport,
            self.auth_token,
            self.base_url,
            from_number=self.to_number,
            to_number=target,
            voice_url="",
            status_callback=None,
            account_sid=self.account_sid,
            direction="outbound-dial",
            parent_call_sid=self.call_sid,
        )
        bridged = True
        if number is not None and number.get("url"):
            leg.voice_url = self._absolute(waiting.url, number.get("url", ""))
            leg.method = number.get("method", "POST").upper()
            leg.start()
            for key in keys:
                if leg.ended:
                    break
                leg.silence() if key == "" else leg.press(key)
            bridged = not leg.hung_up_by_app and not (leg.waiting is not None)
            if leg.waiting is not None:  # whisper still waiting: the callee hung up
                leg.hangup()
        self.dial_outcome("completed", seconds=seconds if bridged else 0, bridged=bridged, dial_sid=leg.call_sid)
        return leg

    def dial_outcome(
        self, status: str = "completed", *, seconds: int = 60, bridged: bool | None = None, dial_sid: str | None = None
    ) -> Call:
        """End the waiting <Dial> with a DialCallStatus: completed, busy, no-answer, failed or canceled."""
        if status not in ("completed", "answered", "busy", "no-answer", "failed", "canceled"):
            raise CallError(f"Twilio never reports DialCallStatus={status}")
        waiting = self._expect("Dial")
        self.waiting = None
        self._since_input = []
        connected = status in ("completed", "answered")
        was_bridged = connected if bridged is None else bridged
        self.events.append(("dial-outcome", status))
        if was_bridged:
            self._seconds += seconds
        action = waiting.verb.get("action")
        if action is None:
            self._run(waiting.url, waiting.rest)
            return self
        params = {
            "DialCallStatus": status,
            "DialCallSid": dial_sid or new_sid("CA"),
            "DialBridged": "true" if was_bridged else "false",
        }
        if connected:
            params["DialCallDuration"] = str(seconds if was_bridged else 0)
        self._request(waiting.verb.get("method", "POST").upper(), self._absolute(waiting.url, action), params)
        return self

    # ---- what the test reads ----------------------------------------------------------------------

    @property
    def heard(self) -> str:
        """Everything said since the caller last did something."""
        return " ".join(self._since_input)

    @property
    def heard_all(self) -> str:
        """Everything said during the whole call."""
        return " ".join(self.transcript)

    @property
    def waiting_for(self) -> str | None:
        """The verb the call waits at (Gather, Dial, Record) or None when it has ended."""
        return None if self.waiting is None else self.waiting.verb.tag

    def retry_last(self) -> HttpResult:
        """Send the last webhook request again, exactly as Twilio retries it; the call does not move."""
        if not self.requests:
            raise CallError("nothing to retry yet")
        method, url, params = self.requests[-1]
        return self.transport.send(method, url, params, self._headers(method, url, params))

    # ---- the engine -------------------------------------------------------------------------------

    def _expect(self, *tags: str) -> Waiting:
        if self.ended:
            raise CallError(f"the call has ended; transcript: {self.heard_all!r}")
        if self.waiting is None or self.waiting.verb.tag not in tags:
            raise CallError(
                f"the call waits at {self.waiting_for}, not {' or '.join(tags)}; last heard: {self.heard!r}"
            )
        return self.waiting

    def _act(self, waiting: Waiting, params: dict[str, str]) -> Call:
        self.waiting = None
        self._since_input = []
        self._unattended = 0
        action = self._absolute(waiting.url, waiting.verb.get("action", waiting.url))
        self._request(waiting.verb.get("method", "POST").upper(), action, params)
        return self

    def _base_params(self, status: str) -> dict[str, str]:
        params = {
            "CallSid": self.call_sid,
            "AccountSid": self.account_sid,
            "From": self.from_number,
            "To": self.to_number,
            "Caller": self.from_number,
            "Called": self.to_number,
            "CallStatus": status,
            "Direction": self.direction,
            "ApiVersion": API_VERSION,
            "FromCountry": "SE",
            "ToCountry": "SE",
        }
        if self.parent_call_sid:
            params["ParentCallSid"] = self.parent_call_sid
        return params

    def _headers(self, method: str, url: str, params: dict[str, str]) -> dict[str, str]:
        signed = RequestValidator(self.auth_token).compute_signature(url, params if method == "POST" else {})
        return {"X-Twilio-Signature": signed, "User-Agent": "TwilioProxy/1.1"}

    def _request(self, method: str, url: str, extra: dict[str, str], status: str = "in-progress") -> None:
        self._unattended += 1
        if self._unattended > MAX_UNATTENDED_REQUESTS:
            raise TwimlError(
                f"the app redirected {MAX_UNATTENDED_REQUESTS} times without waiting for the "
                f"caller: a loop (last URL {url})"
            )
        params = {**self._base_params(status), **extra}
        if method == "GET":
            url = url + ("&" if "?" in url else "?") + urlencode(params)
            params = {}
        self.requests.append((method, url, params))
        result = self.transport.send(method, url, params, self._headers(method, url, params))
        self.last = result
        if result.status != 200:
            raise TwimlError(
                f"11200 HTTP retrieval failure: {method} {url} answered {result.status}: {result.body[:300]!r}"
            )
        if result.content_type.split(";")[0].strip() not in ("text/xml", "application/xml"):
            raise TwimlError(f"12300 invalid Content-Type {result.content_type!r} from {url}")
        self._run(url, parse_document(result.body))

    def _run(self, url: str, verbs: list[ET.Element]) -> None:
        outside: list[str] = []
        for position, verb in enumerate(verbs):
            rest = verbs[position + 1 :]
            tag = verb.tag
            if tag == "Say":
                self._hear(say_text(verb))
                outside.append(say_text(verb))
            elif tag == "Play":
                self._hear(f"[ljud: {(verb.text or '').strip()}]")
            elif tag == "Pause":
                self.events.append(("pause", verb.get("length", "1")))
                self._seconds += int(verb.get("length", "1"))
            elif tag == "Gather":
                self.uninterruptible += outside
                for child in verb:
                    if child.tag == "Say":
                        self._hear(say_text(child))
                    elif child.tag == "Play":
                        self._hear(f"[ljud: {(child.text or '').strip()}]")
                self.waiting = Waiting(verb, url, rest)
                return
            elif tag == "Dial":
                self.waiting = Waiting(verb, url, rest)
                self.events.append(("dial", ",".join(self.dialled)))
                return
            elif tag == "Record":
                self.waiting = Waiting(verb, url, rest)
                self.events.append(("record", ""))
                return
            elif tag == "Redirect":
                target = self._absolute(url, (verb.text or "").strip())
                self._request(verb.get("method", "POST").upper(), target, {})
                return
            elif tag in ("Hangup", "Reject"):
                self.hung_up_by_app = True
                self.events.append((tag.lower(), ""))
                self._finish()
                return
        # Falling off the end of a document hangs up, as on Twilio.
        self._finish()

    def _hear(self, text: str) -> None:
        self.transcript.append(text)
        self._since_input.append(text)

    def _finish(self) -> None:
        self.ended = True
        self.waiting = None
        if self.status_callback is None:
            return
        params = {
            **self._base_params("completed"),
            "CallDuration": str(self._seconds),
            "SequenceNumber": str(self._status_sequence),
            "CallbackSource": "call-progress-events",
            "Timestamp": format_datetime(datetime.now(UTC), usegmt=False),
        }
        self._status_sequence += 1
        url = self._absolute(self.base_url, self.status_callback)
        self.requests.append(("POST", url, params))
        result = self.transport.send("POST", url, params, self._headers("POST", url, params))
        if not 200 <= result.status < 300:
            raise TwimlError(f"status callback {url} answered {result.status}")

    @staticmethod
    def _absolute(base: str, url: str) -> str:
        return urljoin(base, url)
