"""What every voice webhook shares: Twilio's parameters, the call's line, the catch-all apology and thin steps.

A step is a view that returns a VoiceResponse (or raises `Answered` with one); `step()` registers it as a
signed POST route and turns its answer into TwiML. Anything that goes wrong ends in a spoken apology and the
line's switchboard, never an HTTP error page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import ParamSpec
from zoneinfo import ZoneInfo

from flask import Blueprint, Request, Response, g, request
from flask.typing import ResponseReturnValue
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import Forbidden, HTTPException, RequestEntityTooLarge

from call_flows.twiml import apology_and_switchboard, twiml
from ivr.lines.models import Line, Lines
from ivr.web.context import now, runtime
from ivr.web.security import require_twilio_signature
from ivr.web.session import commit_request, get_session

log = logging.getLogger("call_flows")
MAX_DIGITS = 64
MAX_WEBHOOK_BODY = 64 * 1024
MAX_SPEECH = 500
P = ParamSpec("P")


class Answered(Exception):  # noqa: N818  (a finished answer, not an error)
    """Raised by a helper that already knows what the caller hears next (silence, 0, *, a restart)."""

    def __init__(self, response: VoiceResponse) -> None:
        super().__init__("answered")
        self.response = response


@dataclass(frozen=True)
class CallParams:
    """The standard parameters Twilio posts with every voice webhook, trimmed to sane lengths."""

    call_sid: str
    from_number: str
    to_number: str
    status: str
    digits: str
    speech: str


def read_call_params(req: Request) -> CallParams:
    """Read Twilio's call parameters; odd or over-long values are cut short, never refused."""
    form = req.form
    call_sid = form.get("CallSid", "")
    if not call_sid.startswith("CA") or not 10 <= len(call_sid) <= 64 or not call_sid.isalnum():
        raise BadCallError("CallSid missing or malformed")
    digits = form.get("Digits", "")
    return CallParams(
        call_sid=call_sid,
        from_number=form.get("From", "")[:64],
        to_number=form.get("To", "")[:64],
        status=form.get("CallStatus", "")[:32],
        # Longer than any answer we ask for: keep it recognisably wrong rather than a valid prefix.
        digits=digits if len(digits) <= MAX_DIGITS else "?",
        speech=form.get("SpeechResult", "")[:MAX_SPEECH].strip(),
    )


class BadCallError(ValueError):
    """A signed request that is not a usable call (no CallSid): the caller still hears the apology."""


def call_params() -> CallParams:
    """The current request's call parameters (read once per request)."""
    if "call_params" not in g:
        g.call_params = read_call_params(request)
    params: CallParams = g.call_params
    return params


def current_line() -> Line:
    """The line of the current call: an explicit ?line= (whisper legs), else the dialled number, else the caller's."""
    params = call_params()
    return runtime().lines.of_call(params.to_number, params.from_number, key=request.args.get("line"))


def timezone() -> ZoneInfo:
    """The time zone callers speak in."""
    return runtime().timezone


def local_now() -> datetime:
    """Now, in Swedish local time."""
    return now().astimezone(timezone())


def read_int(name: str) -> int | None:
    """An optional integer parameter; anything else is ignored."""
    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 9 else None


def read_rfc2822(name: str) -> datetime | None:
    """An optional RFC 2822 timestamp such as Twilio's status-callback Timestamp."""
    value = request.form.get(name, "")
    if not value or len(value) > 64:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def voice_blueprint(name: str, url_prefix: str) -> Blueprint:
    """A blueprint of voice steps: every request signed by Twilio, every failure a spoken apology."""
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)

    @blueprint.before_request
    def _no_huge_body() -> None:
        if (request.content_length or 0) > MAX_WEBHOOK_BODY:  # Twilio never posts this much
            raise RequestEntityTooLarge()

    require_twilio_signature(blueprint)

    @blueprint.errorhandler(Exception)
    def _apologise(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, Forbidden):
            return exc  # not signed by Twilio: nobody is on the line to hear an apology
        if isinstance(exc, HTTPException | BadCallError):
            log.warning("voice step %s refused its input (%s); caller gets the apology", request.path, exc)
        else:
            # Never the exception text: a database error may quote what a caller keyed.
            log.error(
                "voice step %s failed (%s); caller gets the apology and the switchboard",
                request.path,
                type(exc).__name__,
                exc_info=not _is_database_error(exc),
            )
        try:
            get_session().rollback()
        except Exception:  # the database may be what failed
            log.error("rollback after a failed voice step also failed")
        return twiml(fallback_answer(_called_number()))

    return blueprint


def _called_number() -> str | None:
    """The dialled number, if the request's form can be read at all (it may be what was wrong)."""
    try:
        return request.form.get("To")
    except HTTPException:
        return None


def _is_database_error(exc: Exception) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError)


def step(blueprint: Blueprint, rule: str) -> Callable[[Callable[P, VoiceResponse]], Callable[P, Response]]:
    """Register a voice step (POST) whose view returns the VoiceResponse the caller hears next."""

    def decorator(view: Callable[P, VoiceResponse]) -> Callable[P, Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            try:
                response = view(*args, **kwargs)
            except Answered as answered:
                response = answered.response
            commit_request()  # what the step stored, before the caller hears what comes next
            return twiml(response)

        blueprint.add_url_rule(rule, view_func=wrapper, methods=["POST"])
        return wrapper

    return decorator


def fallback_answer(to_number: str | None) -> VoiceResponse:
    """The apology and the switchboard of the line that was called, in its voice, without the database."""
    return apology_for(runtime().lines, to_number)


def apology_for(lines: Lines, to_number: str | None) -> VoiceResponse:
    """The apology and the switchboard of the line a call to `to_number` reached (no app context needed)."""
    line = lines.for_number(to_number)
    return apology_and_switchboard(lines.switchboard_of(line), line.voice)
