"""Sending one SMS: through the real Twilio client, or printed on the console for local use."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import click
import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from directory.numbers import national
from ivr.config import Config

DEFAULT_TIMEOUT_SECONDS = 10.0
LOOKUP_LIMIT = 50  # the newest messages to one number that are compared before sending again
STATUS_PATH = "/sms/status"
# Twilio codes that can never succeed on a retry; any other 4xx is treated the same way.
PERMANENT_CODES = {
    21211: "invalid 'To' number",
    21408: "SMS to this region is not enabled",
    21606: "the 'From' number cannot send this SMS",
    21610: "the recipient has unsubscribed (STOP)",
    21614: "the number cannot take SMS (landline)",
}


@dataclass(frozen=True)
class SendReceipt:
    """What the provider said when it took the message: its SID (None when printed) and status."""

    sid: str | None
    status: str


class SendError(Exception):
    """A message was not taken; `transient` says whether trying again later may work, `uncertain` whether the
    request may have reached the provider anyway (so it may have the message)."""

    def __init__(self, *, transient: bool, code: int | None, message: str, uncertain: bool = False) -> None:
        super().__init__(f"{code or '-'}: {message}")
        self.transient = transient
        self.code = code
        self.message = message
        self.uncertain = uncertain


class Sender(Protocol):
    """Anything that sends one SMS body to one E.164 number, and can tell whether it already has one."""

    def send(self, *, to: str, body: str) -> SendReceipt: ...

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendReceipt | None:
        """The message with this body to this number that the provider took since `since`, if any."""
        ...


class TwilioSender:
    """Sends through Twilio's Messages API (or any compatible API at api_base_url), with a timeout."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str | None,
        sms_from: str | None,
        api_base_url: str | None = None,
        status_callback: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if messaging_service_sid is None and sms_from is None:
            raise ValueError("set TWILIO_MESSAGING_SERVICE_SID or TWILIO_SMS_FROM to send SMS")
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if api_base_url is not None:
            self.client.api.base_url = api_base_url
        self.messaging_service_sid = messaging_service_sid
        self.sms_from = sms_from
        self.status_callback = status_callback

    def send(self, *, to: str, body: str) -> SendReceipt:
        """Hand one message to Twilio; raise SendError saying whether a retry may help."""
        sender: dict[str, str] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.sms_from or ""}
        )
        if self.status_callback:
            sender["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except requests.ConnectTimeout as exc:  # never reached Twilio
            raise SendError(transient=True, code=None, message=f"network: {type(exc).__name__}") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            # Perhaps taken, but no answer (a read timeout, a dropped connection): ask before sending again.
            refused = isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower()
            name = type(exc).__name__
            raise SendError(transient=True, code=None, message=f"network: {name}", uncertain=not refused) from exc
        except TwilioRestException as exc:
            raise _classify(exc.status, exc.code, exc.msg) from exc
        except TwilioServiceException as exc:
            raise _classify(exc.status, exc.code, exc.detail or exc.title) from exc
        return SendReceipt(sid=str(message.sid), status=str(message.status or "queued"))

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendReceipt | None:
        """Ask Twilio's Messages list for this body to this number, created since `since` (newest first)."""
        try:
            for message in self.client.messages.list(to=to, limit=LOOKUP_LIMIT):
                created = message.date_created
                if message.body == body and (created is None or created >= since):
                    return SendReceipt(sid=str(message.sid), status=str(message.status or "queued"))
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise SendError(transient=True, code=None, message=f"lookup: network: {type(exc).__name__}") from exc
        except TwilioRestException as exc:
            raise _classify(exc.status, exc.code, f"lookup: {exc.msg}") from exc
        except TwilioServiceException as exc:
            raise _classify(exc.status, exc.code, f"lookup: {exc.detail or exc.title}") from exc
        return None


def _classify(status: int, code: int | None, text: str) -> SendError:
    transient = status == 429 or status >= 500
    if code in PERMANENT_CODES:
        text = f"{PERMANENT_CODES[code]}: {text}"
    # A 5xx may come after Twilio queued the message; a 429 or a 4xx means it was not taken.
    return SendError(transient=transient, code=code, message=f"HTTP {status}: {text}", uncertain=status >= 500)


class ConsoleSender:
    """Local use without Twilio credentials: prints each SMS on the worker's console."""

    def send(self, *, to: str, body: str) -> SendReceipt:
        """Print the message and report it as printed."""
        click.echo(f"SMS till {national(to)}:\n{textwrap.indent(body, '  ')}")
        return SendReceipt(sid=None, status="printed")

    def find_sent(self, *, to: str, body: str, since: datetime) -> SendReceipt | None:
        """The console keeps nothing: a message printed again is harmless."""
        return None


def sender_from_config(config: Config, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> Sender:
    """Twilio when the configuration says so (start-up checked it has every setting), else the console."""
    if config.sms_sender != "twilio" or config.twilio_account_sid is None:
        return ConsoleSender()
    callback = config.public_url + STATUS_PATH if config.public_url else None
    return TwilioSender(
        account_sid=config.twilio_account_sid,
        auth_token=config.twilio_auth_token,
        messaging_service_sid=config.twilio_messaging_service_sid,
        sms_from=config.twilio_sms_from,
        api_base_url=config.twilio_api_base_url,
        status_callback=callback,
        timeout=timeout,
    )
