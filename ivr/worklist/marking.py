"""Marking worklist items: done (by whom, when) or open again (with a reason); never changed, only followed by a
new marking, and every marking audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.worklist.items import WorkItem
from ivr.worklist.models import DONE, REOPENED, WorklistMark
from ivr.worklist.service import OutageWorklist, WorklistError


def find_item(
    lists: Sequence[OutageWorklist], reference: str, *, source: str | None = None
) -> tuple[OutageWorklist, WorkItem]:
    """The one item with this reference (and source, when a report and a ticket share a reference)."""
    found = [
        (worklist, item)
        for worklist in lists
        for item in worklist.all_items
        if item.reference == reference.strip() and (source is None or item.source == source)
    ]
    if not found:
        raise WorklistError(f"no worklist item with reference {reference}")
    # A ticket about no particular system is listed under every outage of its line at the time: one item.
    if len({(item.source, item.reference) for _, item in found}) > 1:
        raise WorklistError(f"reference {reference} is both a report and a fault ticket: say which with --source")
    return found[0]


def mark_done(
    *,
    session: Session,
    lists: Sequence[OutageWorklist],
    reference: str,
    by: str,
    now: datetime,
    source: str | None = None,
) -> WorkItem:
    """Record that an item was entered (by whom, when); audited. An item already done is refused."""
    worklist, item = find_item(lists, reference, source=source)
    if item.done is not None:
        raise WorklistError(f"{reference} was already marked done by {item.done.by} at {item.done.at.isoformat()}")
    if not by.strip():
        raise WorklistError("say who entered it: --by NAME")
    _mark(session, worklist, item, action=DONE, by=by.strip(), reason=None, now=now)
    return item


def reopen(
    *,
    session: Session,
    lists: Sequence[OutageWorklist],
    reference: str,
    by: str,
    reason: str,
    now: datetime,
    source: str | None = None,
) -> WorkItem:
    """Open a done item again with a new marking (the earlier one stays); needs a reason; audited."""
    worklist, item = find_item(lists, reference, source=source)
    if item.done is None:
        raise WorklistError(f"{reference} is not marked done")
    if not reason.strip():
        raise WorklistError("a reopening needs a reason")
    _mark(session, worklist, item, action=REOPENED, by=by.strip(), reason=reason.strip(), now=now)
    return item


def _mark(
    session: Session,
    worklist: OutageWorklist,
    item: WorkItem,
    *,
    action: str,
    by: str,
    reason: str | None,
    now: datetime,
) -> None:
    session.add(
        WorklistMark(
            source=item.source,
            reference=item.reference,
            outage_id=worklist.outage_id,
            action=action,
            at=now,
            by=by,
            reason=reason,
        )
    )
    record_audit(
        session=session,
        actor=by,
        action=f"worklist.{action}",
        subject=f"{item.source}:{item.reference}",
        detail={"outage": worklist.outage_id, "line": worklist.line_key, "reason": reason},
        now=now,
    )
    session.flush()
