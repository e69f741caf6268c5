"""The worklist as plain data: JSON for `ivr worklist list`, and the export (CSV or JSON), without patient data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ivr.lines.models import Lines
from ivr.notes import VISITS_FOR_ADMINISTRATOR, VISITS_PER_EMPLOYEE, local_iso
from ivr.outages.service import post_registration_as_dict
from ivr.visits.register import VisitRegister
from ivr.worklist.service import OPEN, OutageWorklist, StaffVisits, WorkItem, build_worklists


def open_worklists(
    *,
    session: Session,
    now: datetime,
    timezone: ZoneInfo,
    lines: Lines | None = None,
    visits: VisitRegister | None = None,
    line_key: str | None = None,
) -> list[dict[str, Any]]:
    """Ended outages (and reports outside any outage) that still have open items: for `ivr outage status`."""
    lists = build_worklists(session=session, now=now, timezone=timezone, lines=lines, visits=visits, line_key=line_key)
    return [
        {
            "outage": w.outage_id,
            "line": w.line_key,
            "system": w.system,
            "ended_at": _local(w.ends_at, timezone),
            "open": w.open_items,
            "total": len(w.all_items),
        }
        for w in lists
        if w.open_items
    ]


def worklist_as_dict(worklist: OutageWorklist, timezone: ZoneInfo, *, only_open: bool = False) -> dict[str, Any]:
    """An outage's worklist as plain data for JSON."""
    items = [i for i in worklist.items if i.state == OPEN] if only_open else list(worklist.items)
    return {
        "outage": None
        if worklist.outage_id is None
        else {
            "id": worklist.outage_id,
            "line": worklist.line_key,
            "system": worklist.system,
            "from": _local(worklist.starts_at, timezone),
            "to": _local(worklist.ends_at, timezone),
            "lasted_minutes": None if worklist.lasted is None else int(worklist.lasted.total_seconds() // 60),
            "drill": worklist.drill,
        },
        "line": worklist.line_key,
        "outside_recorded_outage": worklist.outage_id is None,
        "post_registration": post_registration_as_dict(worklist.post_registration),
        "open": worklist.open_items,
        "total": len(worklist.all_items),
        "items": [item_as_dict(i, timezone) for i in items],
        "visits": _visits_as_dict(worklist.visits, timezone, only_open=only_open),
    }


def _visits_as_dict(groups: Sequence[StaffVisits], timezone: ZoneInfo, *, only_open: bool) -> dict[str, Any]:
    """Visits per employee who post-registers them, and the administrator's list (each with its heading)."""

    def group_as_dict(group: StaffVisits) -> dict[str, Any]:
        items = [i for i in group.items if i.state == OPEN] if only_open else list(group.items)
        return {
            "staff": {"id": group.staff_id, "name": group.name},
            "team": {"code": group.team_code, "name": group.team_name},
            "items": [item_as_dict(i, timezone) for i in items],
        }

    def listed(administrator: bool) -> list[dict[str, Any]]:
        found = [group_as_dict(g) for g in groups if g.to_administrator == administrator]
        return [g for g in found if g["items"]]

    return {
        "per_employee": {"heading": VISITS_PER_EMPLOYEE, "staff": listed(False)},
        "administrator": {"heading": VISITS_FOR_ADMINISTRATOR, "staff": listed(True)},
    }


def item_as_dict(item: WorkItem, timezone: ZoneInfo) -> dict[str, Any]:
    """One item as plain data: what, when, the note to enter, and who marked it done."""
    done = item.done
    return {
        "source": item.source,
        "reference": item.reference,
        "made_at": _local(item.made_at, timezone),
        "title": item.title,
        "note": item.note,
        "state": item.state,
        "done_by": done.by if done else None,
        "done_at": _local(done.at, timezone) if done else None,
        "cancelled_by": item.cancelled_by,
        "drill": item.drill,
        "markings": [
            {"action": m.action, "at": _local(m.at, timezone), "by": m.by, "reason": m.reason} for m in item.markings
        ],
    }


def _local(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    return None if moment is None else local_iso(moment, timezone)


EXPORT_COLUMNS = (
    "outage_id",
    "line",
    "system",
    "outage_from",
    "outage_to",
    "source",
    "reference",
    "made_at",
    "title",
    "note",
    "state",
    "done_by",
    "done_at",
    "cancelled_by",
    "drill",
)


def export_rows(lists: Sequence[OutageWorklist], timezone: ZoneInfo) -> list[dict[str, Any]]:
    """One flat row per item, for the export."""
    rows = []
    for worklist in lists:
        for item in worklist.all_items:
            data = item_as_dict(item, timezone)
            rows.append(
                {
                    "outage_id": worklist.outage_id,
                    "line": worklist.line_key,
                    "system": worklist.system,
                    "outage_from": _local(worklist.starts_at, timezone),
                    "outage_to": _local(worklist.ends_at, timezone),
                    **{k: data[k] for k in EXPORT_COLUMNS if k in data},
                }
            )
    return rows


def rows_as_json(rows: list[dict[str, Any]]) -> str:
    """The export as a JSON array."""
    return json.dumps(rows, ensure_ascii=False, indent=2)


def rows_as_csv(rows: list[dict[str, Any]]) -> str:
    """The export as CSV with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("yes" if v is True else "no" if v is False else v) for k, v in row.items()})
    return buffer.getvalue()
