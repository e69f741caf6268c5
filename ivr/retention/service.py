"""The retention job: delete callers' recordings at Twilio after `recording_days`, and drop call states (the
unfinished reports, which may hold a personnummer) after `draft_hours`. Audited; safe to run again.

A report's record is append-only and keeps the URL of its caller's recording; once the recording is deleted the
URL leads nowhere, and `deleted_recordings` says when it went.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.calls.models import CallStateRow
from ivr.faults.models import FaultTicket
from ivr.reports.models import Report, ReportKind
from ivr.retention.models import DeletedRecording

log = logging.getLogger("ivr.retention")
Deleter = Callable[[str], None]  # deletes one recording URL at the provider; raises on failure


@dataclass(frozen=True)
class Held:
    """A recording the service refers to: its URL, what holds it, and when it was made."""

    url: str
    source: str
    made_at: datetime


@dataclass(frozen=True)
class RetentionOutcome:
    """What one run did."""

    deleted: tuple[Held, ...]
    failed: tuple[tuple[Held, str], ...]
    drafts_removed: int
    left: tuple[Held, ...] = ()  # due, but there is no Twilio account to delete them with


def recordings_held(*, session: Session) -> Iterator[Held]:
    """Every recording URL the records hold: tickets' voicemail and names, reports' callers and doctors."""
    for ticket in session.scalars(select(FaultTicket)):
        made = ticket.filed_at or ticket.started_at
        if ticket.voicemail_url:
            yield Held(ticket.voicemail_url, f"ticket:{ticket.reference} voicemail", made)
        if ticket.name_recording_url:
            yield Held(ticket.name_recording_url, f"ticket:{ticket.reference} reporter name", made)
    for report in session.scalars(select(Report).where(Report.kind == ReportKind.REPORT)):
        if report.caller_name_recording:
            yield Held(report.caller_name_recording, f"report:{report.reference} caller name", report.official_at)
        doctor = json.loads(report.event_data or "{}").get("doctor_recording")
        if doctor:
            yield Held(doctor, f"report:{report.reference} doctor name", report.official_at)


def due_recordings(*, session: Session, now: datetime, recording_days: int) -> list[Held]:
    """Recordings older than the retention period that are not deleted yet, oldest first."""
    gone = set(session.scalars(select(DeletedRecording.url)))
    cutoff = now - timedelta(days=recording_days)
    due = [held for held in recordings_held(session=session) if held.made_at < cutoff and held.url not in gone]
    return sorted(due, key=lambda held: held.made_at)


def run_retention(
    *,
    session: Session,
    delete_recording: Deleter | None,
    now: datetime,
    recording_days: int,
    draft_hours: int,
    actor: str,
) -> RetentionOutcome:
    """Delete what is due; with `delete_recording` None (no Twilio account), recordings are left and reported."""
    due = due_recordings(session=session, now=now, recording_days=recording_days)
    deleted: list[Held] = []
    failed: list[tuple[Held, str]] = []
    for held in due:
        if delete_recording is None:
            break
        try:
            delete_recording(held.url)
        except Exception as exc:  # one failure must not stop the others; it is retried next run
            failed.append((held, type(exc).__name__ + (f": {exc}" if str(exc) else "")))
            continue
        session.add(DeletedRecording(url=held.url, source=held.source, made_at=held.made_at, deleted_at=now))
        deleted.append(held)
    result = session.execute(delete(CallStateRow).where(CallStateRow.updated_at < now - timedelta(hours=draft_hours)))
    drafts = int(getattr(result, "rowcount", 0))
    record_audit(
        session=session,
        actor=actor,
        action="retention.run",
        subject=f"{len(deleted)} recording(s), {drafts} draft(s)",
        detail={
            "deleted": [h.source for h in deleted],
            "failed": [h.source for h, _ in failed],
            "recording_days": recording_days,
            "draft_hours": draft_hours,
        },
        now=now,
    )
    log.info("retention: %s recording(s) deleted, %s failed, %s draft(s) removed", len(deleted), len(failed), drafts)
    left = tuple(due) if delete_recording is None else ()
    return RetentionOutcome(deleted=tuple(deleted), failed=tuple(failed), drafts_removed=drafts, left=left)
