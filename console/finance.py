"""The liability report per municipality: liable days per month as a bar chart, printable, and CSV for Excel.

It shows personnummer, so each opening and each CSV is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, abort, render_template, request

from console.access import me, require, scope
from console.blueprint import bp
from directory.lookup import find_units_by_kind
from ivr.liability.report import (
    LiabilityReport,
    build_liability_report,
    liable_days_by_month,
    record_liability_read,
    report_as_dict,
    report_to_excel_csv,
)
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session

MUNICIPALITY = "municipality"
CHART_HEIGHT = 160


@dataclass(frozen=True)
class Window:
    """Which municipalities and days the report covers, as asked for."""

    codes: list[str]
    chosen: str
    since: date
    until: date


def _window() -> Window:
    """The municipalities the user may see (one, if asked for) and the days; 404 for another municipality."""
    mine = [u for u in find_units_by_kind(session=get_session(), kind=MUNICIPALITY) if u.code in scope().unit_codes]
    chosen = request.args.get("municipality", "")
    codes = [u.code for u in mine]
    if chosen:
        if chosen not in codes:
            abort(404)
        codes = [chosen]
    today = now().astimezone(runtime().timezone).date()
    default_since = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    since = _date(request.args.get("since")) or default_since
    until = _date(request.args.get("until")) or today
    if until < since:
        abort(400)
    return Window(codes=codes, chosen=chosen, since=since, until=until)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        abort(400)


def _report(window: Window) -> LiabilityReport:
    rt = runtime()
    report = build_liability_report(
        session=get_session(),
        municipality_codes=window.codes,
        since=window.since,
        until=window.until,
        timezone=rt.timezone,
        rates=rt.rates,
        rules=rt.liability_rules,
        today=now().astimezone(rt.timezone).date(),
    )
    filters = {"from": window.since.isoformat(), "to": window.until.isoformat(), "municipalities": window.codes}
    record_liability_read(session=get_session(), actor=me().username, report=report, filters=filters, now=now())
    get_session().commit()
    return report


@bp.get("/liability")
@require(Permission.LIABILITY)
def liability() -> str:
    """The report on the page, with a chart of liable days per month for each municipality."""
    window = _window()
    report = _report(window)
    data = report_as_dict(report, rates_source=str(runtime().config.liability_rates_path))
    charts = {
        m.code: [
            (month, days, checking)
            for (month, days), (_, checking) in zip(
                liable_days_by_month(report, code=m.code),
                liable_days_by_month(report, code=m.code, to_check=True),
                strict=True,
            )
        ]
        for m in report.municipalities
    }
    municipalities = [
        u for u in find_units_by_kind(session=get_session(), kind=MUNICIPALITY) if u.code in scope().unit_codes
    ]
    return render_template(
        "liability.html",
        window=window,
        data=data,
        charts=charts,
        municipalities=municipalities,
        chart_height=CHART_HEIGHT,
    )


@bp.get("/liability.csv")
@require(Permission.LIABILITY)
def liability_csv() -> Response:
    """The same report as CSV for Swedish Excel (semicolons, decimal commas, UTF-8 with BOM)."""
    report = _report(_window())
    body = report_to_excel_csv(report_as_dict(report, rates_source=str(runtime().config.liability_rates_path)))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="betalningsansvar.csv"', "Cache-Control": "no-store"},
    )
