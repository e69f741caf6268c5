"""What Twilio accepts in a TwiML document; anything else fails loudly with Twilio's error code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SSML = {"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"}
VERBS: dict[str, set[str]] = {
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Gather": {
        "input",
        "action",
        "method",
        "timeout",
        "speechTimeout",
        "maxSpeechTime",
        "profanityFilter",
        "finishOnKey",
        "numDigits",
        "partialResultCallback",
        "partialResultCallbackMethod",
        "language",
        "hints",
        "bargeIn",
        "debug",
        "actionOnEmptyResult",
        "speechModel",
        "enhanced",
    },
    "Dial": {
        "action",
        "method",
        "timeout",
        "hangupOnStar",
        "timeLimit",
        "callerId",
        "record",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
        "answerOnBridge",
        "ringTone",
        "recordingTrack",
        "sequential",
        "referUrl",
        "referMethod",
        "events",
    },
    "Record": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "maxLength",
        "playBeep",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
        "transcribe",
        "transcribeCallback",
        "recordingChannels",
    },
    "Redirect": {"method"},
    "Hangup": set(),
    "Reject": {"reason"},
}
NOUNS: dict[str, set[str]] = {
    "Number": {
        "sendDigits",
        "url",
        "method",
        "statusCallback",
        "statusCallbackEvent",
        "statusCallbackMethod",
        "byoc",
        "machineDetection",
        "amdStatusCallback",
    },
}
CHILDREN = {"Gather": {"Say", "Play", "Pause"}, "Dial": {"Number"}}
BOOLEANS = {
    "actionOnEmptyResult",
    "bargeIn",
    "answerOnBridge",
    "hangupOnStar",
    "playBeep",
    "profanityFilter",
    "enhanced",
    "debug",
    "transcribe",
}
METHODS = {
    "method",
    "recordingStatusCallbackMethod",
    "partialResultCallbackMethod",
    "statusCallbackMethod",
    "referMethod",
}
INTEGERS = {
    "timeout": (1, 600),
    "numDigits": (1, 100),
    "length": (0, 600),
    "maxLength": (1, 14400),
    "loop": (0, 1000),
    "timeLimit": (1, 14400),
    "maxSpeechTime": (1, 60),
}
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_SAY = 4096


class TwimlError(AssertionError):
    """Twilio would reject this response; the message carries Twilio's error code."""


def parse_document(body: str) -> list[ET.Element]:
    """Parse a TwiML document into its top-level verbs, or raise TwimlError as Twilio would (12100)."""
    try:
        root = ET.fromstring(body)  # noqa: S314  (TwiML from our own app, in tests and `ivr call`)
    except ET.ParseError as exc:
        raise TwimlError(f"12100 Document parse failure: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"12100 root element must be <Response>, not <{root.tag}>")
    if root.attrib:
        raise TwimlError("12200 <Response> takes no attributes")
    verbs = list(root)
    for verb in verbs:
        check_verb(verb)
    return verbs


def check_verb(element: ET.Element, parent: str | None = None) -> None:
    """Validate a verb or noun, its attributes and its children."""
    tag = element.tag
    allowed = VERBS.get(tag) if parent in (None, "Gather") else NOUNS.get(tag)
    if parent == "Gather" and tag not in CHILDREN["Gather"]:
        raise TwimlError(f"12200 <{tag}> is not allowed inside <Gather> (only Say, Play, Pause)")
    if parent == "Dial" and tag not in CHILDREN["Dial"]:
        raise TwimlError(f"12200 <{tag}> is not allowed inside <Dial> (this engine supports Number)")
    if allowed is None:
        raise TwimlError(f"12100 unknown or unsupported verb <{tag}>")
    for name, value in element.attrib.items():
        if name not in allowed:
            raise TwimlError(f"12200 <{tag}> has no attribute {name!r}")
        check_attribute(tag, name, value)
    if tag == "Say":
        _check_say(element)
    elif tag in CHILDREN:
        for child in element:
            check_verb(child, tag)
        if tag == "Dial":
            _check_dial(element)
    elif tag == "Number":
        if not E164.match((element.text or "").strip()):
            raise TwimlError(f"13223 <Number> must hold an E.164 number, not {element.text!r}")
    elif tag == "Redirect":
        if not (element.text or "").strip():
            raise TwimlError("12100 <Redirect> needs a URL")
    elif len(element):
        raise TwimlError(f"12200 <{tag}> takes no nested elements")


def check_attribute(tag: str, name: str, value: str) -> None:
    """Validate one attribute value the way Twilio's schema does."""
    if value.startswith("[") and ("'" in value or '"' in value):
        raise TwimlError(f"12200 <{tag} {name}> looks like a Python list: {value!r}")
    if name in BOOLEANS and value not in ("true", "false"):
        raise TwimlError(f"12200 <{tag} {name}> must be true or false, not {value!r}")
    if name in METHODS and value.upper() not in ("GET", "POST"):
        raise TwimlError(f"12200 <{tag} {name}> must be GET or POST, not {value!r}")
    if name in INTEGERS:
        low, high = INTEGERS[name]
        if tag == "Dial" and name == "timeout":
            low = 5
        if not value.isdigit() or not low <= int(value) <= high:
            raise TwimlError(f"12200 <{tag} {name}> must be an integer {low}-{high}, not {value!r}")
    if name == "input" and (not value.split() or set(value.split()) - {"dtmf", "speech"}):
        raise TwimlError(f"12200 <Gather input> must be 'dtmf', 'speech' or both, not {value!r}")
    if name == "finishOnKey" and not re.fullmatch(r"[0-9#*]?", value):
        raise TwimlError(f"12200 <{tag} finishOnKey> must be one of 0-9 # * or empty, not {value!r}")
    if name == "speechTimeout" and not (value == "auto" or value.isdigit()):
        raise TwimlError(f"12200 <Gather speechTimeout> must be 'auto' or seconds, not {value!r}")
    if name in ("callerId",) and not E164.match(value):
        raise TwimlError(f"13214 <Dial callerId> must be E.164, not {value!r}")


def _check_say(element: ET.Element) -> None:
    for child in element.iter():
        if child is not element and child.tag not in SSML:
            raise TwimlError(f"12200 <{child.tag}> is not SSML and not allowed inside <Say>")
    text = "".join(element.itertext()).strip()
    if not text:
        raise TwimlError("13520 <Say> has no text to speak")
    if len(text) > MAX_SAY:
        raise TwimlError(f"13520 <Say> text longer than {MAX_SAY} characters")


def _check_dial(element: ET.Element) -> None:
    text = (element.text or "").strip()
    numbers = element.findall("Number")
    if text and numbers:
        raise TwimlError("12200 <Dial> holds both a bare number and <Number> nouns")
    if not text and not numbers:
        raise TwimlError("13201 <Dial> has nothing to dial")
    if text and not E164.match(text):
        raise TwimlError(f"13223 <Dial> number must be E.164, not {text!r}")


def say_text(element: ET.Element) -> str:
    """The words a <Say> speaks, SSML stripped."""
    return " ".join("".join(element.itertext()).split())
