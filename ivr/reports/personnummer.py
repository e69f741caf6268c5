"""Patient numbers: personnummer, samordningsnummer (day + 60) and regional reserve numbers.

A personnummer is YYMMDD-NNNC (12-digit form YYYYMMDDNNNC); C is a Luhn check over YYMMDDNNN. A 10-digit
number carries no century: it is inferred relative to today, and a `+` separator means 100 years or older.
A samordningsnummer has 60 added to the day, and Skatteverket issues them with 00 for an unknown month and
day 60 for an unknown day. A reserve number is keyed after `*`, has no checksum and is flagged as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

RESERVE_PREFIX = "*"
RESERVE_DIGITS = (4, 16)
COORDINATION_OFFSET = 60
_FORMAT = re.compile(r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$")


class NumberKind(StrEnum):
    """What kind of patient number was keyed."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


class Refusal(StrEnum):
    """Why a keyed number was refused; the voice flow speaks a reason for each."""

    FORMAT = "format"  # not 10 or 12 digits (or a reserve number of the wrong length)
    DATE = "date"  # no such date (e.g. 30 February, month 13)
    FUTURE = "future"  # born after today
    SERIAL = "serial"  # the birth number 000 is never issued
    CHECKSUM = "checksum"  # the Luhn check digit does not match


class PatientNumberError(ValueError):
    """A keyed patient number that is refused, with the reason."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"patient number refused: {reason.value}")
        self.reason = reason


@dataclass(frozen=True)
class PatientNumber:
    """A validated patient number: 12 digits for a (samordnings)nummer, the keyed digits for a reserve number."""

    number: str
    kind: NumberKind
    birth_date: date | None = None

    @property
    def is_reserve(self) -> bool:
        """A regional reserve number (no checksum; flagged on the report)."""
        return self.kind is NumberKind.RESERVNUMMER

    @property
    def groups(self) -> tuple[int, ...]:
        """How the number is read back: year, month, day, last four; a reserve number in fours."""
        if self.is_reserve:
            return tuple(4 for _ in range(0, len(self.number), 4))
        return (4, 2, 2, 4)


def parse_patient_number(text: str, *, today: date) -> PatientNumber:
    """Validate a keyed or written patient number; raise PatientNumberError with the reason if refused."""
    text = text.strip()
    if text.startswith(RESERVE_PREFIX):
        return _reserve(text[len(RESERVE_PREFIX) :])
    match = _FORMAT.match(text)
    if match is None:
        raise PatientNumberError(Refusal.FORMAT)
    yymmdd, serial, check = match["yymmdd"], match["serial"], match["check"]
    year2, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    coordination = day >= COORDINATION_OFFSET
    if coordination:
        day -= COORDINATION_OFFSET
    _check_date_parts(month, day, coordination=coordination)
    if match["century"] is not None:
        year = int(match["century"] + yymmdd[:2])
    else:
        year = _infer_year(year2, month, day, today=today, centenarian=match["sep"] == "+")
    birth = _birth_date(year, month, day)
    if birth is None and not coordination:
        raise PatientNumberError(Refusal.DATE)
    earliest = birth or date(year, max(month, 1), 1)
    if earliest > today:
        raise PatientNumberError(Refusal.FUTURE)
    if serial == "000":
        raise PatientNumberError(Refusal.SERIAL)
    if luhn_check_digit(yymmdd + serial) != int(check):
        raise PatientNumberError(Refusal.CHECKSUM)
    kind = NumberKind.SAMORDNINGSNUMMER if coordination else NumberKind.PERSONNUMMER
    return PatientNumber(number=f"{year:04d}{yymmdd[2:]}{serial}{check}", kind=kind, birth_date=birth)


def luhn_check_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit over digits weighted 2, 1, 2, 1, …"""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _reserve(digits: str) -> PatientNumber:
    low, high = RESERVE_DIGITS
    if not digits.isdigit() or not low <= len(digits) <= high:
        raise PatientNumberError(Refusal.FORMAT)
    return PatientNumber(number=digits, kind=NumberKind.RESERVNUMMER)


def _check_date_parts(month: int, day: int, *, coordination: bool) -> None:
    # A samordningsnummer may leave the month (00) or the day (60, i.e. 00) unknown.
    lowest = 0 if coordination else 1
    if not lowest <= month <= 12 or not lowest <= day <= 31:
        raise PatientNumberError(Refusal.DATE)


def _birth_date(year: int, month: int, day: int) -> date | None:
    if month == 0 or day == 0:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(year2: int, month: int, day: int, *, today: date, centenarian: bool) -> int:
    year = today.year - (today.year - year2) % 100
    if (month, day) > (today.month, today.day) and year == today.year:
        year -= 100
    return year - 100 if centenarian else year
