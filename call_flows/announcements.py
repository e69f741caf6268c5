"""What a caller hears first about outages: in progress (with the routines' thresholds) and planned this week."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from call_flows.prompts import prompt
from call_flows.speech import clock_time, number_words, spoken_date
from ivr.lines.models import Line
from ivr.outages.service import current_outages, post_registration_state, routine_applies, upcoming_outages

ANNOUNCE_PLANNED_WITHIN = timedelta(days=7)


def announcements(*, session: Session, line: Line, now: datetime, timezone: ZoneInfo) -> list[str]:
    """What a caller hears first: outages in progress (with the routine's threshold) and planned ones this week."""
    texts: list[str] = []
    current = current_outages(session=session, line_key=line.key, now=now)
    upcoming = upcoming_outages(session=session, line_key=line.key, now=now, within=ANNOUNCE_PLANNED_WITHIN)
    if any(o.drill for o in [*current, *upcoming]):
        texts.append(prompt("drill"))
    for outage in current:
        since = _spoken_moment(outage.starts_at, now, timezone)
        if outage.planned and outage.planned_end_at is not None:
            until = _spoken_moment(outage.planned_end_at, now, timezone)
            texts.append(prompt("outage_planned_now", system=outage.system, since=since, until=until))
        else:
            texts.append(prompt("outage_now", system=outage.system, since=since))
        if line.routine_after_hours:
            hours = number_words(line.routine_after_hours)
            if routine_applies(line, outage, now):
                texts.append(prompt("outage_routine_active", hours=hours))
            else:
                at = _spoken_moment(outage.starts_at + timedelta(hours=line.routine_after_hours), now, timezone)
                texts.append(prompt("outage_routine_pending", hours=hours, at=at))
        post_registration = post_registration_state(line, outage, until=now)
        if post_registration is not None:
            key = "outage_post_registration_beyond" if post_registration.over_threshold else "outage_post_registration"
            texts.append(prompt(key, system=outage.system, hours=number_words(post_registration.threshold_hours)))
    for outage in upcoming:
        texts.append(_planned_window(outage.system, outage.starts_at, outage.planned_end_at, now, timezone))
    return texts


def _planned_window(system: str, start: datetime, end: datetime | None, now: datetime, timezone: ZoneInfo) -> str:
    """A planned window with its date said once when it starts and ends the same day."""
    local_start = start.astimezone(timezone)
    local_end = (end or start).astimezone(timezone)
    if local_start.date() == local_end.date():
        today = now.astimezone(timezone).date()
        day = "i dag" if local_start.date() == today else spoken_date(local_start.date())
        return prompt(
            "outage_planned", system=system, day=day, start=clock_time(local_start), end=clock_time(local_end)
        )
    return prompt(
        "outage_planned_days",
        system=system,
        start=_spoken_moment(start, now, timezone),
        end=_spoken_moment(local_end, now, timezone),
    )


def _spoken_moment(moment: datetime, now: datetime, timezone: ZoneInfo) -> str:
    local, today = moment.astimezone(timezone), now.astimezone(timezone).date()
    if local.date() == today:
        return clock_time(local)
    return f"{spoken_date(local.date())} {clock_time(local)}"
