"""Outage state per line: start, end, plan ahead, and how long the phone routine has applied."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.audit.service import record_audit
from ivr.lines.models import Line
from ivr.notes import local_iso, post_registration_instruction
from ivr.outages.models import Outage
from ivr.persistence import serialise
from ivr.snapshot import snapshot

STAFF_POST_REGISTER = "staff_post_register"
ADMINISTRATION_DECIDES = "administration_decides"


@dataclass(frozen=True)
class OutageView:
    """An outage as every process's snapshot holds it (ivr.snapshot): the row's values, detached from any session."""

    id: int
    line_key: str
    system: str
    planned: bool
    drill: bool
    starts_at: datetime
    planned_end_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    created_by: str
    ended_by: str | None


AnyOutage = Outage | OutageView


class OutageError(ValueError):
    """An outage command that cannot be carried out (unknown system, window backwards, nothing to end)."""


def start_outage(
    *,
    session: Session,
    line: Line,
    system: str,
    actor: str,
    now: datetime,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    planned: bool = False,
    drill: bool = False,
    timezone: ZoneInfo | None = None,
) -> Outage:
    """Record an outage (in progress from now or `starts_at`, or planned for a window); audited.

    An outage of the same system on the line whose window overlaps is refused (callers would hear both, and
    the worklist would be split); `timezone` is the one the refusal names times in (default UTC).
    """
    name = system_name(line, system)
    start = starts_at or now
    if planned and (starts_at is None or ends_at is None):
        raise OutageError("a planned outage needs --from and --to")
    if ends_at is not None and ends_at <= start:
        raise OutageError("the outage must end after it starts")
    if not planned and start > now:
        raise OutageError("an outage that has not started yet is planned: add --planned")
    serialise(session, f"outage:{line.key}:{name}")  # two operators declaring the same outage take turns
    clash = overlapping_outage(
        session=session, line_key=line.key, system=name, start=start, end=ends_at, planned=planned
    )
    if clash is not None:
        state = "planned for" if clash.starts_at > now else "recorded from"
        raise OutageError(
            f"outage {clash.id} of {name} on {line.key} is already {state} {_local_text(clash.starts_at, timezone)}"
            f"{' to ' + _local_text(clash.planned_end_at, timezone) if clash.planned_end_at else ''}: "
            f"end it (ivr outage end --line {line.key} --id {clash.id}) or choose another window"
        )
    outage = Outage(
        line_key=line.key,
        system=name,
        planned=planned,
        drill=drill or line.drill,
        starts_at=start,
        planned_end_at=ends_at,
        created_at=now,
        created_by=actor,
    )
    session.add(outage)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="outage.start",
        subject=f"outage:{outage.id}",
        detail={
            "line": line.key,
            "system": name,
            "planned": planned,
            "drill": outage.drill,
            "from": start,
            "to": ends_at,
        },
        now=now,
    )
    return outage


def end_outages(
    *, session: Session, line: Line, actor: str, now: datetime, system: str | None = None, outage_id: int | None = None
) -> list[Outage]:
    """End the line's outages in progress (or cancel planned ones), optionally one system or one id; audited."""
    query = select(Outage).where(Outage.line_key == line.key, Outage.ended_at.is_(None)).order_by(Outage.id)
    if system is not None:
        query = query.where(Outage.system == system_name(line, system))
    # One id may also cancel a planned outage; otherwise only outages that have started end.
    query = query.where(Outage.id == outage_id) if outage_id is not None else query.where(Outage.starts_at <= now)
    ended = [o for o in session.scalars(query) if _is_open(o, now) or outage_id is not None]
    if not ended:
        raise OutageError(f"no outage in progress on {line.key}" + (f" for {system}" if system else ""))
    for outage in ended:
        outage.ended_at = now
        outage.ended_by = actor
        record_audit(
            session=session,
            actor=actor,
            action="outage.end",
            subject=f"outage:{outage.id}",
            detail={"line": line.key, "system": outage.system, "lasted_minutes": _minutes(now - outage.starts_at)},
            now=now,
        )
    return ended


def current_outages(*, session: Session, line_key: str | None, now: datetime) -> list[OutageView]:
    """Outages in progress now (a planned one counts inside its window), oldest first."""
    return [
        o
        for o in _not_ended(session)
        if (line_key is None or o.line_key == line_key)
        and o.starts_at <= now
        and (o.planned_end_at is None or o.planned_end_at > now)
    ]


def upcoming_outages(
    *, session: Session, line_key: str | None, now: datetime, within: timedelta | None = None
) -> list[OutageView]:
    """Planned outages that have not started yet (within a horizon, if given), soonest first."""
    return [
        o
        for o in _not_ended(session)
        if (line_key is None or o.line_key == line_key)
        and o.starts_at > now
        and (within is None or o.starts_at <= now + within)
    ]


def _not_ended(session: Session) -> tuple[OutageView, ...]:
    """Every outage not ended (in progress or planned), oldest start first, from the process's snapshot."""
    return snapshot(session, "outages.not_ended", _load_not_ended)


def _load_not_ended(session: Session) -> tuple[OutageView, ...]:
    rows = session.scalars(select(Outage).where(Outage.ended_at.is_(None)).order_by(Outage.starts_at, Outage.id))
    return tuple(
        OutageView(
            id=o.id,
            line_key=o.line_key,
            system=o.system,
            planned=o.planned,
            drill=o.drill,
            starts_at=o.starts_at,
            planned_end_at=o.planned_end_at,
            ended_at=o.ended_at,
            created_at=o.created_at,
            created_by=o.created_by,
            ended_by=o.ended_by,
        )
        for o in rows
    )


def list_outages(*, session: Session, line_keys: Collection[str] | None = None, limit: int = 50) -> list[Outage]:
    """The latest outages of some lines (or all), newest first: in progress, planned and ended."""
    query = select(Outage).order_by(Outage.starts_at.desc(), Outage.id.desc()).limit(limit)
    if line_keys is not None:
        query = query.where(Outage.line_key.in_(list(line_keys)))
    return list(session.scalars(query))


def routine_applies(line: Line, outage: AnyOutage, now: datetime) -> bool:
    """Whether the outage has lasted long enough for the line's phone routine (Lifecare: more than 3 hours)."""
    return now - outage.starts_at >= timedelta(hours=line.routine_after_hours)


@dataclass(frozen=True)
class PostRegistrationState:
    """How long an outage under a line's post-registration rule has lasted (or lasted), against its threshold."""

    system: str
    threshold_hours: int
    elapsed: timedelta

    @property
    def over_threshold(self) -> bool:
        """Past the threshold ("längre än 10 timmar"): the administration decides how post-registration is done."""
        return self.elapsed > timedelta(hours=self.threshold_hours)

    @property
    def who(self) -> str:
        """Who decides: each employee post-registers, or the administration decides how."""
        return ADMINISTRATION_DECIDES if self.over_threshold else STAFF_POST_REGISTER

    @property
    def instruction(self) -> str:
        """The routine's written instruction for this outage (ivr.notes)."""
        return post_registration_instruction(self.threshold_hours, beyond=self.over_threshold)


def post_registration_state(line: Line | None, outage: AnyOutage, *, until: datetime) -> PostRegistrationState | None:
    """The outage against its line's post-registration rule, up to `until` (now, or when it ended); None if none."""
    rule = None if line is None or line.key != outage.line_key else line.post_registration
    if rule is None or not rule.covers(outage.system):
        return None
    elapsed = max(until - outage.starts_at, timedelta(0))
    return PostRegistrationState(system=outage.system, threshold_hours=rule.within_hours, elapsed=elapsed)


def post_registration_as_dict(state: PostRegistrationState | None) -> dict[str, Any] | None:
    """The post-registration state as plain data for JSON."""
    if state is None:
        return None
    return {
        "threshold_hours": state.threshold_hours,
        "elapsed_hours": round(state.elapsed.total_seconds() / 3600, 2),
        "lasted_minutes": _minutes(state.elapsed),
        "lasted": _lasted_text(state.elapsed),
        "over_threshold": state.over_threshold,
        "who": state.who,
        "instruction": state.instruction,
    }


def outage_as_dict(outage: AnyOutage, *, line: Line | None, now: datetime, timezone: ZoneInfo) -> dict[str, Any]:
    """An outage as plain data for JSON: times in Stockholm time, and how long it has lasted so far."""
    in_progress = outage.ended_at is None and _is_open(outage, now) and outage.starts_at <= now
    end = outage.ended_at or (outage.planned_end_at if outage.planned_end_at and outage.planned_end_at <= now else now)
    lasted = max(end - outage.starts_at, timedelta(0)) if outage.starts_at <= now else timedelta(0)
    post_registration = post_registration_state(line, outage, until=end) if in_progress else None
    return {
        "id": outage.id,
        "line": outage.line_key,
        "system": outage.system,
        "planned": outage.planned,
        "drill": outage.drill,
        "state": "in_progress" if in_progress else ("planned" if outage.starts_at > now else "ended"),
        "from": _local(outage.starts_at, timezone),
        "to": _local(outage.planned_end_at, timezone),
        "ended_at": _local(outage.ended_at, timezone),
        "lasted_minutes": _minutes(lasted),
        "lasted": _lasted_text(lasted),
        "routine_applies": bool(in_progress and line is not None and routine_applies(line, outage, now)),
        "post_registration": post_registration_as_dict(post_registration),
        "started_by": outage.created_by,
        "ended_by": outage.ended_by,
    }


def overlapping_outage(
    *, session: Session, line_key: str, system: str, start: datetime, end: datetime | None, planned: bool
) -> Outage | None:
    """An outage of the same system on the line that a new one from `start` to `end` would double.

    A window runs from its start to when it ended, or to its planned end; one cancelled before it began never
    ran. An outage still in progress with no planned end clashes with another one in progress, but not with a
    service window planned ahead (it is expected to be over by then).
    """
    query = select(Outage).where(Outage.line_key == line_key, Outage.system == system).order_by(Outage.id)
    for outage in session.scalars(query):
        close = outage.ended_at or outage.planned_end_at
        if outage.ended_at is not None and outage.ended_at <= outage.starts_at:
            continue
        if close is None:  # in progress, no end known
            if not planned:
                return outage
            continue
        if close > start and (end is None or outage.starts_at < end):
            return outage
    return None


def system_name(line: Line, system: str) -> str:
    """The line's own spelling of a system named in any case, or by the start of its name ("lifecare");
    OutageError if the line has no such system or the name fits more than one."""
    wanted = " ".join(system.split()).casefold()
    exact = [name for name in line.systems if name.casefold() == wanted]
    starting = [name for name in line.systems if name.casefold().startswith(wanted)] if wanted else []
    found = exact or starting
    if len(found) == 1:
        return found[0]
    if found:
        raise OutageError(f"{system!r} fits more than one system of {line.key}: {', '.join(found)}")
    raise OutageError(f"{line.key} has no system {system!r}; its systems are {', '.join(line.systems)}")


def _local_text(moment: datetime | None, timezone: ZoneInfo | None) -> str:
    return "" if moment is None else moment.astimezone(timezone or ZoneInfo("UTC")).strftime("%Y-%m-%d %H.%M")


def _is_open(outage: AnyOutage, now: datetime) -> bool:
    return outage.planned_end_at is None or outage.planned_end_at > now


def _local(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    return None if moment is None else local_iso(moment, timezone)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _lasted_text(delta: timedelta) -> str:
    hours, minutes = divmod(_minutes(delta), 60)
    return f"{hours} h {minutes} min"
