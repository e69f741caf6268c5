"""Writing and reading the audit log: overrides, outages, cancellations, exports, reads of patient data."""

from __future__ import annotations

import getpass
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.audit.models import AuditEntry


def record_audit(
    *, session: Session, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None, now: datetime
) -> AuditEntry:
    """Add an audit entry to the caller's transaction (the caller commits with the change it audits)."""
    entry = AuditEntry(
        at=now,
        actor=actor,
        action=action,
        subject=subject,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    session.add(entry)
    return entry


# The actions that read patient data: the access log (PDL 4 kap. 3 §) is the audit log restricted to these.
ACCESS_ACTIONS = (
    "reports.read_patient_number",
    "reports.export",
    "liability.report",
    "recordings.play",
    "tickets.voicemail",
)


def list_audit(
    *,
    session: Session,
    action: str | None = None,
    actions: Collection[str] | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries, oldest first (or newest first), optionally of one action, some actions, one actor, one
    subject ("report:482913"), or a period [since, until)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if actions is not None:
        query = query.where(AuditEntry.action.in_(list(actions)))
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def current_actor() -> str:
    """Who runs a CLI command, when no --by is given: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
