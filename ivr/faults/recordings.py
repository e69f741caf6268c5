"""Fetching a caller's recording from Twilio with the account's credentials, for the console's audio proxy.

A browser never gets a Twilio recording URL: the console fetches the audio here and passes it on to a logged-in
user. Only URLs of this account's recordings are fetched (nothing else the database might hold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

TWILIO_API = "https://api.twilio.com"
_RECORDING_PATH = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})(?:\.(?:mp3|wav))?$"
)
DEFAULT_TIMEOUT_SECONDS = 10.0


class RecordingError(Exception):
    """The recording cannot be fetched; `missing` says whether Twilio has no such recording."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Recording:
    """A recording's audio as Twilio served it."""

    content: bytes
    content_type: str


def recording_api_path(url: str, *, account_sid: str) -> str:
    """The API path of a Twilio recording URL of this account (without extension); RecordingError otherwise."""
    parts = urlsplit(url)
    match = _RECORDING_PATH.match(parts.path)
    if parts.scheme != "https" or parts.hostname != "api.twilio.com" or match is None:
        raise RecordingError("not a Twilio recording URL")
    if match.group(1) != account_sid:
        raise RecordingError("the recording belongs to another Twilio account")
    return f"/2010-04-01/Accounts/{match.group(1)}/Recordings/{match.group(2)}"


def delete_recording(
    *,
    url: str,
    account_sid: str | None,
    auth_token: str,
    api_base_url: str | None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> None:
    """Delete a recording at Twilio (the retention job); one that is already gone counts as deleted."""
    if account_sid is None:
        raise RecordingError("no Twilio account is configured (TWILIO_ACCOUNT_SID)")
    path = recording_api_path(url, account_sid=account_sid)
    try:
        answer = requests.delete(
            f"{api_base_url or TWILIO_API}{path}.json", auth=(account_sid, auth_token), timeout=timeout
        )
    except requests.RequestException as exc:
        raise RecordingError(f"Twilio could not be reached: {type(exc).__name__}") from exc
    if answer.status_code not in (204, 200, 404):
        raise RecordingError(f"Twilio answered HTTP {answer.status_code}")


def fetch_recording(
    *,
    url: str,
    account_sid: str | None,
    auth_token: str,
    api_base_url: str | None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Recording:
    """The recording as MP3, from Twilio (or the Twilio-compatible API at `api_base_url`)."""
    if account_sid is None:
        raise RecordingError("no Twilio account is configured (TWILIO_ACCOUNT_SID)")
    path = recording_api_path(url, account_sid=account_sid)
    try:
        answer = requests.get(
            f"{api_base_url or TWILIO_API}{path}.mp3", auth=(account_sid, auth_token), timeout=timeout
        )
    except requests.RequestException as exc:
        raise RecordingError(f"Twilio could not be reached: {type(exc).__name__}") from exc
    if answer.status_code == 404:
        raise RecordingError("Twilio has no such recording (deleted?)", missing=True)
    if answer.status_code != 200:
        raise RecordingError(f"Twilio answered HTTP {answer.status_code}")
    return Recording(content=answer.content, content_type=answer.headers.get("Content-Type", "audio/mpeg"))
