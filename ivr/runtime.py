"""What the app factory loads once: the configuration, the clock and every data file, each read and checked once.

The service (`create_app(purpose="web")`) reads every file at start-up, so a bad one stops it with one line
naming its setting. A CLI command reads only the files it uses, when it first uses them (an `ivr directory
lookup` needs neither the liability rules nor the home-care catalogue), so it starts quickly; a bad file still
ends it with the same one-line message.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ivr.clock import Clock
from ivr.config import Config, ConfigError

if TYPE_CHECKING:
    from directory.loader import Row
    from ivr.liability.rates import RateTable
    from ivr.liability.rules import LiabilityRules
    from ivr.lines.models import Lines
    from ivr.visits.register import VisitRegister


class Runtime:
    """The configuration, the clock and the data files (directory, lines, liability rules and rates, visits)."""

    def __init__(self, config: Config, clock: Clock, *, menu_options: Collection[str]) -> None:
        self.config = config
        self.clock = clock
        self._menu_options = frozenset(menu_options)

    @property
    def timezone(self) -> ZoneInfo:
        """The time zone callers and staff speak in (Europe/Stockholm)."""
        return self.config.timezone

    def now(self) -> datetime:
        """Now, as an aware UTC datetime, from the one clock."""
        return self.clock.now()

    def load_all(self) -> Runtime:
        """Read and check every data file now (the service does, before it answers a call)."""
        for name in ("directory_rows", "lines", "liability_rules", "rates", "visits"):
            getattr(self, name)
        return self

    @cached_property
    def directory_rows(self) -> tuple[Row, ...]:
        """The directory file's units (IVR_DIRECTORY): for the lines' codes and the database-free fallback."""
        from directory.loader import DirectoryError, read_directory

        try:
            rows = tuple(read_directory(self.config.directory_path))
        except DirectoryError as exc:
            raise ConfigError("IVR_DIRECTORY", f"invalid directory file:\n{exc}") from exc
        if not any(row.kind == "switchboard" and row.voice for row in rows):
            raise ConfigError("IVR_DIRECTORY", "the directory has no switchboard with a voice number")
        return rows

    @cached_property
    def lines(self) -> Lines:
        """The outage lines (IVR_LINES), checked against the directory file and the voice menu's options."""
        from ivr.lines.loader import load_lines

        return load_lines(self.config.lines_path, self.directory_rows, menu_options=self._menu_options)

    @cached_property
    def liability_rules(self) -> LiabilityRules:
        """The payment-liability agreements (IVR_LIABILITY_RULES)."""
        from ivr.liability.rules import LiabilityRulesError, load_rules

        try:
            return load_rules(self.config.liability_rules_path)
        except LiabilityRulesError as exc:
            raise ConfigError("IVR_LIABILITY_RULES", str(exc)) from exc

    @cached_property
    def rates(self) -> RateTable:
        """The daily-rate table (IVR_LIABILITY_RATES)."""
        from ivr.liability.rates import RatesError, load_rates

        try:
            return load_rates(self.config.liability_rates_path)
        except RatesError as exc:
            raise ConfigError("IVR_LIABILITY_RATES", str(exc)) from exc

    @cached_property
    def visits(self) -> VisitRegister:
        """The home-care client register and intervention catalogues (IVR_CLIENTS, IVR_VISITS)."""
        from ivr.visits.register import VisitDataError, VisitRegister, load_clients, load_visit_rules, teams_of

        teams = teams_of(self.directory_rows)
        try:
            clients = load_clients(self.config.clients_path, teams)
        except VisitDataError as exc:
            raise ConfigError("IVR_CLIENTS", str(exc)) from exc
        try:
            catalogues, flag_open_after = load_visit_rules(self.config.visits_path, teams)
        except VisitDataError as exc:
            raise ConfigError("IVR_VISITS", str(exc)) from exc
        return VisitRegister(clients=clients, catalogues=catalogues, teams=teams, flag_open_after=flag_open_after)
