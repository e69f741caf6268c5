"""Writing and reading the audit log: overrides, outages, cancellations, exports, reads of patient data."""

from __future__ import annotations

import getpass
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
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
        # "Berit" also finds what was done for Berit by someone else ("Berit (via deploy)")
        query = query.where(
            or_(AuditEntry.actor == actor, AuditEntry.actor.startswith(f"{actor} (via ", autoescape=True))
        )
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def current_actor(by: str | None = None) -> str:
    """Who runs a CLI command, for the audit log: the operating-system user, and the person it was done for
    when --by names someone else ("ingrid (via deploy)"). --by alone never hides who ran the command."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    if by is None or by.strip() in ("", user):
        return user
    return f"{' '.join(by.split())[:80]} (via {user})"
