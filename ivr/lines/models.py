"""A line as plain data: read once at start-up from the lines file, never stored in the database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from directory.numbers import try_e164

if TYPE_CHECKING:
    from directory.loader import Row

DEFAULT_VOICE = "Polly.Astrid"
DEFAULT_LANGUAGE = "sv-SE"


@dataclass(frozen=True)
class Voice:
    """The text-to-speech voice and language a line speaks with."""

    voice: str = DEFAULT_VOICE
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class PostRegistration:
    """Who post-registers times and interventions after an outage of one of `systems` (Linköping: TES, 10 hours).

    Up to `within_hours` of outage each employee does it; beyond that, the administration decides how.
    """

    systems: tuple[str, ...]
    within_hours: int

    def covers(self, system: str) -> bool:
        """Whether an outage of this system falls under the rule."""
        return system in self.systems

    @property
    def threshold(self) -> timedelta:
        """The rule's threshold as a duration."""
        return timedelta(hours=self.within_hours)


@dataclass(frozen=True)
class Line:
    """One outage number: who answers it, which systems it covers, its menu and where calls go."""

    key: str
    name: str
    number: str
    organisation: str
    systems: tuple[str, ...]
    voice: Voice
    help_desk_code: str
    standby_code: str
    switchboard_code: str
    chain: tuple[str, ...]
    help_desk_hours: str
    extra_closed_dates: tuple[date, ...]
    drill: bool
    routine_after_hours: int
    menu: tuple[tuple[str, str], ...]
    post_registration: PostRegistration | None = None

    @property
    def menu_keys(self) -> tuple[str, ...]:
        """The keys of the main menu, in the order they are spoken."""
        return tuple(digit for digit, _ in self.menu)

    def option_for(self, digit: str) -> str | None:
        """The menu option behind a key, or None."""
        return dict(self.menu).get(digit)

    def key_for(self, option: str) -> str | None:
        """The key that selects a menu option on this line, or None if the line does not offer it."""
        return next((digit for digit, name in self.menu if name == option), None)

    @property
    def codes(self) -> frozenset[str]:
        """Every directory code the line uses (help desk, standby, switchboard, chain)."""
        return frozenset({self.help_desk_code, self.standby_code, self.switchboard_code, *self.chain})


@dataclass(frozen=True)
class Lines:
    """Every configured line, first line first, with the switchboard numbers read from the directory file."""

    all: tuple[Line, ...]
    switchboards: dict[str, str]  # line key -> the switchboard's first voice number, for the database-free fallback

    def __iter__(self) -> Iterator[Line]:
        return iter(self.all)

    @property
    def first(self) -> Line:
        """The line a call to an unknown number is treated as."""
        return self.all[0]

    @property
    def keys(self) -> tuple[str, ...]:
        """The lines' keys, in file order."""
        return tuple(line.key for line in self.all)

    def by_key(self, key: str) -> Line | None:
        """The line with a key such as "norrbotten"."""
        return next((line for line in self.all if line.key == key), None)

    def for_number(self, to_number: str | None) -> Line:
        """The line a call to this number reached; the first line when the number is not configured."""
        e164 = try_e164(to_number)
        return next((line for line in self.all if line.number == e164), self.first)

    def of_call(self, *numbers: str | None, key: str | None = None) -> Line:
        """The line of a call: an explicit key (whisper legs), else the first of the numbers that is a line's."""
        if key:
            line = self.by_key(key)
            if line is not None:
                return line
        by_number = {line.number: line for line in self.all}
        for number in numbers:
            e164 = try_e164(number)
            if e164 in by_number:
                return by_number[e164]
        return self.first

    def problems_with(self, rows: Sequence[Row]) -> list[str]:
        """What a new directory would break: each line's help desk, standby, switchboard and chain must be in it,
        with a voice number. A directory that breaks a line is refused, by `ivr directory load` and the console."""
        codes = {row.code: row for row in rows}
        problems = []
        for line in self.all:
            roles = [("help desk", line.help_desk_code), ("standby", line.standby_code)]
            roles += [("switchboard", line.switchboard_code), *(("chain", code) for code in line.chain)]
            for role, code in roles:
                problem = code_problem(code, role, codes)
                if problem is not None:
                    problems.append(f"line {line.key}: {problem}")
        return problems

    def switchboard_of(self, line: Line) -> str:
        """The line's switchboard number as read at start-up (the fallback needs no database)."""
        return self.switchboards.get(line.key) or next(iter(self.switchboards.values()))


def code_problem(code: str, role: str, codes: Mapping[str, Row]) -> str | None:
    """Why a directory code cannot serve a line's role (not in the directory, no voice number), or None."""
    row = codes.get(code)
    if row is None:
        return f"{role}: code {code!r} is not in the directory"
    if not row.voice:
        return f"{role}: {row.name} ({code}) has no voice number in the directory"
    return None
