"""Time-of-day routing: is a line's help desk open, or does the standby take fault reports?

The schedule is wall-clock time in Sweden (so a DST change never shifts it): the line's help-desk hours on
working days; Swedish public holidays, midsommarafton, julafton, nyårsafton and the line's extra closed dates
are standby all day. A manual override forces one target, either until the next scheduled change or until reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.hours import parse_hours
from ivr.audit.service import record_audit
from ivr.calendar import holiday_name, is_working_day
from ivr.lines.models import Line
from ivr.notes import local_iso
from ivr.schedule.models import HELP_DESK, STANDBY, TARGETS, ScheduleOverride

LOOKAHEAD_DAYS = 40  # longer than any run of closed days (Christmas to Epiphany)


@dataclass(frozen=True)
class Decision:
    """Where fault reports go now, why, and until when (None: until an override is reset)."""

    target: str
    reason: str
    why: str
    until: datetime | None
    override: ScheduleOverride | None


def closed_day_reason(line: Line, day: date) -> str | None:
    """Why the help desk is closed all day (a holiday's name, weekend, extra closed date), or None."""
    if day in line.extra_closed_dates:
        return "extra closed date"
    name = holiday_name(day)
    if name:
        return name
    if not is_working_day(day):
        return "weekend"
    return None


SCHEDULE_REASONS = ("opening hours", "outside opening hours", "weekend", "extra closed date")


def why_text(decision: Decision) -> str:
    """The reason as an operator reads it, in one language: a holiday's Swedish name is named as a holiday."""
    if decision.reason == "override" or decision.why in SCHEDULE_REASONS:
        return decision.why
    return f"public holiday or eve: {decision.why}"


def scheduled_target(line: Line, local: datetime) -> tuple[str, str]:
    """The schedule's target at a local wall-clock time, with the reason."""
    closed = closed_day_reason(line, local.date())
    if closed is not None:
        return STANDBY, closed
    if parse_hours(line.help_desk_hours).is_open(local):
        return HELP_DESK, "opening hours"
    return STANDBY, "outside opening hours"


def next_scheduled_change(line: Line, now: datetime, timezone: ZoneInfo) -> datetime:
    """The next moment (UTC) the schedule switches target; boundaries are local wall-clock times."""
    local = now.astimezone(timezone)
    current, _ = scheduled_target(line, local)
    hours = parse_hours(line.help_desk_hours)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        moments = sorted({w.opens for w in hours.windows} | {w.closes for w in hours.windows})
        candidates = [datetime.combine(day, t, tzinfo=timezone) for t in moments]
        candidates.append(datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=timezone))
        for candidate in candidates:
            if candidate > local and scheduled_target(line, candidate)[0] != current:
                return candidate.astimezone(UTC)
    return (local + timedelta(days=LOOKAHEAD_DAYS)).astimezone(UTC)


def active_override(*, session: Session, line_key: str, now: datetime) -> ScheduleOverride | None:
    """The override in force for a line now, if any (the newest one wins)."""
    query = (
        select(ScheduleOverride)
        .where(ScheduleOverride.line_key == line_key, ScheduleOverride.cleared_at.is_(None))
        .where(or_(ScheduleOverride.until.is_(None), ScheduleOverride.until > now))
        .order_by(ScheduleOverride.id.desc())
    )
    return session.scalars(query).first()


def decide(*, session: Session, line: Line, now: datetime, timezone: ZoneInfo) -> Decision:
    """Where a fault report on this line goes now, why and until when."""
    override = active_override(session=session, line_key=line.key, now=now)
    if override is not None:
        kind = "until reset" if override.until_reset else "temporary"
        why = f"manual override ({kind}) by {override.set_by}" + (f": {override.note}" if override.note else "")
        return Decision(override.target, "override", why, override.until, override)
    target, why = scheduled_target(line, now.astimezone(timezone))
    return Decision(target, "schedule", why, next_scheduled_change(line, now, timezone), None)


def set_override(
    *,
    session: Session,
    line: Line,
    target: str,
    until_reset: bool,
    actor: str,
    now: datetime,
    timezone: ZoneInfo,
    note: str = "",
) -> ScheduleOverride:
    """Force a target: temporary (reverts at the next scheduled change) or until reset; replaces any other; audited."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    _clear(session=session, line=line, actor=actor, now=now)
    until = None if until_reset else next_scheduled_change(line, now, timezone)
    override = ScheduleOverride(
        line_key=line.key,
        target=target,
        until_reset=until_reset,
        until=until,
        note=note[:200],
        set_at=now,
        set_by=actor,
    )
    session.add(override)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="schedule.override",
        subject=f"line:{line.key}",
        detail={"target": target, "until_reset": until_reset, "until": until, "note": note},
        now=now,
    )
    return override


def reset_override(*, session: Session, line: Line, actor: str, now: datetime) -> int:
    """End every override in force on the line (back to the schedule); audited; returns how many ended."""
    count = _clear(session=session, line=line, actor=actor, now=now)
    record_audit(
        session=session,
        actor=actor,
        action="schedule.reset",
        subject=f"line:{line.key}",
        detail={"cleared": count},
        now=now,
    )
    return count


def decision_as_dict(
    line: Line, decision: Decision, *, numbers: dict[str, str | None], timezone: ZoneInfo
) -> dict[str, Any]:
    """A line's routing as plain data for `ivr schedule status --json`."""
    code = line.help_desk_code if decision.target == HELP_DESK else line.standby_code
    override = decision.override
    return {
        "line": line.key,
        "target": decision.target,
        "code": code,
        "number": numbers.get(code),
        "reason": decision.reason,
        "why": decision.why,
        "why_text": why_text(decision),
        "until": None if decision.until is None else local_iso(decision.until, timezone),
        "override": None
        if override is None
        else {
            "target": override.target,
            "until_reset": override.until_reset,
            "set_by": override.set_by,
            "set_at": local_iso(override.set_at, timezone),
            "note": override.note,
        },
    }


def _clear(*, session: Session, line: Line, actor: str, now: datetime) -> int:
    count = 0
    while (override := active_override(session=session, line_key=line.key, now=now)) is not None:
        override.cleared_at = now
        override.cleared_by = actor
        session.flush()
        count += 1
    return count
