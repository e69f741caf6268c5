"""What the app factory loads once at start-up, as plain data: the same for web requests and CLI commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from directory.loader import Row
from ivr.clock import Clock
from ivr.config import Config
from ivr.liability.rates import RateTable
from ivr.liability.rules import LiabilityRules
from ivr.lines.models import Lines
from ivr.visits.register import VisitRegister


@dataclass(frozen=True)
class Runtime:
    """The configuration, the clock and every data file, read and checked once by `create_app`."""

    config: Config
    clock: Clock
    directory_rows: tuple[Row, ...]
    lines: Lines
    liability_rules: LiabilityRules
    rates: RateTable
    visits: VisitRegister

    @property
    def timezone(self) -> ZoneInfo:
        """The time zone callers and staff speak in (Europe/Stockholm)."""
        return self.config.timezone

    def now(self) -> datetime:
        """Now, as an aware UTC datetime, from the one clock."""
        return self.clock.now()
