"""How the caller reaches the app: in-process through Flask's test client, or over HTTP to a server."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from flask.testing import FlaskClient


@dataclass(frozen=True)
class HttpResult:
    """An HTTP answer: status, content type and body text."""

    status: int
    content_type: str
    body: str


class Transport(Protocol):
    """Sends one signed webhook request and returns the answer."""

    def send(self, method: str, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResult: ...


class FlaskTransport:
    """In-process: the request goes through the app's WSGI stack with the URL's scheme and host."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def send(self, method: str, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResult:
        parts = urllib.parse.urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if method == "GET":
            response = self.client.get(path, base_url=base, headers=headers)
        else:
            response = self.client.post(path, base_url=base, data=params, headers=headers)
        return HttpResult(response.status_code, response.content_type or "", response.get_data(as_text=True))


class HttpTransport:
    """Over the network, to a running service (`ivr call`)."""

    def __init__(self, timeout: float = 15.0) -> None:
        # Twilio waits at most 15 s for a webhook; so do we.
        self.timeout = timeout

    def send(self, method: str, url: str, params: dict[str, str], headers: dict[str, str]) -> HttpResult:
        data = urllib.parse.urlencode(params).encode() if method == "POST" else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return HttpResult(answer.status, answer.headers.get("Content-Type", ""), answer.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return HttpResult(exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8", "replace"))
