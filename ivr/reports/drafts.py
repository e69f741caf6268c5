"""The unfinished report of a call: kept server-side by CallSid (never in a URL or a log) until it is registered.

A draft holds what the caller has keyed and confirmed so far. It is removed when the call ends without the
report being registered, so nothing partial survives a dropped call.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ivr.reports.models import ReportDraft

log = logging.getLogger("ivr.reports")


@dataclass
class Receiver:
    """A receiving unit, snapshotted from the directory when the caller confirmed it."""

    code: str
    name: str
    kind: str
    phone: str | None = None
    sms: str | None = None


@dataclass
class Draft:
    """What one call has keyed so far; the patient fields are cleared for each new patient in the call."""

    call_sid: str
    position: int = 1
    # The reporter and the caller's name stay for every patient reported in the call.
    reporter: Receiver | None = None
    pending_reporter: Receiver | None = None
    caller_name: str | None = None
    caller_name_recording: str | None = None
    pending_name: str | None = None
    # The patient being reported now.
    event: str | None = None
    patient_number: str | None = None
    patient_number_kind: str | None = None
    patient_confirmed: bool = False
    receivers: list[Receiver] = field(default_factory=list)
    pending_receiver: Receiver | None = None
    event_data: dict[str, str] = field(default_factory=dict)
    pending_date: str | None = None
    duplicate_of: str | None = None
    registered: list[str] = field(default_factory=list)

    def next_patient(self) -> None:
        """Clear everything about the patient just reported; keep the reporter and the caller's name."""
        keep = {"call_sid", "position", "reporter", "caller_name", "caller_name_recording", "registered"}
        for f in fields(self):
            if f.name not in keep:
                setattr(self, f.name, _default(f.name))
        self.position += 1

    def start_over(self) -> None:
        """Forget this patient's report (the summary's "2"), keeping reporter, caller's name and position."""
        position = self.position
        self.next_patient()
        self.position = position

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, call_sid: str, text: str) -> Draft:
        data: dict[str, Any] = json.loads(text or "{}")
        data["call_sid"] = call_sid
        for name in ("reporter", "pending_reporter", "pending_receiver"):
            if data.get(name) is not None:
                data[name] = Receiver(**data[name])
        data["receivers"] = [Receiver(**r) for r in data.get("receivers", [])]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _default(name: str) -> Any:
    return getattr(Draft(call_sid=""), name)


def load_draft(*, session: Session, call_sid: str) -> Draft:
    """The call's draft, or a fresh one."""
    row = session.scalar(select(ReportDraft).where(ReportDraft.call_sid == call_sid))
    return Draft(call_sid=call_sid) if row is None else Draft.from_json(call_sid, row.data)


def save_draft(*, session: Session, draft: Draft, now: datetime) -> None:
    """Store the draft (insert or replace) in the caller's transaction."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReportDraft).values(call_sid=draft.call_sid, data=draft.to_json(), updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["call_sid"], set_={"data": statement.excluded.data, "updated_at": now}
        )
    )


def discard_draft(*, session: Session, call_sid: str) -> bool:
    """Remove a call's unfinished report (the call ended without registering it); True if there was one."""
    result = session.execute(delete(ReportDraft).where(ReportDraft.call_sid == call_sid))
    removed = bool(getattr(result, "rowcount", 0))
    if removed:
        log.info("call %s ended: its unfinished report was discarded", call_sid)
    return removed


def purge_stale_drafts(*, session: Session, before: datetime) -> int:
    """Remove drafts untouched since `before` (calls whose end was never reported); returns how many."""
    result = session.execute(delete(ReportDraft).where(ReportDraft.updated_at < before))
    return int(getattr(result, "rowcount", 0))
