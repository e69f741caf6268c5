"""When payment liability can start after a discharge-ready call, under the line's agreement.

The national rule (lag 2017:612, 5 kap. 4 §) counts three days from the day of the notification, four if it
was sent after 12.00; agreements may change the days, the cut-off hour and how days are counted. The rules are
data (data/liability.toml), keyed by line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import holidays
from holidays.countries.sweden import Sweden

RULES_FILE = Path(__file__).resolve().parent / "data" / "liability.toml"


class Counting(StrEnum):
    """Which days count towards the grace period."""

    CALENDAR = "calendar"
    WEEKDAYS = "weekdays"
    WORKING_DAYS = "working_days"


class LiabilityRulesError(ValueError):
    """A liability rules file that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class LiabilityRule:
    """An agreement's settings: grace days, cut-off hour (local time) and the counting of days."""

    agreement: str = "Nationell regel, lag (2017:612) 5 kap. 4 §"
    grace_days: int = 3
    cutoff: time = time(12, 0)
    counting: Counting = Counting.CALENDAR
    # Whether the day liability ends (the discharge, or a withdrawn assessment) is itself a liable day.
    discharge_day_counts: bool = False


NATIONAL_RULE = LiabilityRule()


@dataclass(frozen=True)
class LiabilityStart:
    """The outcome for one discharge-ready call: was it after the cut-off, and the first liable day."""

    after_cutoff: bool
    first_liable_day: date
    rule: LiabilityRule


def is_after_cutoff(local_time: datetime, rule: LiabilityRule) -> bool:
    """Whether a call at this local wall-clock time came after the agreement's cut-off ("efter kl. 12.00")."""
    return local_time.time() > rule.cutoff


def liability_start(notified_at: datetime, *, rule: LiabilityRule, timezone: tzinfo) -> LiabilityStart:
    """The first day the municipality can be liable, counted in local dates from the official call time."""
    local = notified_at.astimezone(timezone)
    after = is_after_cutoff(local, rule)
    days = rule.grace_days + (1 if after else 0)
    return LiabilityStart(after_cutoff=after, first_liable_day=add_days(local.date(), days, rule.counting), rule=rule)


def add_days(start: date, days: int, counting: Counting) -> date:
    """The date `days` counted days after `start` (calendar days, weekdays or Swedish working days)."""
    if counting is Counting.CALENDAR:
        return start + timedelta(days=days)
    day = start
    for _ in range(days):
        day += timedelta(days=1)
        while not _counts(day, counting):
            day += timedelta(days=1)
    return day


def _counts(day: date, counting: Counting) -> bool:
    if counting is Counting.WEEKDAYS:
        return day.weekday() < 5
    return bool(_swedish_calendar().is_working_day(day))


@cache
def _swedish_calendar() -> Any:
    # Explicit Sunday and language settings: the holidays defaults changed in 0.107 (DOMAIN.md §6).
    return Sweden(
        categories=(holidays.PUBLIC, holidays.DE_FACTO), include_sundays=False, language="sv", years=range(2020, 2041)
    )


def rule_for_line(line_key: str | None, *, rules: Mapping[str, LiabilityRule] | None = None) -> LiabilityRule:
    """The agreement for a line; lines without settings follow the default (the national rule)."""
    table = load_rules() if rules is None else rules
    return table.get(line_key or "", table.get("", NATIONAL_RULE))


def rule_for_agreement(
    line_key: str | None, municipality_code: str | None, *, rules: Mapping[str, LiabilityRule] | None = None
) -> LiabilityRule:
    """The agreement between a line's region and one municipality, else the line's, else the default."""
    table = load_rules() if rules is None else rules
    pair = f"{line_key or ''}/{municipality_code or ''}"
    return table[pair] if pair in table else rule_for_line(line_key, rules=table)


@cache
def load_rules(path: Path = RULES_FILE) -> dict[str, LiabilityRule]:
    """Read the rules file: "" is the default, every other key a line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LiabilityRulesError(f"{path}: {exc}") from exc
    default = _rule(NATIONAL_RULE, data.get("default", {}), f"{path} [default]")
    table = {"": default}
    for key, settings in data.get("lines", {}).items():
        table[key] = _rule(default, settings, f"{path} [lines.{key}]")
    for key, settings in data.get("agreements", {}).items():  # "line/municipality code": a region–municipality pair
        line_key, slash, municipality = key.partition("/")
        if not slash or not municipality.isdigit():
            raise LiabilityRulesError(f'{path} [agreements."{key}"]: the key must be "line/municipality code"')
        table[key] = _rule(table.get(line_key, default), settings, f'{path} [agreements."{key}"]')
    return table


def _rule(base: LiabilityRule, settings: Mapping[str, Any], where: str) -> LiabilityRule:
    unknown = set(settings) - {"agreement", "grace_days", "cutoff", "counting", "discharge_day_counts"}
    if unknown:
        raise LiabilityRulesError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    rule = base
    if "agreement" in settings:
        rule = replace(rule, agreement=str(settings["agreement"]))
    if "grace_days" in settings:
        days = settings["grace_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 30:
            raise LiabilityRulesError(f"{where}: grace_days must be a whole number 0-30, not {days!r}")
        rule = replace(rule, grace_days=days)
    if "cutoff" in settings:
        try:
            rule = replace(rule, cutoff=time.fromisoformat(str(settings["cutoff"])))
        except ValueError as exc:
            raise LiabilityRulesError(f"{where}: cutoff must be HH:MM, not {settings['cutoff']!r}") from exc
    if "counting" in settings:
        try:
            rule = replace(rule, counting=Counting(settings["counting"]))
        except ValueError as exc:
            choices = ", ".join(c.value for c in Counting)
            raise LiabilityRulesError(f"{where}: counting must be one of {choices}") from exc
    if "discharge_day_counts" in settings:
        if not isinstance(settings["discharge_day_counts"], bool):
            raise LiabilityRulesError(f"{where}: discharge_day_counts must be true or false")
        rule = replace(rule, discharge_day_counts=settings["discharge_day_counts"])
    return rule
