"""The report flow's blueprint and what every step shares: the call's line, draft, time zone and drill state."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows.lines import Line, current_line
from call_flows.outages import current_outages
from call_flows.twiml import twiml
from call_flows.webhook import CallParams, apologise_on_error, fallback_answer, read_call_params
from ivr.clock import utcnow
from ivr.db import get_session
from ivr.reports.drafts import Draft, load_draft, save_draft
from ivr.security import require_twilio_signature

bp = Blueprint("report", __name__, url_prefix="/voice/report")
require_twilio_signature(bp)
apologise_on_error(bp)
log = logging.getLogger("call_flows.report")


@bp.errorhandler(SQLAlchemyError)
def _database_failed(exc: SQLAlchemyError) -> ResponseReturnValue:
    # Database errors carry the statement's parameters (a personnummer): log only what failed, never the values.
    log.error("report step %s failed in the database: %s", request.endpoint, type(exc).__name__)
    try:
        get_session().rollback()
    except SQLAlchemyError:
        log.error("rollback after a failed report step also failed")
    return twiml(fallback_answer(request.form.get("To")))


# ---- the call's context -----------------------------------------------------------------------------------


def call_context() -> tuple[CallParams, Line, Session, Draft]:
    params = read_call_params(request)
    session = get_session()
    return params, current_line(params), session, load_draft(session=session, call_sid=params.call_sid)


def save(session: Session, draft: Draft) -> None:
    save_draft(session=session, draft=draft, now=utcnow())
    session.commit()


def local_zone() -> ZoneInfo:
    timezone: ZoneInfo = current_app.extensions["ivr.config"].timezone
    return timezone


def local_today() -> date:
    return utcnow().astimezone(local_zone()).date()


def is_drill(session: Session, line: Line, now: datetime) -> bool:
    """Reports made on a drill line, or during a drill outage, are drills."""
    return line.drill or any(o.drill for o in current_outages(session=session, line_key=line.key, now=now))


def restart() -> Response:
    response = VoiceResponse()
    response.redirect(url_for("report.start"), method="POST")
    return twiml(response)


def ready_for_data(draft: Draft) -> bool:
    """Whether the draft has a reporter, an event, a confirmed patient and a receiver (so event data may follow)."""
    return draft.reporter is not None and draft.event is not None and draft.patient_confirmed and bool(draft.receivers)
