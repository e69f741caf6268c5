"""Registering, cancelling and finding reports; per-receiver connect and acknowledgement times.

Every function adds to the caller's transaction; the caller commits once per unit of work.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from directory.models import Unit
from directory.numbers import national
from ivr.audit.service import record_audit
from ivr.calls.models import Call
from ivr.notes import event_name, local_iso
from ivr.outbox.service import enqueue_sms, messages_for, sms_recipient
from ivr.outbox.templates import UNKNOWN_PHONE, official_time
from ivr.reports.chain import RECEIVER_FIELDS, chain_tail, lock_chain, seal
from ivr.reports.drafts import Receiver
from ivr.reports.events import Event
from ivr.reports.models import Report, ReportDelivery, ReportKind

log = logging.getLogger("ivr.reports")
DUPLICATE_WINDOW = timedelta(hours=24)
REFERENCE_RANGE = (100_000, 999_999)


class ReportError(ValueError):
    """A report operation that cannot be carried out (unknown reference, already cancelled, no call)."""


@dataclass(frozen=True)
class NewReport:
    """Everything the caller keyed and confirmed for one patient, as plain values."""

    call_sid: str
    call_position: int
    line_key: str
    drill: bool
    event: str
    reporter: Receiver
    patient_number: str
    patient_number_kind: str
    receivers: list[Receiver]
    event_data: dict[str, str] = field(default_factory=dict)
    caller_name: str | None = None
    caller_name_recording: str | None = None
    duplicate_of: str | None = None


_FIRST_SEEN = select(Call.first_seen_at).where(Call.call_sid == bindparam("call_sid"))


def official_time_of_call(*, session: Session, call_sid: str) -> datetime:
    """The moment the service first received the call: the official time of every report made in it.

    Set once and never changed, so a session asks the database for it once per call.
    """
    key = f"ivr.first_seen_at:{call_sid}"
    first_seen: datetime | None = session.info.get(key)
    if first_seen is None:
        first_seen = session.scalar(_FIRST_SEEN, {"call_sid": call_sid})
        if first_seen is None:
            raise ReportError(f"call {call_sid} was never seen by the service")
        session.info[key] = first_seen
    return first_seen


_REGISTERED = select(Report).where(
    Report.call_sid == bindparam("call_sid"), Report.call_position == bindparam("call_position")
)


def find_registered(*, session: Session, call_sid: str, call_position: int) -> Report | None:
    """The report already registered for this patient of this call (a Twilio retry), if any."""
    return session.scalar(_REGISTERED, {"call_sid": call_sid, "call_position": call_position})


def register_report(
    *, session: Session, new: NewReport, caller_number: str | None, timezone: ZoneInfo, now: datetime
) -> Report:
    """Append the report to the chain with its receivers and queue the receipts, all in one transaction.

    Registering the same patient of the same call again returns the stored report (Twilio retries).
    """
    if not new.receivers:
        raise ReportError("a report needs at least one receiver")
    lock_chain(session)
    existing = find_registered(session=session, call_sid=new.call_sid, call_position=new.call_position)
    if existing is not None:
        return existing
    seq, prev_hash = chain_tail(session)
    report = Report(
        seq=seq + 1,
        reference=_new_reference(session),
        kind=ReportKind.REPORT,
        line_key=new.line_key,
        call_sid=new.call_sid,
        call_position=new.call_position,
        official_at=official_time_of_call(session=session, call_sid=new.call_sid),
        confirmed_at=now,
        drill=new.drill,
        event=Event(new.event).value,
        reporter_code=new.reporter.code,
        reporter_name=new.reporter.name,
        reporter_kind=new.reporter.kind,
        reporter_phone=new.reporter.phone,
        patient_number=new.patient_number,
        patient_number_kind=new.patient_number_kind,
        event_data=json.dumps(new.event_data, ensure_ascii=False, sort_keys=True),
        caller_name=new.caller_name,
        caller_name_recording=new.caller_name_recording,
        duplicate_of=new.duplicate_of,
        prev_hash=prev_hash,
    )
    receivers = [_receiver_fields(position, r) for position, r in enumerate(new.receivers, start=1)]
    seal(report, receivers)
    report.deliveries = [ReportDelivery(**fields) for fields in receivers]
    session.add(report)
    _queue_receipts(session=session, report=report, new=new, caller_number=caller_number, timezone=timezone, now=now)
    session.flush()
    log.info("report %s registered (seq %s, %s receiver(s))", report.reference, report.seq, len(receivers))
    return report


def _receiver_fields(position: int, receiver: Receiver) -> dict[str, object]:
    # Exactly the hashed receiver fields (chain.RECEIVER_FIELDS), so the rows and the hash agree.
    values = (position, receiver.code, receiver.name, receiver.kind, receiver.phone, receiver.sms)
    return dict(zip(RECEIVER_FIELDS, values, strict=True))


def _new_reference(session: Session) -> str:
    low, high = REFERENCE_RANGE
    while True:
        reference = str(low + secrets.randbelow(high - low + 1))
        if session.scalar(select(Report.id).where(Report.reference == reference)) is None:
            return reference


def _queue_receipts(
    *, session: Session, report: Report, new: NewReport, caller_number: str | None, timezone: ZoneInfo, now: datetime
) -> None:
    """One receipt to the reporting unit, one notice to each receiver; never any patient data."""
    common = {
        "event": event_name(new.event),
        "time": official_time(report.official_at, timezone),
        "reference": report.reference,
        "unit": new.reporter.name,
        "unit_phone": national(new.reporter.phone) if new.reporter.phone else UNKNOWN_PHONE,
    }
    subject = f"report:{report.reference}"
    enqueue_sms(
        session=session,
        to=sms_recipient(unit_sms=new.reporter.sms, caller_number=caller_number),
        template="report_receipt",
        values={**common, "receiver": ", ".join(r.name for r in new.receivers)},
        subject=subject,
        now=now,
        drill=new.drill,
    )
    for receiver in new.receivers:
        enqueue_sms(
            session=session,
            to=receiver.sms,
            template="report_notice",
            values={**common, "receiver": receiver.name},
            subject=subject,
            now=now,
            drill=new.drill,
        )


def find_duplicate(
    *,
    session: Session,
    patient_number: str,
    event: str,
    receiver_codes: list[str],
    drill: bool,
    official_at: datetime,
    exclude_call_position: tuple[str, int] | None = None,
) -> Report | None:
    """The latest report of the same patient, event and a same receiver within 24 hours, not cancelled."""
    call_sid, position = exclude_call_position if exclude_call_position is not None else ("", -1)
    values = {
        "patient_number": patient_number,
        "event": event,
        "drill": drill,
        "receiver_codes": list(receiver_codes),
        "after": official_at - DUPLICATE_WINDOW,
        "before": official_at + DUPLICATE_WINDOW,
        "call_sid": call_sid,
        "call_position": position,
    }
    return session.scalars(_DUPLICATE, values).first()


def _duplicate_query() -> Select[Report]:
    """Asked before every registration: built once, run with the report's values."""
    cancellation = aliased(Report)
    return (
        select(Report)
        .join(ReportDelivery, ReportDelivery.report_id == Report.id)
        .outerjoin(cancellation, cancellation.cancels == Report.reference)
        .where(
            Report.kind == ReportKind.REPORT,
            Report.patient_number == bindparam("patient_number"),
            Report.event == bindparam("event"),
            Report.drill == bindparam("drill"),
            ReportDelivery.receiver_code.in_(bindparam("receiver_codes", expanding=True)),
            Report.official_at > bindparam("after"),
            Report.official_at < bindparam("before"),
            cancellation.id.is_(None),
            ~and_(Report.call_sid == bindparam("call_sid"), Report.call_position == bindparam("call_position")),
        )
        .order_by(Report.official_at.desc(), Report.seq.desc())
    )


_DUPLICATE = _duplicate_query()


_RECENT_RECEIVER = (
    select(ReportDelivery.receiver_code)
    .join(Report, Report.id == ReportDelivery.report_id)
    .where(
        Report.reporter_code == bindparam("reporter_code"),
        Report.kind == ReportKind.REPORT,
        Report.official_at >= bindparam("since"),
        ReportDelivery.receiver_kind == bindparam("kind"),
    )
    .order_by(Report.official_at.desc(), Report.id.desc())
    .limit(1)
)


def recent_receiver_code(*, session: Session, reporter_code: str, kind: str, since: datetime) -> str | None:
    """The receiver of this kind the unit reported to last since `since` (offered as "the same again")."""
    return session.scalar(_RECENT_RECEIVER, {"reporter_code": reporter_code, "since": since, "kind": kind})


def received_by(unit_codes: Collection[str]) -> ColumnElement[bool]:
    """The condition that a report has one of these units among its receivers."""
    other = aliased(ReportDelivery)  # its own name: the outer query may join the deliveries too
    receiver = select(other.id).where(other.report_id == Report.id, other.receiver_code.in_(list(unit_codes)))
    return receiver.correlate(Report).exists()


def seen_by(unit_codes: Collection[str]) -> ColumnElement[bool]:
    """The condition that a report (not a cancellation) names one of these units as reporter or receiver."""
    return or_(Report.reporter_code.in_(list(unit_codes)), received_by(unit_codes))


def is_known_receiver(*, session: Session, code: str, kind: str | None = None) -> bool:
    """Whether a code names a unit of the directory or a receiver of some report (optionally of one kind)."""
    unit = session.scalar(select(Unit.kind).where(Unit.code == code))
    if unit is not None and (kind is None or unit == kind):
        return True
    query = select(ReportDelivery.id).where(ReportDelivery.receiver_code == code)
    if kind is not None:
        query = query.where(ReportDelivery.receiver_kind == kind)
    return session.scalar(query.limit(1)) is not None


def find_report(*, session: Session, reference: str, unit_codes: Collection[str] | None = None) -> Report | None:
    """The entry with this reference; with `unit_codes`, only if it (or the report it cancels) names one of them."""
    entry = session.scalar(select(Report).where(Report.reference == reference.strip()))
    if entry is None or unit_codes is None:
        return entry
    original = entry if entry.cancels is None else find_report(session=session, reference=entry.cancels)
    if original is None:
        return None
    visible = session.scalar(select(Report.id).where(Report.id == original.id, seen_by(unit_codes)))
    return entry if visible is not None else None


def cancellation_of(*, session: Session, reference: str) -> Report | None:
    """The cancellation entry of a report, if it was cancelled."""
    return session.scalar(select(Report).where(Report.cancels == reference, Report.kind == ReportKind.CANCELLATION))


def cancel_report(
    *, session: Session, reference: str, reason: str, by: str, timezone: ZoneInfo, now: datetime
) -> Report:
    """Cancel a report with a new entry that references it (the original stays as it was); audited.

    The reporting unit and every receiver get a notice by SMS (without the reason, which is free text).
    """
    original = find_report(session=session, reference=reference)
    if original is None or original.kind != ReportKind.REPORT:
        raise ReportError(f"no report with reference {reference}")
    if not reason.strip():
        raise ReportError("a cancellation needs a reason")
    lock_chain(session)
    earlier = cancellation_of(session=session, reference=original.reference)
    if earlier is not None:
        raise ReportError(f"report {reference} was already cancelled by {earlier.reference}")
    seq, prev_hash = chain_tail(session)
    entry = Report(
        seq=seq + 1,
        reference=_new_reference(session),
        kind=ReportKind.CANCELLATION,
        line_key=original.line_key,
        official_at=now,
        confirmed_at=now,
        drill=original.drill,
        event=original.event,
        cancels=original.reference,
        reason=reason.strip(),
        made_by=by,
        event_data="{}",
        prev_hash=prev_hash,
    )
    seal(entry, [])
    session.add(entry)
    _queue_cancellation_notices(session=session, original=original, timezone=timezone, now=now)
    record_audit(
        session=session,
        actor=by,
        action="reports.cancel",
        subject=f"report:{original.reference}",
        detail={"cancellation": entry.reference, "reason": reason.strip()},
        now=now,
    )
    session.flush()
    return entry


def _queue_cancellation_notices(*, session: Session, original: Report, timezone: ZoneInfo, now: datetime) -> None:
    values = {
        "event": event_name(original.event),
        "time": official_time(original.official_at, timezone),
        "reference": original.reference,
        "unit": original.reporter_name or "",
        "unit_phone": national(original.reporter_phone) if original.reporter_phone else UNKNOWN_PHONE,
    }
    recipients = [_reporter_sms(session, original), *(d.receiver_sms for d in original.deliveries)]
    for to in dict.fromkeys(recipients):  # each number once, in order
        enqueue_sms(
            session=session,
            to=to,
            template="report_cancelled",
            values=values,
            subject=f"report:{original.reference}",
            now=now,
            drill=original.drill,
        )


def _reporter_sms(session: Session, report: Report) -> str | None:
    """Where the reporting unit's receipt went (its SMS number, or the caller's mobile), for later notices."""
    messages = messages_for(session=session, subject=f"report:{report.reference}")
    receipt = next((m for m in messages if m.template == "report_receipt"), None)
    return receipt.to_number if receipt is not None else None


def acknowledge_delivery(
    *, session: Session, reference: str, receiver_code: str, by: str, channel: str, timezone: ZoneInfo, now: datetime
) -> ReportDelivery:
    """A receiver acknowledges a report after the call (by phone or in the console): stored like the
    acknowledgement on the connected call, audited, and the reporting unit gets an SMS that it was received.

    Acknowledging again changes nothing and sends nothing (Twilio retries, a double click).
    """
    query = (
        select(ReportDelivery)
        .join(Report, Report.id == ReportDelivery.report_id)
        .where(Report.reference == reference, Report.kind == ReportKind.REPORT)
        .where(ReportDelivery.receiver_code == receiver_code)
    )
    row = session.scalar(query)
    if row is None:
        raise ReportError(f"report {reference} has no receiver {receiver_code}")
    if cancellation_of(session=session, reference=reference) is not None:
        raise ReportError(f"report {reference} is cancelled")
    first = _set_once(
        session,
        row,
        "acknowledged_at",
        {"acknowledged_at": now, "outcome": func.coalesce(ReportDelivery.outcome, "acknowledged")},
    )
    if first:
        report = row.report
        record_audit(
            session=session,
            actor=by,
            action="reports.acknowledge",
            subject=f"report:{reference}",
            detail={"receiver": receiver_code, "channel": channel},
            now=now,
        )
        enqueue_sms(
            session=session,
            to=_reporter_sms(session, report),
            template="report_acknowledged",
            values={
                "receiver": row.receiver_name,
                "event": event_name(report.event),
                "time": official_time(report.official_at, timezone),
                "reference": report.reference,
            },
            subject=f"report:{reference}",
            now=now,
            drill=report.drill,
        )
    return row


@dataclass(frozen=True)
class EntryFilter:
    """Which chain entries to list: official time in [start, end), one event, one receiver, acknowledged or not.

    `unit_codes` keeps reports that name one of the units as reporter or receiver (and their cancellations);
    `acknowledged` True keeps reports every receiver acknowledged, False those still waiting for one; both
    leave out cancellations, which have no receivers.
    """

    start: datetime | None = None
    end: datetime | None = None
    event: str | None = None
    receiver: str | None = None
    acknowledged: bool | None = None
    unit_codes: Collection[str] | None = None


def list_entries(
    *,
    session: Session,
    timezone: ZoneInfo,
    start: datetime | None = None,
    end: datetime | None = None,
    where: EntryFilter | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Every chain entry in [start, end) as plain data, without patient numbers (no access-log entry needed)."""
    where = where or EntryFilter(start=start, end=end)
    start, end = where.start or start, where.end or end
    query = select(Report).order_by(Report.seq.desc() if newest_first else Report.seq)
    if start is not None:
        query = query.where(Report.official_at >= start)
    if end is not None:
        query = query.where(Report.official_at < end)
    if where.event is not None:
        query = query.where(Report.event == where.event)
    if where.unit_codes is not None or where.receiver is not None or where.acknowledged is not None:
        reports = select(Report.reference).where(Report.kind == ReportKind.REPORT)
        if where.unit_codes is not None:
            reports = reports.where(seen_by(where.unit_codes))
        if where.receiver is not None:
            reports = reports.where(received_by([where.receiver]))
        if where.acknowledged is not None:
            waiting = select(ReportDelivery.id).where(
                ReportDelivery.report_id == Report.id, ReportDelivery.acknowledged_at.is_(None)
            )
            reports = reports.where(~waiting.exists() if where.acknowledged else waiting.exists())
        visible = reports
        if where.acknowledged is None and where.receiver is None:
            query = query.where(or_(Report.reference.in_(visible), Report.cancels.in_(visible)))
        else:
            query = query.where(Report.reference.in_(visible))
    if limit is not None:
        query = query.limit(limit)
    entries = list(session.scalars(query))
    cancelled = dict(
        session.execute(select(Report.cancels, Report.reference).where(Report.kind == ReportKind.CANCELLATION)).all()
    )
    return [
        {
            "reference": e.reference,
            "kind": e.kind,
            "official_time": local_iso(e.official_at, timezone),
            "event": e.event,
            "reporting_unit": e.reporter_name,
            "reporting_unit_code": e.reporter_code,
            "receivers": [d.receiver_name for d in e.deliveries],
            "receiver_codes": [d.receiver_code for d in e.deliveries],
            "acknowledged": bool(e.deliveries) and all(d.acknowledged_at is not None for d in e.deliveries),
            "drill": e.drill,
            "duplicate_of": e.duplicate_of,
            "cancels": e.cancels,
            "made_by": e.made_by,
            "cancelled_by": cancelled.get(e.reference),
        }
        for e in entries
    ]


def record_patient_number_read(*, session: Session, report: Report, actor: str, now: datetime) -> None:
    """The access log entry for reading a report's patient number outside a call (who, when, which report)."""
    record_audit(
        session=session,
        actor=actor,
        action="reports.read_patient_number",
        subject=f"report:{report.reference}",
        detail={"reference": report.reference, "patient_number_kind": report.patient_number_kind},
        now=now,
    )


# ---- deliveries: each time is set once, by a conditional UPDATE (safe when Twilio retries at the same moment) ---


_DELIVERY = (
    select(ReportDelivery)
    .join(Report, Report.id == ReportDelivery.report_id)
    .where(Report.reference == bindparam("reference"), ReportDelivery.position == bindparam("position"))
    .options(contains_eager(ReportDelivery.report))  # the whisper reads the report too: one round trip
)


def delivery(*, session: Session, reference: str, position: int) -> ReportDelivery | None:
    """One receiver's delivery row of a report."""
    return session.scalar(_DELIVERY, {"reference": reference, "position": position})


def _set_once(session: Session, row: ReportDelivery, unset: str, values: dict[str, Any]) -> bool:
    """Set `values` on the row if its `unset` column is still empty; True if this call set them."""
    column = getattr(ReportDelivery, unset)
    names = list(dict.fromkeys([unset, *values]))
    returned = session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.id == row.id, column.is_(None))
        .values(values)
        .returning(*(getattr(ReportDelivery, name) for name in names))
        .execution_options(synchronize_session=False)
    ).first()
    if returned is None:  # someone set it first: what the database holds (only these columns; the report stays)
        session.refresh(row, attribute_names=names)
        return False
    for name, value in zip(names, returned, strict=True):  # what this statement stored, without asking again
        set_committed_value(row, name, value)
    return True


def mark_dialled(*, session: Session, row: ReportDelivery, now: datetime) -> None:
    """The caller is being put through to this receiver."""
    _set_once(session, row, "dialled_at", {"dialled_at": now})


def mark_connected(*, session: Session, row: ReportDelivery, answered_call_sid: str, now: datetime) -> None:
    """The receiver answered (the whisper started)."""
    _set_once(session, row, "connected_at", {"connected_at": now, "answered_call_sid": answered_call_sid})


def mark_acknowledged(*, session: Session, row: ReportDelivery, answered_call_sid: str, now: datetime) -> bool:
    """The answering person pressed 1: the receiver's acknowledgement; True if this press was the first."""
    mark_connected(session=session, row=row, answered_call_sid=answered_call_sid, now=now)
    return _set_once(
        session,
        row,
        "acknowledged_at",
        {"acknowledged_at": now, "outcome": func.coalesce(ReportDelivery.outcome, "acknowledged")},
    )


def mark_outcome(*, session: Session, row: ReportDelivery, outcome: str) -> None:
    """How the attempt to reach the receiver ended, if not acknowledged (closed, no_answer, not_accepted)."""
    _set_once(session, row, "outcome", {"outcome": outcome})


def unacknowledged_query(
    *,
    include_drill: bool = True,
    receiver_codes: Collection[str] | BindParameter[Any] | None = None,
    since: datetime | BindParameter[Any] | None = None,
) -> Select[Report, ReportDelivery]:
    """The one definition of "unacknowledged": a receiver (of `receiver_codes`, when given) that has not
    acknowledged a report that still stands (not cancelled), oldest first; with `since`, reports from then on.
    The codes and the moment may be bind parameters, for a statement built once and run with values."""
    cancellation = aliased(Report)
    query = (
        select(Report, ReportDelivery)
        .join(ReportDelivery, ReportDelivery.report_id == Report.id)
        .outerjoin(cancellation, cancellation.cancels == Report.reference)
        .where(Report.kind == ReportKind.REPORT, ReportDelivery.acknowledged_at.is_(None), cancellation.id.is_(None))
        .order_by(Report.official_at, Report.seq, ReportDelivery.position)
    )
    if not include_drill:
        query = query.where(Report.drill.is_(False))
    if isinstance(receiver_codes, BindParameter):
        query = query.where(ReportDelivery.receiver_code.in_(receiver_codes))
    elif receiver_codes is not None:
        query = query.where(ReportDelivery.receiver_code.in_(list(receiver_codes)))
    if since is not None:
        query = query.where(Report.official_at >= since)
    return query


def list_unacknowledged(
    *, session: Session, include_drill: bool = True, receiver_codes: Collection[str] | None = None
) -> list[tuple[Report, ReportDelivery]]:
    """Every receiver (of `receiver_codes`, when given) that has not acknowledged a report that still stands."""
    query = unacknowledged_query(include_drill=include_drill, receiver_codes=receiver_codes)
    return [(report, row) for report, row in session.execute(query)]
