"""The authorised export of reports (full patient numbers), one row per report and receiver; every export is logged."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.notes import event_name, local_iso
from ivr.reports.models import Report, ReportDelivery, ReportKind
from ivr.reports.service import seen_by

COLUMNS = (
    "reference",
    "event",
    "event_name",
    "official_time",
    "confirmation_time",
    "reporting_unit_code",
    "reporting_unit",
    "reporting_unit_phone",
    "receiver_code",
    "receiver",
    "patient_number",
    "patient_number_kind",
    "estimated_discharge_date",
    "new_date",
    "sip_date",
    "assessment",
    "doctor_name",
    "doctor_recording",
    "caller_name",
    "caller_name_recording",
    "connected_time",
    "acknowledged_time",
    "delivery_outcome",
    "drill",
    "duplicate_of",
    "cancelled_by_reference",
    "cancelled_by",
    "cancel_reason",
    "cancelled_time",
)
EVENT_DATA_COLUMNS = ("estimated_discharge_date", "new_date", "sip_date", "assessment", "doctor_name")


def export_rows(
    *,
    session: Session,
    timezone: ZoneInfo,
    start: datetime | None = None,
    end: datetime | None = None,
    receiver: str | None = None,
    reference: str | None = None,
    unit_codes: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Reports with an official time in [start, end), optionally to one receiver or of one reference, oldest first.

    With `unit_codes`, only reports that name one of those units as reporter or receiver.
    """
    query = (
        select(Report, ReportDelivery)
        .join(ReportDelivery, ReportDelivery.report_id == Report.id)
        .where(Report.kind == ReportKind.REPORT)
        .order_by(Report.official_at, Report.seq, ReportDelivery.position)
    )
    if start is not None:
        query = query.where(Report.official_at >= start)
    if end is not None:
        query = query.where(Report.official_at < end)
    if receiver is not None:
        query = query.where(ReportDelivery.receiver_code == receiver)
    if reference is not None:
        query = query.where(Report.reference == reference)
    if unit_codes is not None:
        query = query.where(seen_by(unit_codes))
    cancellations = {
        c.cancels: c
        for c in session.scalars(
            select(Report).where(Report.kind == ReportKind.CANCELLATION, Report.cancels.is_not(None))
        )
    }
    return [_row(report, row, cancellations.get(report.reference), timezone) for report, row in session.execute(query)]


def record_export(
    *, session: Session, actor: str, rows: list[dict[str, Any]], filters: dict[str, Any], now: datetime
) -> None:
    """The access log entry for an export: who, when, which filters and which reports' patient numbers."""
    references = sorted({row["reference"] for row in rows})
    record_audit(
        session=session,
        actor=actor,
        action="reports.export",
        subject=f"{len(references)} report(s)",
        detail={**filters, "rows": len(rows), "references": references},
        now=now,
    )


def to_json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON array."""
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header, every column always present."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("yes" if v is True else "no" if v is False else v) for k, v in row.items()})
    return buffer.getvalue()


def _row(report: Report, delivery: ReportDelivery, cancellation: Report | None, timezone: ZoneInfo) -> dict[str, Any]:
    data: dict[str, str] = json.loads(report.event_data or "{}")

    def local(moment: datetime | None) -> str | None:
        return local_iso(moment, timezone) if moment else None

    row: dict[str, Any] = {
        "reference": report.reference,
        "event": report.event,
        "event_name": event_name(report.event or ""),
        "official_time": local(report.official_at),
        "confirmation_time": local(report.confirmed_at),
        "reporting_unit_code": report.reporter_code,
        "reporting_unit": report.reporter_name,
        "reporting_unit_phone": report.reporter_phone,
        "receiver_code": delivery.receiver_code,
        "receiver": delivery.receiver_name,
        "patient_number": report.patient_number,
        "patient_number_kind": report.patient_number_kind,
        **{name: data.get(name) for name in EVENT_DATA_COLUMNS},
        "doctor_recording": data.get("doctor_recording"),
        "caller_name": report.caller_name,
        "caller_name_recording": report.caller_name_recording,
        "connected_time": local(delivery.connected_at),
        "acknowledged_time": local(delivery.acknowledged_at),
        "delivery_outcome": delivery.outcome,
        "drill": report.drill,
        "duplicate_of": report.duplicate_of,
        "cancelled_by_reference": cancellation.reference if cancellation else None,
        "cancelled_by": cancellation.made_by if cancellation else None,
        "cancel_reason": cancellation.reason if cancellation else None,
        "cancelled_time": local(cancellation.official_at) if cancellation else None,
    }
    return row
