"""A receiver's way back: the reports to a unit that nobody there acknowledged (missed call, closed, no answer).

The municipality or unit hears them when it calls the line and acknowledges each one by phone; that is stored
like the acknowledgement on the connected call (ivr.reports.service.acknowledge_delivery). What counts as
unacknowledged is defined once, in ivr.reports.service.unacknowledged_query; the phone reads the last week.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ivr.reports.models import Report, ReportDelivery
from ivr.reports.service import unacknowledged_query

INBOX_DAYS = timedelta(days=7)  # older reports are followed up from the worklist and the console, not by phone


def unacknowledged(*, session: Session, code: str, now: datetime) -> list[ReportDelivery]:
    """The deliveries to the unit with this code that wait for an acknowledgement, oldest first."""
    query = unacknowledged_query(receiver_codes=[code], since=now - INBOX_DAYS)
    return [row for _report, row in session.execute(query)]


# Asked on every call from a unit that receives reports: built once, run with the unit's code and the moment.
_WAITING = (
    unacknowledged_query(receiver_codes=bindparam("codes", expanding=True), since=bindparam("since"))
    .order_by(None)
    .subquery()
)
_COUNT_WAITING = select(func.count()).select_from(_WAITING)


def unacknowledged_count(*, session: Session, code: str, now: datetime) -> int:
    """How many reports to the unit wait for an acknowledgement."""
    return int(session.scalar(_COUNT_WAITING, {"codes": [code], "since": now - INBOX_DAYS}) or 0)


def pending_delivery(*, session: Session, code: str, reference: str, now: datetime) -> ReportDelivery | None:
    """The unit's delivery of one report, if it still waits for an acknowledgement."""
    query = unacknowledged_query(receiver_codes=[code], since=now - INBOX_DAYS).where(Report.reference == reference)
    found = session.execute(query).first()
    return None if found is None else found[1]
