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

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.orm import Session

from directory.snapshot import UnitSnapshot
from ivr.calls.models import CallStateRow
from ivr.persistence import UTCDateTime, upsert

log = logging.getLogger("ivr.calls")
CALLER = "caller"
DOCTOR = "doctor"
NAME_SLOTS = (CALLER, DOCTOR)
# Every webhook loads and stores its call's state: two statements built (and compiled) once per process.
_LOAD = text("SELECT call_sid, from_number, line_key, data FROM call_states WHERE call_sid = :call_sid")
_STORE = text("UPDATE call_states SET data = :data, updated_at = :now WHERE call_sid = :call_sid").bindparams(
    bindparam("now", type_=UTCDateTime())
)


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
    stored: str | None = field(default=None, compare=False, repr=False)  # the JSON as loaded (None: a new call)

    def has_name(self, slot: str) -> bool:
        """Whether the name for a slot was said, recorded, or given up on."""
        return slot in self.names or slot in self.recordings

    def forget_name(self, slot: str) -> None:
        """Forget a slot's name (the doctor's, for the next patient)."""
        self.names.pop(slot, None)
        self.recordings.pop(slot, None)

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("call_sid", "from_number", "line_key", "stored"):
            data.pop(key)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_row(cls, row: CallStateRow | Any) -> CallState:
        """From a call_states row (the model or a plain row of its columns)."""
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
            stored=row.data,
        )


def load_state(*, session: Session, call_sid: str, from_number: str = "", line_key: str = "") -> CallState:
    """The call's state, or a fresh one."""
    row = session.execute(_LOAD, {"call_sid": call_sid}).first()
    if row is None:
        return CallState(call_sid=call_sid, from_number=from_number, line_key=line_key)
    return CallState.from_row(row)


def save_state(*, session: Session, state: CallState, now: datetime) -> None:
    """Store the state (insert or replace) in the caller's transaction; nothing to do if it has not changed."""
    data = state.to_json()
    if data == state.stored:
        return
    if state.stored is not None:
        stored: Any = session.execute(_STORE, {"data": data, "now": now, "call_sid": state.call_sid})
        if stored.rowcount:
            state.stored = data
            return
    values = {
        "call_sid": state.call_sid,
        "from_number": state.from_number,
        "line_key": state.line_key,
        "data": data,
        "updated_at": now,
    }
    upsert(session, CallStateRow, values, unique=["call_sid"], update=["data", "updated_at"])
    state.stored = data


def keep_after_call(*, session: Session, call_sid: str, now: datetime) -> None:
    """The call ended with something worth resuming: keep its state, marked ended (never resumed while the call
    is still going, e.g. a second call through the same switchboard number)."""
    session.execute(
        update(CallStateRow)
        .where(CallStateRow.call_sid == call_sid, CallStateRow.ended_at.is_(None))
        .values(ended_at=now)
    )


# Asked at every call's start: built once, run with the caller's values.
_RESUMABLE = (
    select(CallStateRow)
    .where(
        CallStateRow.from_number == bindparam("from_number"),
        CallStateRow.line_key == bindparam("line_key"),
        CallStateRow.ended_at >= bindparam("since"),
        CallStateRow.call_sid != bindparam("exclude"),
    )
    .order_by(CallStateRow.ended_at.desc())
    .limit(1)
)


def resumable_state(
    *, session: Session, from_number: str, line_key: str, since: datetime, exclude_call_sid: str
) -> CallState | None:
    """The newest state an ended call from this number left on this line since `since`, if any."""
    if not from_number:
        return None
    values = {"from_number": from_number, "line_key": line_key, "since": since, "exclude": exclude_call_sid}
    row = session.scalars(_RESUMABLE, values).first()
    return None if row is None else CallState.from_row(row)


def discard_state(*, session: Session, call_sid: str) -> bool:
    """Remove a call's state (the call ended); True if there was one."""
    result = session.execute(delete(CallStateRow).where(CallStateRow.call_sid == call_sid))
    return bool(getattr(result, "rowcount", 0))


def purge_stale_states(*, session: Session, before: datetime) -> int:
    """Remove states untouched since `before` (calls whose end was never reported); returns how many."""
    result = session.execute(delete(CallStateRow).where(CallStateRow.updated_at < before))
    return int(getattr(result, "rowcount", 0))
