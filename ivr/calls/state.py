"""What one call has answered so far, kept server-side by CallSid (never in a URL or a log).

Every flow of the call shares it: the caller's confirmed unit and name are asked once and reused; each flow
keeps its own draft under `flows` (the care-transition report's is ivr.reports.drafts.Draft).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from directory.snapshot import UnitSnapshot
from ivr.calls.models import CallStateRow
from ivr.persistence import upsert

log = logging.getLogger("ivr.calls")
CALLER = "caller"
DOCTOR = "doctor"
NAME_SLOTS = (CALLER, DOCTOR)


@dataclass
class CallState:
    """The answers of one call: its unit, names said (or recorded), a name waiting for its read-back, drafts."""

    call_sid: str
    from_number: str = ""
    line_key: str = ""
    unit: UnitSnapshot | None = None
    names: dict[str, str] = field(default_factory=dict)  # slot -> name; "" means the caller went on without one
    recordings: dict[str, str] = field(default_factory=dict)  # slot -> recording URL
    pending_name: str | None = None
    flows: dict[str, Any] = field(default_factory=dict)

    def has_name(self, slot: str) -> bool:
        """Whether the name for a slot was said, recorded, or given up on."""
        return slot in self.names or slot in self.recordings

    def forget_name(self, slot: str) -> None:
        """Forget a slot's name (the doctor's, for the next patient)."""
        self.names.pop(slot, None)
        self.recordings.pop(slot, None)

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("call_sid", "from_number", "line_key"):
            data.pop(key)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_row(cls, row: CallStateRow) -> CallState:
        data: dict[str, Any] = json.loads(row.data or "{}")
        unit = data.get("unit")
        return cls(
            call_sid=row.call_sid,
            from_number=row.from_number,
            line_key=row.line_key,
            unit=UnitSnapshot(**unit) if unit else None,
            names=dict(data.get("names", {})),
            recordings=dict(data.get("recordings", {})),
            pending_name=data.get("pending_name"),
            flows=dict(data.get("flows", {})),
        )


def load_state(*, session: Session, call_sid: str, from_number: str = "", line_key: str = "") -> CallState:
    """The call's state, or a fresh one."""
    row = session.scalar(select(CallStateRow).where(CallStateRow.call_sid == call_sid))
    if row is None:
        return CallState(call_sid=call_sid, from_number=from_number, line_key=line_key)
    return CallState.from_row(row)


def save_state(*, session: Session, state: CallState, now: datetime) -> None:
    """Store the state (insert or replace) in the caller's transaction."""
    values = {
        "call_sid": state.call_sid,
        "from_number": state.from_number,
        "line_key": state.line_key,
        "data": state.to_json(),
        "updated_at": now,
    }
    upsert(session, CallStateRow, values, unique=["call_sid"], update=["data", "updated_at"])


def keep_after_call(*, session: Session, call_sid: str, now: datetime) -> None:
    """The call ended with something worth resuming: keep its state, marked ended (never resumed while the call
    is still going, e.g. a second call through the same switchboard number)."""
    session.execute(
        update(CallStateRow)
        .where(CallStateRow.call_sid == call_sid, CallStateRow.ended_at.is_(None))
        .values(ended_at=now)
    )


def resumable_state(
    *, session: Session, from_number: str, line_key: str, since: datetime, exclude_call_sid: str
) -> CallState | None:
    """The newest state an ended call from this number left on this line since `since`, if any."""
    if not from_number:
        return None
    row = session.scalars(
        select(CallStateRow)
        .where(
            CallStateRow.from_number == from_number,
            CallStateRow.line_key == line_key,
            CallStateRow.ended_at >= since,
            CallStateRow.call_sid != exclude_call_sid,
        )
        .order_by(CallStateRow.ended_at.desc())
        .limit(1)
    ).first()
    return None if row is None else CallState.from_row(row)


def discard_state(*, session: Session, call_sid: str) -> bool:
    """Remove a call's state (the call ended); True if there was one."""
    result = session.execute(delete(CallStateRow).where(CallStateRow.call_sid == call_sid))
    return bool(getattr(result, "rowcount", 0))


def purge_stale_states(*, session: Session, before: datetime) -> int:
    """Remove states untouched since `before` (calls whose end was never reported); returns how many."""
    result = session.execute(delete(CallStateRow).where(CallStateRow.updated_at < before))
    return int(getattr(result, "rowcount", 0))
