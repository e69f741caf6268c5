"""A Twilio-faithful caller: whole calls against the app, in tests (in-process) and with `ivr call`."""

from ivr.caller.engine import Call, CallError, new_sid
from ivr.caller.rules import TwimlError
from ivr.caller.transport import FlaskTransport, HttpResult, HttpTransport, Transport

__all__ = ["Call", "CallError", "FlaskTransport", "HttpResult", "HttpTransport", "Transport", "TwimlError", "new_sid"]
