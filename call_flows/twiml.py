"""Small helpers for building TwiML responses in the line's voice."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.prompts import prompt
from ivr.lines.models import Voice


def say(response: VoiceResponse, voice: Voice, key: str, **values: object) -> None:
    """Append a catalogue prompt as <Say> in the given voice."""
    response.say(prompt(key, **values), voice=voice.voice, language=voice.language)


def say_text(response: VoiceResponse, voice: Voice, text: str) -> None:
    """Append an already composed text (from the catalogue) as <Say>."""
    response.say(text, voice=voice.voice, language=voice.language)


def redirect_to(endpoint: str, *, before: VoiceResponse | None = None, **values: Any) -> VoiceResponse:
    """A <Redirect> (POST) to another step, after whatever `before` already says."""
    response = before or VoiceResponse()
    response.redirect(url_for(endpoint, **values), method="POST")
    return response


def hang_up(voice: Voice, *keys: str, **values: object) -> VoiceResponse:
    """Say the given prompts, then hang up."""
    response = VoiceResponse()
    for key in keys:
        say(response, voice, key, **values)
    response.hangup()
    return response


def twiml(response: VoiceResponse) -> Response:
    """The HTTP response Twilio expects: the TwiML document as text/xml."""
    return Response(str(response), mimetype="text/xml")


def apology_and_switchboard(switchboard: str, voice: Voice | None = None) -> VoiceResponse:
    """What a caller hears when anything fails: a short apology, then the switchboard."""
    voice = voice or Voice()
    response = VoiceResponse()
    say(response, voice, "apology")
    response.dial(switchboard)
    say(response, voice, "switchboard_unavailable")
    response.hangup()
    return response
