"""The dated daily-rate table (SEK per vårddygn) that an operator fills in; a day without a rate stays without one.

Socialstyrelsen sets the amount yearly (förordning 2017:617). The table is a TOML file of periods
(data/rates.toml, or IVR_LIABILITY_RATES), read and checked once at start-up, so a mistake in it is found
when the service starts, not when finance opens a report.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

BUNDLED_RATES = Path(__file__).resolve().parent / "data" / "rates.toml"
_SETTINGS = frozenset({"from", "to", "sek", "source"})


class RatesError(ValueError):
    """A rates file that cannot be used; the message names the file, the period and the problem."""


@dataclass(frozen=True)
class Rate:
    """One period's daily amount, both days inclusive."""

    first_day: date
    last_day: date
    sek: int
    source: str

    def covers(self, day: date) -> bool:
        """Whether the day falls in this period."""
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class RateSpan:
    """Consecutive liable days charged at one rate, or (rate None) days for which no rate is entered."""

    first_day: date
    last_day: date
    days: int
    rate: Rate | None

    @property
    def amount_sek(self) -> int | None:
        """Days times the daily amount; None when the rate is missing."""
        return None if self.rate is None else self.days * self.rate.sek


@dataclass(frozen=True)
class RateTable:
    """Every entered period, in date order."""

    rates: tuple[Rate, ...]
    source: str = ""

    def rate_on(self, day: date) -> Rate | None:
        """The rate of a day, or None when no period covers it."""
        return next((rate for rate in self.rates if rate.covers(day)), None)

    def spans(self, days: Iterable[date]) -> list[RateSpan]:
        """Group liable days into runs of consecutive days at the same rate (or with the rate missing)."""
        ordered = sorted(set(days))
        runs: list[RateSpan] = []
        for rate, same_rate in groupby(ordered, key=self.rate_on):
            run: list[date] = []
            for day in same_rate:
                if run and (day - run[-1]).days != 1:
                    runs.append(RateSpan(run[0], run[-1], len(run), rate))
                    run = []
                run.append(day)
            runs.append(RateSpan(run[0], run[-1], len(run), rate))
        return runs


def load_rates(path: Path = BUNDLED_RATES) -> RateTable:
    """Read and check a rates file; RatesError names the first problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RatesError(f"{path}: cannot read the rates file: {exc}") from exc
    unknown_tables = set(data) - {"rate"}
    if unknown_tables:
        raise RatesError(f"{path}: unknown table(s) {', '.join(sorted(unknown_tables))}; use [[rate]]")
    raw = data.get("rate", [])
    if not isinstance(raw, list):
        raise RatesError(f"{path}: rate must be a list of [[rate]] tables")
    rates = [_rate(entry, f"{path}: rate {position}") for position, entry in enumerate(raw, start=1)]
    return RateTable(_without_overlaps(rates, path), source=str(path))


def _rate(entry: Any, where: str) -> Rate:
    if not isinstance(entry, dict):
        raise RatesError(f"{where}: must be a [[rate]] table")
    unknown = set(entry) - _SETTINGS
    if unknown:
        raise RatesError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    missing = _SETTINGS - set(entry)
    if missing:
        raise RatesError(f"{where}: missing {', '.join(sorted(missing))}")
    first, last, sek, source = entry["from"], entry["to"], entry["sek"], entry["source"]
    for name, value in (("from", first), ("to", last)):
        # TOML gives a date for 2026-01-01 and a datetime for 2026-01-01T00:00; only whole days make sense.
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise RatesError(f"{where}: {name} must be a date such as 2026-01-01, not {value!r}")
    if last < first:
        raise RatesError(f"{where}: to ({last}) is before from ({first})")
    if not isinstance(sek, int) or isinstance(sek, bool) or sek <= 0:
        raise RatesError(f"{where}: sek must be a positive whole number of kronor, not {sek!r}")
    if not isinstance(source, str) or not source.strip():
        raise RatesError(f"{where}: source must name where the amount comes from")
    return Rate(first_day=first, last_day=last, sek=sek, source=source.strip())


def _without_overlaps(rates: Sequence[Rate], path: Path) -> tuple[Rate, ...]:
    ordered = sorted(rates, key=lambda rate: rate.first_day)
    for earlier, later in pairwise(ordered):
        if later.first_day <= earlier.last_day:
            raise RatesError(
                f"{path}: the periods {earlier.first_day}–{earlier.last_day} and "
                f"{later.first_day}–{later.last_day} overlap"
            )
    return tuple(ordered)


def rate_as_dict(rate: Rate) -> dict[str, Any]:
    """A rate as plain data for JSON."""
    return {
        "from": rate.first_day.isoformat(),
        "to": rate.last_day.isoformat(),
        "sek": rate.sek,
        "source": rate.source,
    }
