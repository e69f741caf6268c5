"""Outage control (start, end, planned windows, drills) and the fault schedule (status, override, reset)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from console.access import me, require, scope
from console.blueprint import bp
from console.filters import parse_moment
from ivr.lines.models import Line
from ivr.lines.service import code_numbers
from ivr.outages.service import (
    AnyOutage,
    OutageError,
    current_outages,
    end_outages,
    list_outages,
    outage_as_dict,
    start_outage,
    upcoming_outages,
)
from ivr.schedule.models import TARGETS
from ivr.schedule.service import decide, decision_as_dict, reset_override, set_override
from ivr.users.roles import Permission
from ivr.web.context import now, runtime
from ivr.web.session import get_session


def _my_lines() -> list[Line]:
    lines = runtime().lines
    return [line for key in scope().line_keys if (line := lines.by_key(key)) is not None]


def _my_line(key: str) -> Line:
    """One of the user's lines; 404 for any other."""
    line = next((line for line in _my_lines() if line.key == key), None)
    if line is None:
        abort(404)
    return line


@bp.get("/outages")
@require(Permission.OUTAGES)
def outages(problem: str | None = None) -> str:
    """Outages of the user's lines: in progress, planned, the latest; and the form to start one."""
    db, moment, timezone, lines = get_session(), now(), runtime().timezone, _my_lines()
    keys = [line.key for line in lines]

    def shown(items: Sequence[AnyOutage]) -> list[dict[str, Any]]:
        return [
            outage_as_dict(o, line=runtime().lines.by_key(o.line_key), now=moment, timezone=timezone) for o in items
        ]

    current = [o for o in current_outages(session=db, line_key=None, now=moment) if o.line_key in keys]
    upcoming = [o for o in upcoming_outages(session=db, line_key=None, now=moment) if o.line_key in keys]
    return render_template(
        "outages.html",
        lines=lines,
        current=shown(list(current)),
        upcoming=shown(list(upcoming)),
        recent=shown(list(list_outages(session=db, line_keys=keys, limit=20))),
        problem=problem,
    )


@bp.post("/outages")
@require(Permission.OUTAGES)
def start() -> Response | tuple[str, int]:
    """Start an outage now, or plan a window; a drill if ticked."""
    line = _my_line(request.form.get("line", ""))
    timezone = runtime().timezone
    planned = request.form.get("planned") == "1"
    starts = parse_moment(request.form.get("from"), timezone)
    ends = parse_moment(request.form.get("to"), timezone)
    if (request.form.get("from") and starts is None) or (request.form.get("to") and ends is None):
        return outages(problem="outages.bad_time"), 400
    db = get_session()
    try:
        start_outage(
            session=db,
            line=line,
            system=request.form.get("system", ""),
            actor=me().username,
            now=now(),
            starts_at=starts,
            ends_at=ends,
            planned=planned,
            drill=request.form.get("drill") == "1",
            timezone=timezone,
        )
    except OutageError:
        db.rollback()
        return outages(problem="outages.invalid"), 400
    db.commit()
    flash("outages.started_now", "info")
    return redirect(url_for("console.outages"))


@bp.post("/outages/<int:outage_id>/end")
@require(Permission.OUTAGES)
def end(outage_id: int) -> Response:
    """End an outage in progress (or cancel a planned one) on one of the user's lines."""
    line = _my_line(request.form.get("line", ""))
    db = get_session()
    try:
        end_outages(session=db, line=line, actor=me().username, now=now(), outage_id=outage_id)
    except OutageError:
        db.rollback()
        abort(404)
    db.commit()
    flash("outages.ended_now", "info")
    return redirect(url_for("console.outages"))


@bp.get("/schedule")
@require(Permission.SCHEDULE)
def schedule() -> str:
    """Where fault reports go now on each of the user's lines, why and until when."""
    db, timezone = get_session(), runtime().timezone
    status = [
        decision_as_dict(
            line,
            decide(session=db, line=line, now=now(), timezone=timezone),
            numbers=code_numbers(session=db, line=line),
            timezone=timezone,
        )
        for line in _my_lines()
    ]
    return render_template("schedule.html", status=status, targets=TARGETS, lines=_my_lines())


@bp.post("/schedule/<line_key>/override")
@require(Permission.SCHEDULE)
def override(line_key: str) -> Response:
    """Force the help desk or the standby: until the next scheduled change, or until reset."""
    line = _my_line(line_key)
    target = request.form.get("target", "")
    if target not in TARGETS:
        abort(400)
    db = get_session()
    set_override(
        session=db,
        line=line,
        target=target,
        until_reset=request.form.get("until_reset") == "1",
        actor=me().username,
        now=now(),
        timezone=runtime().timezone,
        note=request.form.get("note", "")[:200],
    )
    db.commit()
    flash("schedule.overridden_now", "info")
    return redirect(url_for("console.schedule"))


@bp.post("/schedule/<line_key>/reset")
@require(Permission.SCHEDULE)
def reset(line_key: str) -> Response:
    """Back to the schedule."""
    line = _my_line(line_key)
    db = get_session()
    reset_override(session=db, line=line, actor=me().username, now=now())
    db.commit()
    flash("schedule.reset_now", "info")
    return redirect(url_for("console.schedule"))
