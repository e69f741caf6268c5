"""The liability report: the stored reports grouped into stays per patient and municipality, priced per day.

Stays whose 5 kap. 3 § conditions are shown by the reports are listed as chargeable; the others are listed
apart, "to check", with the same computation, and never counted in the chargeable totals. The report shows
full patient numbers, so producing it is written to the access log (PDL 4 kap. 3 §).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.lookup import find_unit_by_code
from ivr.audit.service import record_audit
from ivr.liability.rates import RateSpan, RateTable
from ivr.liability.rules import LiabilityRule, LiabilityRules
from ivr.liability.stays import (
    LiablePeriod,
    StayEvent,
    StayEventKind,
    StayLiability,
    counted_events,
    split_stays,
    stay_liability,
)
from ivr.notes import local_iso
from ivr.reports.events import Assessment, Event
from ivr.reports.models import Report, ReportKind
from ivr.spreadsheet import excel_csv

MUNICIPALITY = "municipality"
CSV_COLUMNS = (
    "row",
    "municipality_code",
    "municipality",
    "section",
    "patient_number",
    "references",
    "discharge_ready_reference",
    "discharge_ready_time",
    "after_cutoff",
    "first_liable_day",
    "status",
    "liability_ended",
    "days",
    "amount_sek",
    "rate_missing_days",
    "rates",
    "admission",
    "discharge_ready",
    "sip_invitation",
    "agreement",
    "stays",
)


@dataclass(frozen=True)
class MunicipalityLiability:
    """One municipality's stays in the report window: chargeable and to check."""

    code: str
    name: str
    chargeable: tuple[StayLiability, ...]
    to_check: tuple[StayLiability, ...]


@dataclass(frozen=True)
class LiabilityReport:
    """Every municipality asked for, over the days `since` to `until` (both inclusive, Swedish dates)."""

    since: date
    until: date
    timezone: ZoneInfo
    municipalities: tuple[MunicipalityLiability, ...]
    counted_until: date | None = None  # the last day counted: `until`, or today when `until` has not come yet

    @property
    def references(self) -> list[str]:
        """Every report whose patient number the report shows."""
        return sorted({ref for m in self.municipalities for s in (*m.chargeable, *m.to_check) for ref in s.references})


def build_liability_report(
    *,
    session: Session,
    municipality_codes: Iterable[str] | None,
    since: date,
    until: date,
    timezone: ZoneInfo,
    rates: RateTable,
    rules: LiabilityRules,
    today: date | None = None,
) -> LiabilityReport:
    """Group the stored reports into stays and compute each stay's liability; None means every municipality.

    With `today`, days after it are not counted (a patient still admitted is liable to date, not to the end of
    the month asked for).
    """
    wanted = None if municipality_codes is None else set(municipality_codes)
    counted_until = until if today is None else min(until, today)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=timezone)
    reports = session.scalars(
        select(Report)
        .where(Report.kind == ReportKind.REPORT, Report.drill.is_(False), Report.official_at < end)
        .order_by(Report.official_at, Report.seq)
    ).all()
    cancelled = set(
        session.scalars(
            select(Report.cancels).where(Report.kind == ReportKind.CANCELLATION, Report.cancels.is_not(None))
        )
    )
    grouped: dict[tuple[str, str], list[Report]] = defaultdict(list)
    names: dict[str, str] = {}
    for report in reports:
        if report.patient_number is None:
            continue
        for code, name in _municipalities(report):
            if wanted is None or code in wanted:
                grouped[(code, report.patient_number)].append(report)
                names.setdefault(code, name)
    per_municipality: dict[str, list[StayLiability]] = defaultdict(list)
    for (code, patient), stay_reports in sorted(grouped.items()):
        line_key = stay_reports[0].line_key
        rule = rules.for_agreement(line_key, code)
        events = [_stay_event(r, cancelled) for r in stay_reports]
        for stay in split_stays(patient, code, events):
            result = stay_liability(stay, rule=rule, rates=rates, timezone=timezone, until=counted_until, since=since)
            if _belongs_in_window(result, since=since, until=until, timezone=timezone):
                per_municipality[code].append(result)
    codes = sorted(per_municipality) if wanted is None else sorted(wanted)
    for code in codes:
        if code not in names:  # asked for, but no report names it: take the name from the directory
            unit = find_unit_by_code(session=session, code=code)
            names[code] = unit.name if unit is not None else ""
    return LiabilityReport(
        since=since,
        until=until,
        counted_until=counted_until,
        timezone=timezone,
        municipalities=tuple(
            MunicipalityLiability(
                code=code,
                name=names.get(code, ""),
                chargeable=tuple(s for s in per_municipality.get(code, []) if s.chargeable),
                to_check=tuple(s for s in per_municipality.get(code, []) if not s.chargeable),
            )
            for code in codes
        ),
    )


def _municipalities(report: Report) -> list[tuple[str, str]]:
    """The municipalities a report concerns: its municipality receivers, or the municipality that reported."""
    if report.reporter_kind == MUNICIPALITY and report.reporter_code:
        return [(report.reporter_code, report.reporter_name or "")]
    return [(d.receiver_code, d.receiver_name) for d in report.deliveries if d.receiver_kind == MUNICIPALITY]


def _stay_event(report: Report, cancelled: set[str | None]) -> StayEvent:
    # A repeat of an earlier report that still stands is the same notice, not a new one.
    repeat = report.duplicate_of is not None and report.duplicate_of not in cancelled
    return StayEvent(
        kind=_kind(report),
        at=report.official_at,
        reference=report.reference,
        drill=report.drill,
        cancelled=report.reference in cancelled or repeat,
    )


def _kind(report: Report) -> StayEventKind:
    event = report.event
    if event == Event.ADMISSION:
        return StayEventKind.ADMISSION
    if event == Event.DISCHARGE_READY:
        return StayEventKind.DISCHARGE_READY
    if event == Event.DISCHARGE:
        return StayEventKind.DISCHARGE
    if event == Event.SIP_MEETING:
        return StayEventKind.SIP_INVITATION
    if event == Event.CHANGED_ASSESSMENT:
        # Both "no longer discharge-ready" and "discharge-ready from a new date" withdraw the standing notice;
        # the clock starts again with the next discharge-ready report.
        assessment = json.loads(report.event_data or "{}").get("assessment")
        if assessment in (Assessment.NO_LONGER_READY, Assessment.NEW_DATE):
            return StayEventKind.WITHDRAWN
    return StayEventKind.OTHER


def _belongs_in_window(result: StayLiability, *, since: date, until: date, timezone: ZoneInfo) -> bool:
    """A stay with a discharge-ready report that is liable in the window or was reported in it."""
    if not result.periods:
        return False
    counted = counted_events(result.stay)
    reported_in_window = any(since <= e.at.astimezone(timezone).date() <= until for e in counted)
    return bool(result.liable_days) or reported_in_window


# ---- output ------------------------------------------------------------------------------------------------


def report_as_dict(report: LiabilityReport, *, rates_source: str) -> dict[str, Any]:
    """The whole report as plain data (JSON): per municipality its stays and totals."""
    return {
        "from": report.since.isoformat(),
        "to": report.until.isoformat(),
        "counted_to": (report.counted_until or report.until).isoformat(),
        "timezone": str(report.timezone),
        "rates_file": rates_source,
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "chargeable": [stay_as_dict(s, report.timezone) for s in m.chargeable],
                "to_check": [stay_as_dict(s, report.timezone) for s in m.to_check],
                "totals": {"chargeable": _totals(m.chargeable), "to_check": _totals(m.to_check)},
            }
            for m in report.municipalities
        ],
    }


def stay_as_dict(stay: StayLiability, timezone: ZoneInfo) -> dict[str, Any]:
    """One stay: references, the standing discharge-ready notice, first liable day, days, amount, conditions."""
    latest = stay.periods[-1]
    conditions = stay.conditions
    return {
        "patient_number": stay.stay.patient_number,
        "references": list(stay.references),
        "agreement": rule_as_dict(stay.rule),
        "discharge_ready_reference": latest.discharge_ready_reference,
        "discharge_ready_time": local_iso(latest.discharge_ready_at, timezone),
        "after_cutoff": latest.after_cutoff,
        "first_liable_day": latest.first_liable_day.isoformat(),
        "status": "still_admitted" if stay.still_admitted else "discharged",
        "periods": [_period_as_dict(p, timezone) for p in stay.periods],
        "days": stay.days,
        "amount_sek": stay.amount_sek,
        "rate_missing_days": stay.rate_missing_days,
        "amount_complete": stay.rate_missing_days == 0,
        "rates": [_span_as_dict(span) for span in stay.spans],
        "conditions": {
            "admission": conditions.admission.value,
            "admission_reference": conditions.admission_reference,
            "discharge_ready": conditions.discharge_ready.value,
            "discharge_ready_reference": conditions.discharge_ready_reference,
            "sip_invitation": conditions.sip_invitation.value,
            "sip_reference": conditions.sip_reference,
            "shown_met": conditions.shown_met,
        },
    }


def rule_as_dict(rule: LiabilityRule) -> dict[str, Any]:
    """An agreement's settings as plain data."""
    return {
        "name": rule.agreement,
        "grace_days": rule.grace_days,
        "cutoff": rule.cutoff.strftime("%H:%M"),
        "counting": rule.counting.value,
        "discharge_day_counts": rule.discharge_day_counts,
    }


def _period_as_dict(period: LiablePeriod, timezone: ZoneInfo) -> dict[str, Any]:
    return {
        "discharge_ready_reference": period.discharge_ready_reference,
        "discharge_ready_time": local_iso(period.discharge_ready_at, timezone),
        "after_cutoff": period.after_cutoff,
        "first_liable_day": period.first_liable_day.isoformat(),
        "ended_by": period.end.value,
        "end_reference": period.end_reference,
        "end_day": period.end_day.isoformat(),
        "last_liable_day": period.last_liable_day.isoformat() if period.last_liable_day else None,
        "days": period.days,
    }


def _span_as_dict(span: RateSpan) -> dict[str, Any]:
    return {
        "from": span.first_day.isoformat(),
        "to": span.last_day.isoformat(),
        "days": span.days,
        "rate": "missing" if span.rate is None else "entered",
        "sek_per_day": None if span.rate is None else span.rate.sek,
        "amount_sek": span.amount_sek,
        "source": None if span.rate is None else span.rate.source,
    }


def _totals(stays: Iterable[StayLiability]) -> dict[str, Any]:
    stays = list(stays)
    missing = sum(s.rate_missing_days for s in stays)
    return {
        "stays": len(stays),
        "days": sum(s.days for s in stays),
        "amount_sek": sum(s.amount_sek for s in stays),
        "rate_missing_days": missing,
        "amount_complete": missing == 0,
    }


def report_to_csv(data: Mapping[str, Any]) -> str:
    """The report as CSV: one row per stay, then one totals row per municipality and section."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report_rows(data):
        writer.writerow(row)
    return buffer.getvalue()


def report_to_excel_csv(data: Mapping[str, Any]) -> bytes:
    """The same rows as `report_to_csv`, for Swedish Excel (semicolons, decimal commas, UTF-8 with BOM)."""
    return excel_csv(CSV_COLUMNS, ([row.get(c) for c in CSV_COLUMNS] for row in report_rows(data)))


def report_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows of a report as plain data: one per stay, then the totals per municipality and section."""
    rows: list[dict[str, Any]] = []
    for municipality in data["municipalities"]:
        where = {"municipality_code": municipality["code"], "municipality": municipality["name"]}
        for section in ("chargeable", "to_check"):
            for stay in municipality[section]:
                rows.append({"row": "stay", **where, "section": section, **_csv_stay(stay)})
        for section in ("chargeable", "to_check"):
            totals = municipality["totals"][section]
            rows.append(
                {
                    "row": "total",
                    **where,
                    "section": section,
                    "days": totals["days"],
                    "amount_sek": totals["amount_sek"],
                    "rate_missing_days": totals["rate_missing_days"],
                    "stays": totals["stays"],
                }
            )
    return rows


def liable_days_by_month(
    report: LiabilityReport, *, code: str | None = None, to_check: bool = False
) -> list[tuple[str, int]]:
    """Liable days per calendar month ("2026-11") in the window, of one municipality or all, in order.

    The chargeable stays' days, or with `to_check` those of the stays kept apart for checking.
    """
    counts: dict[str, int] = {}
    month = report.since.replace(day=1)
    while month <= report.until:  # every month of the window, also those without a liable day
        counts[month.strftime("%Y-%m")] = 0
        month = (month + timedelta(days=32)).replace(day=1)
    for municipality in report.municipalities:
        if code is not None and municipality.code != code:
            continue
        for stay in municipality.to_check if to_check else municipality.chargeable:
            for day in stay.liable_days:
                key = day.strftime("%Y-%m")
                counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items())


def _csv_stay(stay: Mapping[str, Any]) -> dict[str, Any]:
    conditions = stay["conditions"]
    return {
        "patient_number": stay["patient_number"],
        "references": " ".join(stay["references"]),
        "discharge_ready_reference": stay["discharge_ready_reference"],
        "discharge_ready_time": stay["discharge_ready_time"],
        "after_cutoff": "yes" if stay["after_cutoff"] else "no",
        "first_liable_day": stay["first_liable_day"],
        "status": stay["status"],
        "liability_ended": " ".join(f"{p['ended_by']} {p['end_day']}" for p in stay["periods"]),
        "days": stay["days"],
        "amount_sek": stay["amount_sek"],
        "rate_missing_days": stay["rate_missing_days"],
        "rates": "; ".join(_csv_span(span) for span in stay["rates"]),
        "admission": conditions["admission"],
        "discharge_ready": conditions["discharge_ready"],
        "sip_invitation": conditions["sip_invitation"],
        "agreement": stay["agreement"]["name"],
        "stays": 1,
    }


def _csv_span(span: Mapping[str, Any]) -> str:
    days = f"{span['from']}–{span['to']}: {span['days']} d"
    if span["rate"] == "missing":
        return f"{days} rate missing"
    return f"{days} × {span['sek_per_day']} = {span['amount_sek']} SEK ({span['source']})"


def record_liability_read(
    *, session: Session, actor: str, report: LiabilityReport, filters: Mapping[str, Any], now: datetime
) -> None:
    """The access log entry for a liability report: who, when, the filters and whose reports' numbers it shows."""
    references = report.references
    record_audit(
        session=session,
        actor=actor,
        action="liability.report",
        subject=f"{len(references)} report(s)",
        detail={**filters, "references": references},
        now=now,
    )
