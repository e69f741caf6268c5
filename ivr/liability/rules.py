"""When payment liability can start after a discharge-ready call, under the agreement that applies.

The national rule (lag 2017:612, 5 kap. 4 §) counts three days from the day of the notification, four if it
was sent after 12.00; agreements may change the days, the cut-off hour and how days are counted. Every rule
value lives in the rules file (data/rules.toml, or IVR_LIABILITY_RULES), read once at start-up.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any

from ivr.calendar import add_weekdays, add_working_days
from ivr.reports.events import Event
from ivr.reports.models import Report

BUNDLED_RULES = Path(__file__).resolve().parent / "data" / "rules.toml"
SETTINGS = frozenset({"agreement", "grace_days", "cutoff", "counting", "discharge_day_counts"})


class Counting(StrEnum):
    """Which days count towards the grace period."""

    CALENDAR = "calendar"
    WEEKDAYS = "weekdays"
    WORKING_DAYS = "working_days"


class LiabilityRulesError(ValueError):
    """A liability rules file that cannot be used; the message names the file, the table and the setting."""


@dataclass(frozen=True)
class LiabilityRule:
    """An agreement's settings: grace days, cut-off hour (local time) and the counting of days."""

    agreement: str
    grace_days: int
    cutoff: time
    counting: Counting
    # Whether the day liability ends (the discharge, or a withdrawn assessment) is itself a liable day.
    discharge_day_counts: bool


@dataclass(frozen=True)
class LiabilityStart:
    """The outcome for one discharge-ready call: was it after the cut-off, and the first liable day."""

    after_cutoff: bool
    first_liable_day: date
    rule: LiabilityRule


@dataclass(frozen=True)
class LiabilityRules:
    """Every agreement: the default, per line, and per line and municipality ("norrbotten/2580")."""

    table: Mapping[str, LiabilityRule]
    source: str = ""

    @property
    def default(self) -> LiabilityRule:
        """The rule for a line without settings of its own."""
        return self.table[""]

    def for_line(self, line_key: str | None) -> LiabilityRule:
        """The agreement for a line; lines without settings follow the default."""
        return self.table.get(line_key or "", self.default)

    def for_agreement(self, line_key: str | None, municipality_code: str | None) -> LiabilityRule:
        """The agreement between a line's region and one municipality, else the line's, else the default."""
        pair = f"{line_key or ''}/{municipality_code or ''}"
        return self.table[pair] if pair in self.table else self.for_line(line_key)

    def items(self) -> list[tuple[str, LiabilityRule]]:
        """Every (key, rule), the default first (key "")."""
        return list(self.table.items())


def is_after_cutoff(local_time: datetime, rule: LiabilityRule) -> bool:
    """Whether a call at this local wall-clock time came after the agreement's cut-off ("efter kl. 12.00")."""
    return local_time.time() > rule.cutoff


def liability_start(notified_at: datetime, *, rule: LiabilityRule, timezone: tzinfo) -> LiabilityStart:
    """The first day the municipality can be liable, counted in local dates from the official call time."""
    local = notified_at.astimezone(timezone)
    after = is_after_cutoff(local, rule)
    days = rule.grace_days + (1 if after else 0)
    return LiabilityStart(after_cutoff=after, first_liable_day=add_days(local.date(), days, rule.counting), rule=rule)


def liability_for(report: Report, *, rules: LiabilityRules, timezone: tzinfo) -> LiabilityStart | None:
    """For a discharge-ready report: whether it came after the cut-off and the first liable day, under the
    agreement between the line's region and the receiving municipality (else the line's, else the default)."""
    if report.event != Event.DISCHARGE_READY:
        return None
    municipality = next((d.receiver_code for d in report.deliveries if d.receiver_kind == "municipality"), None)
    rule = rules.for_agreement(report.line_key, municipality)
    return liability_start(report.official_at, rule=rule, timezone=timezone)


def add_days(start: date, days: int, counting: Counting) -> date:
    """The date `days` counted days after `start` (calendar days, weekdays or Swedish working days)."""
    if counting is Counting.CALENDAR:
        return start + timedelta(days=days)
    if counting is Counting.WEEKDAYS:
        return add_weekdays(start, days)
    return add_working_days(start, days)


def load_rules(path: Path = BUNDLED_RULES) -> LiabilityRules:
    """Read the rules file: [default] must set every setting; [lines.X] and [agreements."X/code"] override some."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LiabilityRulesError(f"{path}: {exc}") from exc
    raw_default = data.get("default")
    if not isinstance(raw_default, dict):
        raise LiabilityRulesError(f"{path}: a [default] table is required")
    missing = SETTINGS - set(raw_default)
    if missing:
        raise LiabilityRulesError(f"{path} [default]: missing {', '.join(sorted(missing))}")
    default = _rule(None, raw_default, f"{path} [default]")
    table = {"": default}
    for key, settings in _tables(data, "lines", path).items():
        table[key] = _rule(default, settings, f"{path} [lines.{key}]")
    for key, settings in _tables(data, "agreements", path).items():  # "line/municipality code"
        line_key, slash, municipality = key.partition("/")
        if not slash or not municipality.isdigit():
            raise LiabilityRulesError(f'{path} [agreements."{key}"]: the key must be "line/municipality code"')
        table[key] = _rule(table.get(line_key, default), settings, f'{path} [agreements."{key}"]')
    return LiabilityRules(table=table, source=str(path))


def _tables(data: Mapping[str, Any], name: str, path: Path) -> dict[str, Mapping[str, Any]]:
    found = data.get(name, {})
    if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
        raise LiabilityRulesError(f"{path}: [{name}.…] must be tables")
    return found


def _rule(base: LiabilityRule | None, settings: Mapping[str, Any], where: str) -> LiabilityRule:
    unknown = set(settings) - SETTINGS
    if unknown:
        raise LiabilityRulesError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")

    def given(name: str) -> Any:
        if name in settings:
            return settings[name]
        assert base is not None  # [default] sets every setting
        return getattr(base, name)

    days = given("grace_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 30:
        raise LiabilityRulesError(f"{where}: grace_days must be a whole number 0-30, not {days!r}")
    cutoff = given("cutoff")
    if not isinstance(cutoff, time):
        try:
            cutoff = time.fromisoformat(str(cutoff))
        except ValueError as exc:
            raise LiabilityRulesError(f"{where}: cutoff must be HH:MM, not {cutoff!r}") from exc
    try:
        counting = Counting(given("counting"))
    except ValueError as exc:
        choices = ", ".join(c.value for c in Counting)
        raise LiabilityRulesError(f"{where}: counting must be one of {choices}") from exc
    discharge_day_counts = given("discharge_day_counts")
    if not isinstance(discharge_day_counts, bool):
        raise LiabilityRulesError(f"{where}: discharge_day_counts must be true or false")
    return LiabilityRule(
        agreement=str(given("agreement")),
        grace_days=days,
        cutoff=cutoff,
        counting=counting,
        discharge_day_counts=discharge_day_counts,
    )
