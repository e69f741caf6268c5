"""Payment liability per stay: worked examples with every expected date spelled out (Europe/Stockholm)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.liability.rates import BUNDLED_RATES, Rate, RatesError, RateTable, load_rates
from ivr.liability.rules import Counting, LiabilityRule, LiabilityRulesError, load_rules
from ivr.liability.stays import (
    AdmissionCondition,
    PeriodEnd,
    SipCondition,
    Stay,
    StayEvent,
    StayEventKind,
    StayLiability,
    split_stays,
    stay_liability,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NATIONAL = load_rules().default  # the bundled rules file: the national rule
WEEKDAYS = replace(NATIONAL, counting=Counting.WEEKDAYS)
DEFAULT_TABLE = (
    "[default]\nagreement = 'Nationell regel'\ngrace_days = 3\ncutoff = '12:00'\ncounting = 'calendar'\n"
    "discharge_day_counts = false\n"
)
# Test amounts only: the shipped table holds no rate for these years (an operator enters them).
RATES = RateTable(
    (
        Rate(date(2026, 1, 1), date(2026, 12, 31), 10_000, "test rate 2026"),
        Rate(date(2027, 1, 1), date(2027, 12, 31), 11_000, "test rate 2027"),
    )
)
_references = count(100_001)


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A Stockholm wall-clock moment (the official time of a call)."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def event(kind: StayEventKind, moment: datetime, **flags: bool) -> StayEvent:
    return StayEvent(kind=kind, at=moment, reference=str(next(_references)), **flags)


def admitted(moment: datetime, **flags: bool) -> StayEvent:
    return event(StayEventKind.ADMISSION, moment, **flags)


def ready(moment: datetime, **flags: bool) -> StayEvent:
    return event(StayEventKind.DISCHARGE_READY, moment, **flags)


def withdrawn(moment: datetime, **flags: bool) -> StayEvent:
    return event(StayEventKind.WITHDRAWN, moment, **flags)


def discharged(moment: datetime, **flags: bool) -> StayEvent:
    return event(StayEventKind.DISCHARGE, moment, **flags)


def sip_sent(moment: datetime, **flags: bool) -> StayEvent:
    return event(StayEventKind.SIP_INVITATION, moment, **flags)


def liability(
    *events: StayEvent,
    until: date,
    rule: LiabilityRule = NATIONAL,
    rates: RateTable = RATES,
    since: date | None = None,
) -> StayLiability:
    stay = Stay(patient_number="191212121212", municipality_code="2580", events=events)
    return stay_liability(stay, rule=rule, rates=rates, timezone=STOCKHOLM, until=until, since=since)


def days_of(result: StayLiability) -> list[date]:
    return list(result.liable_days)


# ---- the cut-off hour --------------------------------------------------------------------------------------


def test_discharge_ready_monday_at_1158_makes_thursday_the_first_liable_day() -> None:
    result = liability(ready(at(2026, 11, 23, 11, 58)), until=date(2026, 11, 30))

    (period,) = result.periods
    assert period.after_cutoff is False
    assert period.first_liable_day == date(2026, 11, 26)  # Thursday
    assert period.end is PeriodEnd.STILL_ADMITTED
    assert days_of(result)[0] == date(2026, 11, 26)
    assert result.days == 5  # Thursday 26 to Monday 30 November, the report's last day


def test_discharge_ready_monday_at_1202_makes_friday_the_first_liable_day() -> None:
    result = liability(ready(at(2026, 11, 23, 12, 2)), until=date(2026, 11, 30))

    (period,) = result.periods
    assert period.after_cutoff is True
    assert period.first_liable_day == date(2026, 11, 27)  # Friday
    assert result.days == 4  # Friday 27 to Monday 30 November


def test_the_cutoff_is_read_in_swedish_time_not_utc() -> None:
    # 11:30 UTC on a winter Monday is 12:30 in Stockholm: after the cut-off.
    result = liability(ready(datetime.fromisoformat("2026-11-23T11:30:00+00:00")), until=date(2026, 11, 30))

    assert result.periods[0].after_cutoff is True
    assert result.periods[0].first_liable_day == date(2026, 11, 27)


# ---- calendar days and weekdays ----------------------------------------------------------------------------


def test_a_friday_call_counts_the_weekend_under_calendar_counting() -> None:
    result = liability(ready(at(2026, 11, 27, 10, 0)), until=date(2026, 12, 4))

    # Friday 27 November + 3 calendar days: Saturday, Sunday, Monday.
    assert result.periods[0].first_liable_day == date(2026, 11, 30)


def test_a_friday_call_skips_the_weekend_under_weekday_counting() -> None:
    result = liability(ready(at(2026, 11, 27, 10, 0)), until=date(2026, 12, 4), rule=WEEKDAYS)

    # Friday 27 November + 3 weekdays: Monday 30, Tuesday 1, Wednesday 2 December.
    assert result.periods[0].first_liable_day == date(2026, 12, 2)
    # Once liability has started, every day is a vårddygn, weekend or not: Wednesday 2 to Friday 4 December.
    assert days_of(result) == [date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)]


def test_a_friday_call_after_noon_adds_a_day_under_both_countings() -> None:
    calendar = liability(ready(at(2026, 11, 27, 13, 15)), until=date(2026, 12, 4))
    weekdays = liability(ready(at(2026, 11, 27, 13, 15)), until=date(2026, 12, 4), rule=WEEKDAYS)

    assert calendar.periods[0].first_liable_day == date(2026, 12, 1)  # Tuesday
    assert weekdays.periods[0].first_liable_day == date(2026, 12, 3)  # Thursday


# ---- withdrawal and discharge ------------------------------------------------------------------------------


def test_a_withdrawal_stops_the_clock_and_a_new_discharge_ready_restarts_it() -> None:
    result = liability(
        admitted(at(2026, 11, 16, 8, 0)),
        ready(at(2026, 11, 16, 9, 0)),  # Monday: first liable day Thursday 19 November
        withdrawn(at(2026, 11, 21, 14, 0)),  # Saturday: liable Thursday 19 and Friday 20
        ready(at(2026, 11, 24, 15, 0)),  # Tuesday after 12: first liable day Saturday 28 November
        discharged(at(2026, 11, 30, 10, 0)),  # Monday: liable Saturday 28 and Sunday 29
        until=date(2026, 11, 30),
    )

    first, second = result.periods
    assert (first.first_liable_day, first.end, first.last_liable_day, first.days) == (
        date(2026, 11, 19),
        PeriodEnd.WITHDRAWN,
        date(2026, 11, 20),
        2,
    )
    assert (second.first_liable_day, second.end, second.last_liable_day, second.days) == (
        date(2026, 11, 28),
        PeriodEnd.DISCHARGE,
        date(2026, 11, 29),
        2,
    )
    assert days_of(result) == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 28), date(2026, 11, 29)]
    assert result.still_admitted is False


def test_a_withdrawal_inside_the_grace_days_leaves_nothing_liable() -> None:
    result = liability(
        ready(at(2026, 11, 23, 9, 0)),  # first liable day would be Thursday 26 November
        withdrawn(at(2026, 11, 25, 9, 0)),
        until=date(2026, 11, 30),
    )

    assert result.periods[0].last_liable_day is None
    assert result.days == 0
    assert result.amount_sek == 0


def test_discharge_on_a_day_inside_the_liable_period_ends_liability_that_day() -> None:
    events = (
        ready(at(2026, 11, 23, 9, 0)),  # Monday: first liable day Thursday 26 November
        discharged(at(2026, 11, 28, 11, 0)),  # Saturday
    )

    without_discharge_day = liability(*events, until=date(2026, 11, 30))
    with_discharge_day = liability(*events, until=date(2026, 11, 30), rule=replace(NATIONAL, discharge_day_counts=True))

    assert days_of(without_discharge_day) == [date(2026, 11, 26), date(2026, 11, 27)]
    assert without_discharge_day.amount_sek == 20_000
    assert days_of(with_discharge_day) == [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)]
    assert with_discharge_day.amount_sek == 30_000


def test_discharge_before_the_first_liable_day_costs_nothing() -> None:
    result = liability(ready(at(2026, 11, 23, 9, 0)), discharged(at(2026, 11, 25, 16, 0)), until=date(2026, 11, 30))

    assert result.days == 0
    assert result.periods[0].end is PeriodEnd.DISCHARGE


def test_a_patient_still_admitted_is_liable_to_the_reports_last_day_and_no_further() -> None:
    result = liability(ready(at(2026, 11, 23, 9, 0)), discharged(at(2026, 12, 10, 9, 0)), until=date(2026, 11, 28))

    # The discharge on 10 December lies after the report's last day, so on 28 November the patient is still in.
    assert result.still_admitted is True
    assert result.periods[0].end is PeriodEnd.STILL_ADMITTED
    assert days_of(result) == [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)]


def test_days_before_the_reports_first_day_are_not_counted_again() -> None:
    result = liability(ready(at(2026, 11, 23, 9, 0)), until=date(2026, 12, 2), since=date(2026, 12, 1))

    assert result.periods[0].first_liable_day == date(2026, 11, 26)
    assert days_of(result) == [date(2026, 12, 1), date(2026, 12, 2)]


def test_cancelled_and_drill_reports_never_count() -> None:
    result = liability(
        ready(at(2026, 11, 16, 9, 0), drill=True),
        ready(at(2026, 11, 17, 9, 0), cancelled=True),
        ready(at(2026, 11, 23, 9, 0)),
        discharged(at(2026, 11, 24, 9, 0), drill=True),
        until=date(2026, 11, 27),
    )

    (period,) = result.periods
    assert period.first_liable_day == date(2026, 11, 26)
    assert days_of(result) == [date(2026, 11, 26), date(2026, 11, 27)]
    assert len(result.references) == 1


# ---- summer time and New Year ------------------------------------------------------------------------------


def test_a_stay_across_the_end_of_summer_time_counts_swedish_dates() -> None:
    # Sunday 25 October 2026, 00:30 in Stockholm is 22:30 UTC on Saturday 24: the Swedish date decides.
    # That night clocks go back from 03:00 to 02:00, so the day has 25 hours; it is still one day.
    result = liability(
        ready(at(2026, 10, 25, 0, 30)),
        discharged(at(2026, 11, 2, 0, 15)),  # 23:15 UTC on Sunday 1 November
        until=date(2026, 11, 30),
    )

    (period,) = result.periods
    assert period.after_cutoff is False
    assert period.first_liable_day == date(2026, 10, 28)  # Wednesday
    assert period.end_day == date(2026, 11, 2)
    assert days_of(result) == [
        date(2026, 10, 28),
        date(2026, 10, 29),
        date(2026, 10, 30),
        date(2026, 10, 31),
        date(2026, 11, 1),
    ]
    assert result.amount_sek == 50_000


def test_a_call_in_the_repeated_hour_of_the_autumn_night_is_before_the_cutoff() -> None:
    # 02:30 happens twice on 25 October 2026; both are before 12:00 on Sunday 25 October.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM, fold=1)

    assert liability(ready(first), until=date(2026, 11, 1)).periods[0].first_liable_day == date(2026, 10, 28)
    assert liability(ready(second), until=date(2026, 11, 1)).periods[0].first_liable_day == date(2026, 10, 28)


def test_a_stay_across_new_year_is_charged_at_each_years_rate() -> None:
    result = liability(
        ready(at(2026, 12, 28, 9, 0)),  # Monday: first liable day Thursday 31 December
        discharged(at(2027, 1, 3, 10, 0)),  # Sunday
        until=date(2027, 1, 31),
    )

    assert result.periods[0].first_liable_day == date(2026, 12, 31)
    assert days_of(result) == [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    span_2026, span_2027 = result.spans
    assert (span_2026.first_day, span_2026.last_day, span_2026.days, span_2026.amount_sek) == (
        date(2026, 12, 31),
        date(2026, 12, 31),
        1,
        10_000,
    )
    assert (span_2027.first_day, span_2027.last_day, span_2027.days, span_2027.amount_sek) == (
        date(2027, 1, 1),
        date(2027, 1, 2),
        2,
        22_000,
    )
    assert result.amount_sek == 32_000


def test_weekday_counting_across_new_year_skips_the_weekend_but_not_the_holiday() -> None:
    weekdays = liability(ready(at(2026, 12, 30, 10, 0)), until=date(2027, 1, 10), rule=WEEKDAYS)
    working = liability(
        ready(at(2026, 12, 30, 10, 0)), until=date(2027, 1, 10), rule=replace(NATIONAL, counting=Counting.WORKING_DAYS)
    )

    # Wednesday 30 December + 3 weekdays: Thursday 31, Friday 1 January, Monday 4 January.
    assert weekdays.periods[0].first_liable_day == date(2027, 1, 4)
    # Working days skip nyårsafton, New Year's Day and trettondedag jul: Monday 4, Tuesday 5, Thursday 7.
    assert working.periods[0].first_liable_day == date(2027, 1, 7)


# ---- the rate table ----------------------------------------------------------------------------------------


def test_days_without_a_rate_say_so_and_are_never_priced() -> None:
    only_2026 = RateTable((Rate(date(2026, 1, 1), date(2026, 12, 31), 10_000, "test rate 2026"),))

    result = liability(
        ready(at(2026, 12, 28, 9, 0)), discharged(at(2027, 1, 3, 10, 0)), until=date(2027, 1, 31), rates=only_2026
    )

    priced, missing = result.spans
    assert (priced.first_day, priced.days, priced.amount_sek) == (date(2026, 12, 31), 1, 10_000)
    assert (missing.first_day, missing.last_day, missing.rate, missing.amount_sek) == (
        date(2027, 1, 1),
        date(2027, 1, 2),
        None,
        None,
    )
    assert result.rate_missing_days == 2
    assert result.amount_sek == 10_000


def test_the_shipped_rate_table_holds_only_verified_rates() -> None:
    table = load_rates(BUNDLED_RATES)

    assert table.rate_on(date(2019, 6, 1)) == Rate(date(2019, 1, 1), date(2019, 12, 31), 7_800, "HSLF-FS 2018:67")
    assert table.rate_on(date(2026, 11, 23)) is None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rates_file_with_overlapping_periods_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[[rate]]\nfrom = 2026-01-01\nto = 2026-12-31\nsek = 10000\nsource = 'a'\n"
        "[[rate]]\nfrom = 2026-12-01\nto = 2027-12-31\nsek = 11000\nsource = 'b'\n",
    )

    with pytest.raises(RatesError, match="2026-01-01–2026-12-31 and 2026-12-01–2027-12-31 overlap"):
        load_rates(path)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("from = 2026-01-01\nsek = 10000\nsource = 'a'", "missing to"),
        ("from = 2026-01-01\nto = 2025-12-31\nsek = 10000\nsource = 'a'", "is before from"),
        ("from = 2026-01-01\nto = 2026-12-31\nsek = 9300.5\nsource = 'a'", "whole number of kronor"),
        ("from = 2026-01-01\nto = 2026-12-31\nsek = 10000\nsource = ''", "source must name"),
        ("from = 2026-01-01T00:00:00\nto = 2026-12-31\nsek = 10000\nsource = 'a'", "from must be a date"),
        ("from = 2026-01-01\nto = 2026-12-31\nsek = 10000\nsource = 'a'\nkronor = 1", "unknown setting"),
    ],
)
def test_a_rates_file_names_its_first_problem(tmp_path: Path, entry: str, problem: str) -> None:
    path = write(tmp_path, f"[[rate]]\n{entry}\n")

    with pytest.raises(RatesError, match=problem) as caught:
        load_rates(path)
    assert "rate 1" in str(caught.value)


# ---- conditions of 5 kap. 3 § ------------------------------------------------------------------------------


def test_a_stay_with_every_condition_reported_is_chargeable() -> None:
    result = liability(
        admitted(at(2026, 11, 20, 8, 0)),
        ready(at(2026, 11, 23, 9, 0)),
        sip_sent(at(2026, 11, 24, 9, 0)),
        until=date(2026, 11, 27),
    )

    assert result.conditions.admission is AdmissionCondition.REPORTED
    assert result.conditions.sip_invitation is SipCondition.SENT
    assert result.chargeable is True


def test_a_stay_without_a_phoned_admission_or_sip_is_kept_apart() -> None:
    result = liability(ready(at(2026, 11, 23, 9, 0)), until=date(2026, 11, 27))

    assert result.conditions.admission is AdmissionCondition.CHECK_IN_LIFECARE
    assert result.conditions.sip_invitation is SipCondition.UNKNOWN
    assert result.chargeable is False
    assert result.days == 2  # still computed, so the checker sees what is at stake


def test_a_discharge_ends_a_stay_and_a_later_admission_starts_another() -> None:
    events = [
        admitted(at(2026, 11, 1, 8, 0)),
        ready(at(2026, 11, 2, 9, 0)),
        discharged(at(2026, 11, 6, 9, 0)),
        admitted(at(2026, 11, 20, 8, 0)),
        ready(at(2026, 11, 23, 9, 0)),
    ]

    first, second = split_stays("191212121212", "2580", events)

    assert [e.kind for e in first.events] == [
        StayEventKind.ADMISSION,
        StayEventKind.DISCHARGE_READY,
        StayEventKind.DISCHARGE,
    ]
    assert [e.at for e in second.events] == [at(2026, 11, 20, 8, 0), at(2026, 11, 23, 9, 0)]


# ---- agreements --------------------------------------------------------------------------------------------


def test_a_region_municipality_agreement_overrides_the_lines_settings(tmp_path: Path) -> None:
    path = tmp_path / "liability.toml"
    path.write_text(
        DEFAULT_TABLE + "[lines.norrbotten]\ncutoff = '13:00'\n"
        "[agreements.\"norrbotten/2580\"]\nagreement = 'Luleå'\ncounting = 'weekdays'\ndischarge_day_counts = true\n",
        encoding="utf-8",
    )
    rules = load_rules(path)

    lulea = rules.for_agreement("norrbotten", "2580")
    pitea = rules.for_agreement("norrbotten", "2581")

    assert (lulea.agreement, lulea.counting, lulea.discharge_day_counts, lulea.cutoff.hour) == (
        "Luleå",
        Counting.WEEKDAYS,
        True,
        13,
    )
    assert (pitea.counting, pitea.discharge_day_counts, pitea.cutoff.hour) == (Counting.CALENDAR, False, 13)


def test_an_agreement_key_must_name_a_line_and_a_municipality_code(tmp_path: Path) -> None:
    path = tmp_path / "liability.toml"
    path.write_text(DEFAULT_TABLE + "[agreements.lulea]\ngrace_days = 2\n", encoding="utf-8")

    with pytest.raises(LiabilityRulesError, match='"line/municipality code"'):
        load_rules(path)
