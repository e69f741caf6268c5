"""The Swedish working-day calendar, in one place: routing, opening hours and liability all count days here.

Allmänna helgdagar (lag 1989:253) and the de facto holidays midsommarafton, julafton and nyårsafton come from
the `holidays` package; its defaults changed in 0.107 (DOMAIN.md §6), so Sundays and the language are explicit.
A holiday is treated like a Sunday: a unit open on Sundays is open, one closed on Sundays is closed.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

SUNDAY = 6
_PRELOADED_YEARS = range(2015, 2046)  # filled once, so worker threads never extend the table at the same time


@cache
def _sweden() -> Any:
    # Imported here: the package loads every country's calendar (~0.15 s), which only day counting needs.
    import holidays
    from holidays.countries.sweden import Sweden

    return Sweden(
        years=_PRELOADED_YEARS,
        categories=(holidays.PUBLIC, holidays.DE_FACTO),
        include_sundays=False,
        language="sv",
    )


def holiday_name(day: date) -> str | None:
    """The Swedish name of a public holiday or eve ("Juldagen", "Julafton"), or None for an ordinary day."""
    name = _sweden().get(day)
    return None if name is None else str(name)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except public holidays and the eves."""
    return bool(_sweden().is_working_day(day))


def opening_weekday(day: date) -> int:
    """The weekday whose opening hours apply on a day (0 = Monday): a holiday or an eve counts as a Sunday."""
    return SUNDAY if holiday_name(day) is not None else day.weekday()


def add_working_days(start: date, days: int) -> date:
    """The date `days` Swedish working days after `start`."""
    if days == 0:
        return start
    result: date = _sweden().get_nth_working_day(start, days)
    return result


def add_weekdays(start: date, days: int) -> date:
    """The date `days` weekdays (Monday to Friday, holidays included) after `start`."""
    day = start
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day
