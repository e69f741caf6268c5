"""What every voice webhook shares: the parsed Twilio parameters and the catch-all apology."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from flask import Blueprint, Request, abort, current_app, request
from flask.typing import ResponseReturnValue
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from call_flows.twiml import apology_and_switchboard, twiml
from ivr.db import get_session

log = logging.getLogger("call_flows")
MAX_PARAM = 2000


@dataclass(frozen=True)
class CallParams:
    """The standard parameters Twilio posts with every voice webhook."""

    call_sid: str
    from_number: str
    to_number: str
    status: str
    digits: str
    speech: str


def read_call_params(req: Request) -> CallParams:
    """Read and sanity-check Twilio's call parameters; 400 if the post is not a Twilio call."""
    form = req.form
    call_sid = form.get("CallSid", "")
    if not call_sid.startswith("CA") or not 10 <= len(call_sid) <= 64 or not call_sid.isalnum():
        abort(400, description="CallSid missing or malformed")
    for name, value in form.items(multi=True):
        if len(value) > MAX_PARAM:
            abort(400, description=f"parameter {name} too long")
    return CallParams(
        call_sid=call_sid,
        from_number=form.get("From", "")[:64],
        to_number=form.get("To", "")[:64],
        status=form.get("CallStatus", "")[:32],
        digits=form.get("Digits", "")[:64],
        speech=form.get("SpeechResult", "")[:500],
    )


def read_int(req: Request, name: str) -> int | None:
    """An optional integer parameter; anything else is ignored."""
    value = req.form.get(name, "")
    return int(value) if value.isdigit() else None


def read_rfc2822(req: Request, name: str) -> datetime | None:
    """An optional RFC 2822 timestamp such as Twilio's status-callback Timestamp."""
    value = req.form.get(name, "")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def apologise_on_error(blueprint: Blueprint) -> None:
    """Turn any failure inside a voice step into a spoken apology and the switchboard, never a 500."""

    @blueprint.errorhandler(Exception)
    def _apologise(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return exc
        log.exception("voice step failed; caller gets the apology and the switchboard")
        try:
            get_session().rollback()
        except Exception:  # the database may be what failed
            log.exception("rollback after a failed voice step also failed")
        return twiml(fallback_answer(request.form.get("To")))


def fallback_answer(to_number: str | None) -> VoiceResponse:
    """The apology and the switchboard of the line that was called, in its voice, without the database."""
    from call_flows.lines import line_for_number

    line = line_for_number(to_number)
    switchboards: dict[str, str] = current_app.extensions["ivr.line_switchboards"]
    return apology_and_switchboard(switchboards.get(line.key, current_app.extensions["ivr.switchboard"]), line.voice)
