"""POST /sms/status: Twilio's delivery status callbacks, signed like every webhook."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from ivr.outbox.service import record_status
from ivr.web.context import now
from ivr.web.security import require_twilio_signature
from ivr.web.session import get_session

bp = Blueprint("sms", __name__, url_prefix="/sms")
require_twilio_signature(bp)


@bp.post("/status")
def status() -> Response:
    """Store one delivery status event for a message."""
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    state = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if not sid or not state or len(sid) > 64 or len(state) > 16:
        abort(400)
    code = request.form.get("ErrorCode", "")
    error_code = int(code) if code.isdigit() else None
    record_status(session=get_session(), message_sid=sid, status=state.lower(), error_code=error_code, now=now())
    return Response(status=204)
