"""Asking the caller something without dead ends: one <Gather>, its retries, 0 for the switchboard, * to repeat.

A step builds an `Ask` (where the answer goes, what is said, how it may be answered) and renders it with `ask()`;
the step that takes the answer calls `answer()`, which answers silence, `0` and `*` itself (by raising
`Answered`), and returns the `Reply` otherwise. A wrong answer goes through `try_again()`; after MAX_TRIES the
caller goes to the question's give-up step (the main menu, or from the main menu the switchboard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.endpoints import MAIN_MENU, SWITCHBOARD
from call_flows.prompts import prompt
from call_flows.twiml import say
from call_flows.webhook import Answered, call_params
from ivr.lines.models import Voice

MAX_TRIES = 3  # the first try and two repeats
SWITCHBOARD_KEY = "0"
REPEAT_KEY = "*"


@dataclass(frozen=True)
class Ask:
    """One question: the endpoint that takes the answer, the spoken text and how it may be answered."""

    endpoint: str
    text: str
    voice: Voice
    num_digits: int | None = 1
    finish_on_key: str = ""
    timeout: int = 6
    speech: bool = False
    hints: str = ""
    give_up: str = MAIN_MENU
    values: tuple[tuple[str, str], ...] = ()
    give_up_values: tuple[tuple[str, str], ...] = ()
    zero_is_switchboard: bool = True
    star_repeats: bool = True
    silence_reason: str = "no_input"  # what is said when the caller says and keys nothing

    def action(self, attempt: int) -> str:
        """The Gather's action URL, carrying the attempt and the step's own values."""
        values: dict[str, Any] = dict(self.values)
        return url_for(self.endpoint, attempt=attempt, **values)


@dataclass(frozen=True)
class Reply:
    """What the caller keyed or said at a question."""

    digits: str
    speech: str
    confidence: float | None
    attempt: int


def ask(
    question: Ask, *, attempt: int = 1, before: Sequence[str] = (), response: VoiceResponse | None = None
) -> VoiceResponse:
    """Render the question as a <Gather> that posts even on silence; `before` is said first, inside it."""
    response = response or VoiceResponse()
    gather = response.gather(
        input="dtmf speech" if question.speech else "dtmf",
        action=question.action(attempt),
        method="POST",
        action_on_empty_result=True,
        timeout=question.timeout,
        num_digits=question.num_digits,
        finish_on_key=question.finish_on_key,
        language=question.voice.language if question.speech else None,
        speech_timeout="auto" if question.speech else None,
        hints=question.hints or None,
        barge_in=True if question.speech else None,  # speaking interrupts the prompt, as a key always does
    )
    for text in (*before, question.text):
        gather.say(text, voice=question.voice.voice, language=question.voice.language)
    return response


def answer(question: Ask, *, silence_ok: bool = False) -> Reply:
    """The caller's answer to the question; silence, 0 (switchboard) and * (repeat) are answered by raising Answered.

    With `silence_ok` an empty answer comes back as a Reply, for steps that handle silence their own way.
    """
    attempt = attempt_of()
    params = call_params()
    digits, speech = params.digits, params.speech
    if question.zero_is_switchboard and digits == SWITCHBOARD_KEY:
        raise Answered(to_switchboard())
    if question.star_repeats and REPEAT_KEY in digits:
        raise Answered(ask(question, attempt=attempt))
    if not digits and not speech and not silence_ok:
        raise Answered(try_again(question, attempt, reason=question.silence_reason))
    confidence = request.form.get("Confidence", "")[:16]
    try:
        level = float(confidence) if confidence else None
    except ValueError:
        level = None
    return Reply(digits=digits, speech=speech, confidence=level, attempt=attempt)


def try_again(question: Ask, attempt: int, *, reason: str = "wrong_key", **values: object) -> VoiceResponse:
    """Say what went wrong and ask again; after the last try, go to the question's give-up step."""
    if attempt >= MAX_TRIES:
        response = VoiceResponse()
        say(response, question.voice, reason, **values)
        if question.give_up == MAIN_MENU:
            say(response, question.voice, "to_main_menu")
        target: dict[str, Any] = dict(question.give_up_values)
        response.redirect(url_for(question.give_up, **target), method="POST")
        return response
    return ask(question, attempt=attempt + 1, before=(prompt(reason, **values), prompt("ask_again_hint")))


def choices_text(choices: Sequence[tuple[str, str]]) -> str:
    """Spoken choices from (key, label text) pairs: "Felanmälan: tryck 2. …"."""
    return " ".join(prompt("menu_option", label=label, digit=digit) for digit, label in choices)


def yes_no(text: str) -> str:
    """A yes/no question: the question, then "Ja: tryck 1. Nej: tryck 2."."""
    return f"{text} {prompt('yes_no')}"


def to_switchboard() -> VoiceResponse:
    """Hand the call to the switchboard step (which says so and dials)."""
    response = VoiceResponse()
    response.redirect(url_for(SWITCHBOARD), method="POST")
    return response


def to_main_menu(voice: Voice, *, before: Sequence[str] = ()) -> VoiceResponse:
    """Say something (optionally), then go back to the main menu."""
    response = VoiceResponse()
    for key in before:
        say(response, voice, key)
    response.redirect(url_for(MAIN_MENU), method="POST")
    return response


def attempt_of() -> int:
    """The attempt number carried in the action URL (1 when absent or odd)."""
    value = request.args.get("attempt", "1")
    return min(max(int(value), 1), MAX_TRIES) if value.isdigit() and len(value) < 3 else 1
