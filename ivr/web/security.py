"""Twilio webhook signatures: every webhook blueprint is checked here, with no way to switch it off."""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Blueprint, Request, abort, request
from twilio.request_validator import RequestValidator

from ivr.config import Config
from ivr.web.context import runtime

log = logging.getLogger("ivr.security")
SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_url(req: Request, public_url: str | None) -> str:
    """The URL Twilio signed: public base (or the request's scheme and host) plus the raw, undecoded path."""
    raw = req.environ.get("RAW_URI") or req.environ.get("REQUEST_URI")
    if not raw:
        raw = quote(req.environ.get("SCRIPT_NAME", "") + req.environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=%")
        if req.environ.get("QUERY_STRING"):
            raw += "?" + req.environ["QUERY_STRING"]
    base = public_url or f"{req.scheme}://{req.host}"
    return base + raw


def is_signed_by_twilio(req: Request, config: Config) -> bool:
    """Whether the request carries a valid X-Twilio-Signature for this service's auth token."""
    signature = req.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    params = req.form if req.method == "POST" else {}
    validator = RequestValidator(config.twilio_auth_token)
    return bool(validator.validate(signed_url(req, config.public_url), params, signature))


def require_twilio_signature(blueprint: Blueprint) -> None:
    """Refuse (403) every request to the blueprint that Twilio did not sign."""

    @blueprint.before_request
    def _check_signature() -> None:
        if not is_signed_by_twilio(request, runtime().config):
            # Never log the body: it may hold what a caller keyed.
            log.warning(
                "refused unsigned webhook: %s %s from %s (signature %s)",
                request.method,
                request.path,
                request.remote_addr,
                "missing" if SIGNATURE_HEADER not in request.headers else "invalid",
            )
            abort(403)
