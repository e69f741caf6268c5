"""The hash chain over the report store: each entry's hash covers its content and the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ivr.reports.models import GENESIS_HASH, Report

# One lock for whoever appends to the chain on PostgreSQL (an arbitrary constant: "reports" in ASCII).
CHAIN_LOCK = 0x7265706F727473
RECEIVER_FIELDS = ("position", "receiver_code", "receiver_name", "receiver_kind", "receiver_phone", "receiver_sms")
ENTRY_FIELDS = (
    "seq",
    "reference",
    "kind",
    "line_key",
    "call_sid",
    "call_position",
    "official_at",
    "confirmed_at",
    "drill",
    "event",
    "reporter_code",
    "reporter_name",
    "reporter_kind",
    "reporter_phone",
    "patient_number",
    "patient_number_kind",
    "event_data",
    "caller_name",
    "caller_name_recording",
    "duplicate_of",
    "cancels",
    "reason",
    "made_by",
    "prev_hash",
)


def entry_content(entry: Report, receivers: list[dict[str, Any]]) -> dict[str, Any]:
    """The hashed content of an entry: every stored field but its own hash, plus its receivers."""
    content = {name: _plain(getattr(entry, name)) for name in ENTRY_FIELDS}
    content["receivers"] = [{name: _plain(r.get(name)) for name in RECEIVER_FIELDS} for r in receivers]
    return content


def entry_hash(content: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an entry's content."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(entry: Report, receivers: list[dict[str, Any]]) -> None:
    """Set the entry's hash from its content (which already names the previous hash)."""
    entry.entry_hash = entry_hash(entry_content(entry, receivers))


def lock_chain(session: Session) -> None:
    """Serialise appends on PostgreSQL; SQLite serialises writers itself, and prev_hash is unique on both."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def chain_tail(session: Session) -> tuple[int, str]:
    """The last entry's sequence number and hash (0 and the genesis hash for an empty chain)."""
    last = session.execute(select(Report.seq, Report.entry_hash).order_by(Report.seq.desc()).limit(1)).first()
    return (0, GENESIS_HASH) if last is None else (last[0], last[1])


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking the chain."""

    entries: int
    head: str
    first_bad_seq: int | None = None
    first_bad_reference: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(session: Session) -> ChainCheck:
    """Walk the chain from the first entry; name the first entry that was altered, removed or inserted."""
    previous_hash, expected_seq, count = GENESIS_HASH, 1, 0
    for entry in session.scalars(select(Report).order_by(Report.seq)):
        count += 1
        receivers = [{name: getattr(d, name) for name in RECEIVER_FIELDS} for d in entry.deliveries]
        problem = None
        if entry.seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {entry.seq}: an entry is missing"
        elif entry.prev_hash != previous_hash:
            problem = "its link to the previous entry is broken: an entry before it was removed or replaced"
        elif entry_hash(entry_content(entry, receivers)) != entry.entry_hash:
            problem = "its content does not match its hash: it was altered after it was stored"
        if problem is not None:
            return ChainCheck(count, previous_hash, entry.seq, entry.reference, problem)
        previous_hash, expected_seq = entry.entry_hash, entry.seq + 1
    return ChainCheck(count, previous_hash)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value
