"""Small helpers for building TwiML responses in the line's voice."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from call_flows.prompts import prompt

DEFAULT_VOICE = "Polly.Astrid"
DEFAULT_LANGUAGE = "sv-SE"


@dataclass(frozen=True)
class Voice:
    """The text-to-speech voice and language a line speaks with."""

    voice: str = DEFAULT_VOICE
    language: str = DEFAULT_LANGUAGE


def say(response: VoiceResponse, voice: Voice, key: str, **values: object) -> None:
    """Append a catalogue prompt as <Say> in the given voice."""
    response.say(prompt(key, **values), voice=voice.voice, language=voice.language)


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
