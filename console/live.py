"""The live log (reports and fault tickets, refreshed without a reload), and the export of reports."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from console.access import me, require, scope
from console.blueprint import bp
from console.filters import TICKETS_ONLY, LiveFilter, live_filter
from ivr.faults.service import list_tickets
from ivr.notes import EVENT_NAMES
from ivr.reports.export import COLUMNS, export_rows, record_export
from ivr.reports.service import EntryFilter, list_entries
from ivr.spreadsheet import excel_csv
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session

LIVE_ROWS = 200
REFRESH_SECONDS = 5


def _rows(where: LiveFilter) -> list[dict[str, Any]]:
    """Reports and tickets the user may see, newest first, as the table shows them."""
    timezone, user, seen = runtime().timezone, me(), scope()
    rows: list[dict[str, Any]] = []
    if user.may(Permission.REPORTS) and not where.tickets_only:
        entries = list_entries(
            session=get_session(),
            timezone=timezone,
            where=EntryFilter(
                start=where.start,
                end=where.end,
                event=where.event,
                receiver=where.receiver,
                acknowledged=where.acknowledged,
                unit_codes=seen.unit_codes,
            ),
            newest_first=True,
            limit=LIVE_ROWS,
        )
        rows += [{"source": "report", "time": e["official_time"], **e} for e in entries]
    if user.may(Permission.TICKETS) and where.shows_tickets:
        tickets = list_tickets(
            session=get_session(), line_keys=seen.line_keys, start=where.start, end=where.end, limit=LIVE_ROWS
        )
        rows += [
            {"source": "ticket", "time": t.filed_at.astimezone(timezone).isoformat() if t.filed_at else "", "ticket": t}
            for t in tickets
        ]
    rows.sort(key=lambda row: row["time"], reverse=True)
    return rows[:LIVE_ROWS]


@bp.get("/")
@require(Permission.LIVE)
def live() -> str:
    """The live log with its filters."""
    where = live_filter(request.args, runtime().timezone)
    return render_template(
        "live.html",
        where=where,
        rows=_rows(where),
        events=EVENT_NAMES,
        tickets_only=TICKETS_ONLY,
        stamp=now(),
        interval=REFRESH_SECONDS,
    )


@bp.get("/live/rows")
@require(Permission.LIVE)
def live_rows() -> str:
    """Just the rows, for the page's refresh."""
    where = live_filter(request.args, runtime().timezone)
    return render_template("live_rows.html", rows=_rows(where), stamp=now())


@bp.get("/reports/export.csv")
@require(Permission.EXPORT)
def export() -> Response:
    """The organisation's reports with personnummer, for Excel; written to the access log."""
    where = live_filter(request.args, runtime().timezone)
    db = get_session()
    rows = export_rows(
        session=db,
        timezone=runtime().timezone,
        start=where.start,
        end=where.end,
        receiver=where.receiver,
        unit_codes=scope().unit_codes,
    )
    filters = {"format": "csv", "from": where.raw["from"], "to": where.raw["to"], "receiver": where.receiver}
    record_export(session=db, actor=me().username, rows=rows, filters={**filters, "via": "console"}, now=now())
    db.commit()
    body = excel_csv(COLUMNS, ([row.get(c) for c in COLUMNS] for row in rows))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="rapporter.csv"', "Cache-Control": "no-store"},
    )
