"""The client register and the intervention catalogue per team: data files read once at start-up, checked against
the directory (every team is a home-care unit in it). No personnummer and no names: a client is a short code and
the landlines calls from that client's home come from.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from directory.loader import Row
from directory.numbers import NumberError, to_e164, try_e164

TEAM_KINDS = frozenset({"home_care"})
CLIENT_COLUMNS = ("code", "team", "landline")
CLIENT_CODE_DIGITS = range(3, 7)
INTERVENTION_CODE_DIGITS = range(2, 4)
DEFAULT_CATALOGUE = "default"


class VisitDataError(ValueError):
    """A client register or visits file that cannot be used; the message names the file and the first problem."""


@dataclass(frozen=True)
class Client:
    """A home-care client: the code staff key, the team that visits, and the landlines that identify the home."""

    code: str
    team_code: str
    landlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intervention:
    """One intervention of a team's catalogue ("31", "Medicinering")."""

    code: str
    name: str


@dataclass(frozen=True)
class VisitRegister:
    """The clients, each team's intervention catalogue, the team names and the open-visit rule."""

    clients: tuple[Client, ...]
    catalogues: Mapping[str, Mapping[str, str]]  # team code (or "default") -> code -> name
    teams: Mapping[str, str]  # team code -> the home-care unit's name in the directory
    flag_open_after: timedelta

    def client(self, code: str) -> Client | None:
        """The client with this code."""
        return next((c for c in self.clients if c.code == code), None)

    def clients_at(self, number: str | None) -> list[Client]:
        """The clients whose landline this is (none, one, or a couple sharing a phone)."""
        e164 = try_e164(number)
        return [] if e164 is None else [c for c in self.clients if e164 in c.landlines]

    def catalogue(self, team_code: str) -> Mapping[str, str]:
        """A team's intervention catalogue (its own, else the default)."""
        return self.catalogues.get(team_code) or self.catalogues.get(DEFAULT_CATALOGUE, {})

    def intervention(self, team_code: str, code: str) -> Intervention | None:
        """The intervention behind a keyed code in a team's catalogue."""
        name = self.catalogue(team_code).get(code)
        return None if name is None else Intervention(code=code, name=name)

    def team_name(self, team_code: str) -> str:
        """The team's name from the directory (its code if it has gone)."""
        return self.teams.get(team_code, team_code)


def teams_of(directory: Sequence[Row]) -> dict[str, str]:
    """The teams that visit clients: the directory's home-care units, code -> name."""
    return {row.code: row.name for row in directory if row.kind in TEAM_KINDS}


def load_clients(path: Path, teams: Mapping[str, str]) -> tuple[Client, ...]:
    """The client register: a CSV file of code, team and landline(s)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VisitDataError(f"{path}: cannot read the client register: {exc}") from exc
    reader = csv.reader(without_comments(text.splitlines()))
    clients: list[Client] = []
    header_seen = False
    for record in reader:
        if not record or all(not cell.strip() for cell in record):
            continue
        if not header_seen:
            header_seen = True
            if tuple(c.strip() for c in record) != CLIENT_COLUMNS:
                raise VisitDataError(f"{path}:{reader.line_num}: the header must be {','.join(CLIENT_COLUMNS)}")
            continue
        try:
            clients.append(_client(record, teams, clients))
        except ValueError as exc:
            raise VisitDataError(f"{path}:{reader.line_num}: {exc}") from exc
    if not header_seen:
        raise VisitDataError(f"{path}: the client register is empty (it needs the header {','.join(CLIENT_COLUMNS)})")
    return tuple(clients)


def _client(record: list[str], teams: Mapping[str, str], earlier: Sequence[Client]) -> Client:
    if len(record) != len(CLIENT_COLUMNS):
        raise ValueError(f"expected {len(CLIENT_COLUMNS)} columns, found {len(record)}")
    code, team, landline = (cell.strip() for cell in record)
    if not code.isdigit() or len(code) not in CLIENT_CODE_DIGITS:
        raise ValueError(f"client code {code!r} must be 3-6 digits")
    if any(c.code == code for c in earlier):
        raise ValueError(f"client code {code} is listed twice")
    if team not in teams:
        raise ValueError(f"team {team!r} is not a home-care unit in the directory")
    landlines = []
    for raw in (part for part in landline.split("|") if part.strip()):
        try:
            landlines.append(to_e164(raw))
        except NumberError as exc:
            raise ValueError(f"landline: {exc}") from exc
    return Client(code=code, team_code=team, landlines=tuple(landlines))


def load_visit_rules(path: Path, teams: Mapping[str, str]) -> tuple[dict[str, dict[str, str]], timedelta]:
    """The visits file: the open-visit rule and the intervention catalogue per team."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise VisitDataError(f"{path}: cannot read the visits file: {exc}") from exc
    try:
        return _catalogues(data.get("interventions"), teams), _flag_open_after(data)
    except ValueError as exc:
        raise VisitDataError(f"{path}: {exc}") from exc


def _flag_open_after(data: Mapping[str, Any]) -> timedelta:
    hours = data.get("flag_open_after_hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 24:
        raise ValueError("flag_open_after_hours must be a whole number of hours 1-24")
    return timedelta(hours=hours)


def _catalogues(raw: Any, teams: Mapping[str, str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError('no intervention catalogue: add [interventions.default] with codes such as "11" = "…"')
    catalogues: dict[str, dict[str, str]] = {}
    for team, table in raw.items():
        if team != DEFAULT_CATALOGUE and team not in teams:
            raise ValueError(f"[interventions.{team}]: {team!r} is not a home-care unit in the directory")
        if not isinstance(table, dict) or not table:
            raise ValueError(f"[interventions.{team}] must map codes to names")
        for code, name in table.items():
            if not code.isdigit() or len(code) not in INTERVENTION_CODE_DIGITS:
                raise ValueError(f"[interventions.{team}]: code {code!r} must be 2-3 digits")
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"[interventions.{team}]: code {code} needs a name")
        catalogues[team] = {code: name.strip() for code, name in table.items()}
    if DEFAULT_CATALOGUE not in catalogues and set(teams) - set(catalogues):
        missing = ", ".join(sorted(set(teams) - set(catalogues)))
        raise ValueError(f"teams {missing} have no catalogue: add [interventions.default]")
    return catalogues


def without_comments(lines: list[str]) -> Iterator[str]:
    """The lines of a CSV data file with # comment lines blanked (so csv's line numbers stay true to the file)."""
    for text in lines:
        yield "" if text.lstrip().startswith("#") else text
