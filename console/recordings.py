"""The authenticated audio proxy: a recording is fetched from Twilio by the server, never linked to directly."""

from __future__ import annotations

from flask import Response, abort

from ivr.faults.recordings import RecordingError, fetch_recording
from ivr.web.context import runtime


def recording_response(url: str | None) -> Response:
    """The recording's audio for the browser (404 when there is none, 502 when Twilio cannot give it)."""
    if not url:
        abort(404)
    config = runtime().config
    try:
        audio = fetch_recording(
            url=url,
            account_sid=config.twilio_account_sid,
            auth_token=config.twilio_auth_token,
            api_base_url=config.twilio_api_base_url,
        )
    except RecordingError as exc:
        abort(404 if exc.missing else 502)
    return Response(
        audio.content,
        mimetype=audio.content_type,
        headers={"Cache-Control": "no-store, private", "Content-Disposition": "inline"},
    )
