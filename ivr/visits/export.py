"""The visits export, per employee or per client, ready to copy into TES: CSV with Swedish headings, or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ivr.notes import VISIT_EXPORT_HEADINGS, VISIT_NO, VISIT_NO_TIME, VISIT_YES, local_iso, visit_remark
from ivr.visits.record import Visit
from ivr.visits.register import VisitRegister

PER_EMPLOYEE = "employee"
PER_CLIENT = "client"


def sort_visits(visits: Sequence[Visit], per: str) -> list[Visit]:
    """Visits grouped per employee (by name) or per client (by code), each group in time order."""
    if per == PER_CLIENT:
        return sorted(visits, key=lambda v: (v.client_code, v.first_at, v.entry_id))
    return sorted(visits, key=lambda v: (v.staff_name.casefold(), v.staff_id, v.first_at, v.entry_id))


def export_rows(visits: Sequence[Visit], register: VisitRegister, timezone: ZoneInfo, per: str) -> list[dict[str, Any]]:
    """One row per visit: the date, start and end in Swedish time (HH:MM), the interventions, what is missing."""
    return [
        {
            "reference": visit.reference,
            "staff": visit.staff_name,
            "staff_id": visit.staff_id,
            "team": register.team_name(visit.team_code),
            "client": visit.client_code,
            "date": visit.first_at.astimezone(timezone).date().isoformat(),
            "start": clock(visit.start_at, timezone),
            "end": clock(visit.end_at, timezone),
            "minutes": visit.minutes,
            "interventions": "; ".join(f"{i.code} {i.name}" for i in visit.interventions),
            "remarks": "; ".join(visit_remark(flag) for flag in visit.flags),
            "corrected": bool(visit.corrections),
            "drill": visit.drill,
            "start_at": _iso(visit.start_at, timezone),
            "end_at": _iso(visit.end_at, timezone),
        }
        for visit in sort_visits(visits, per)
    ]


def clock(moment: datetime | None, timezone: ZoneInfo) -> str:
    """A time as TES takes it, "08:05" in Swedish time ("?" when it was never registered)."""
    return VISIT_NO_TIME if moment is None else moment.astimezone(timezone).strftime("%H:%M")


def rows_as_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The export as CSV, one column per heading (ivr.notes.VISIT_EXPORT_HEADINGS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VISIT_EXPORT_HEADINGS.values())
    for row in rows:
        writer.writerow(_cell(row[key]) for key in VISIT_EXPORT_HEADINGS)
    return buffer.getvalue()


def rows_as_json(rows: Sequence[dict[str, Any]]) -> str:
    """The export as a JSON array (English keys, plus the exact times with their offset)."""
    return json.dumps(list(rows), ensure_ascii=False, indent=2)


def _cell(value: object) -> object:
    if value is True:
        return VISIT_YES
    if value is False:
        return VISIT_NO
    return "" if value is None else value


def _iso(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    return None if moment is None else local_iso(moment, timezone)
