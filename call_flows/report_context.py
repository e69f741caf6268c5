"""What every step of the report flow shares: the call's line, state, draft and drill state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows.twiml import redirect_to
from call_flows.webhook import Answered, CallParams, call_params, current_line, local_now
from directory.snapshot import UnitSnapshot
from ivr.calls.state import CallState, load_state, save_state
from ivr.lines.models import Line
from ivr.outages.service import current_outages
from ivr.reports.drafts import Draft, draft_of, put_draft
from ivr.reports.events import REPORTER_KINDS
from ivr.web.context import now
from ivr.web.session import get_session


@dataclass
class ReportCall:
    """One request of the report flow: Twilio's parameters, the line, the session, the call's state and draft."""

    params: CallParams
    line: Line
    session: Session
    state: CallState
    draft: Draft

    @property
    def reporter(self) -> UnitSnapshot | None:
        """The reporting unit: the caller's confirmed unit, if it is one that reports (a ward, a unit, a kommun)."""
        unit = self.state.unit
        return unit if unit is not None and unit.kind in REPORTER_KINDS else None

    def require_reporter(self) -> UnitSnapshot:
        """The reporting unit; a step reached without one restarts the report."""
        reporter = self.reporter
        if reporter is None:
            raise Answered(restart())
        return reporter

    def save(self) -> None:
        """Store the draft in the call's state; the step commits it at its end with everything else it did (one
        transaction per webhook, ivr.web.session.commit_request)."""
        put_draft(self.state, self.draft)
        save_state(session=self.session, state=self.state, now=now())


def report_call() -> ReportCall:
    params, line, session = call_params(), current_line(), get_session()
    state = load_state(session=session, call_sid=params.call_sid, from_number=params.from_number, line_key=line.key)
    return ReportCall(params=params, line=line, session=session, state=state, draft=draft_of(state))


def local_today() -> date:
    return local_now().date()


def is_drill(session: Session, line: Line, moment: datetime) -> bool:
    """Reports made on a drill line, or during a drill outage, are drills."""
    return line.drill or any(o.drill for o in current_outages(session=session, line_key=line.key, now=moment))


def restart() -> VoiceResponse:
    """Back to the start of the report (a step reached out of order, e.g. after a retry)."""
    return redirect_to("report.start")


def require(condition: bool) -> None:
    """A step whose draft lacks what it needs restarts the report instead of failing."""
    if not condition:
        raise Answered(restart())


def ready_for_data(call: ReportCall) -> bool:
    """Whether the draft has a reporter, an event, a confirmed patient and a receiver (so event data may follow)."""
    draft = call.draft
    return call.reporter is not None and draft.event is not None and draft.patient_confirmed and bool(draft.receivers)
