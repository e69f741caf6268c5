"""When liability can start after a discharge-ready call: the national rule and per-line agreements."""

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.liability.rules import Counting, LiabilityRulesError, liability_start, load_rules

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NATIONAL_RULE = load_rules().default  # the bundled rules file
DEFAULT_TABLE = (
    "[default]\nagreement = 'Nationell regel'\ngrace_days = 3\ncutoff = '12:00'\ncounting = 'calendar'\n"
    "discharge_day_counts = false\n"
)


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def test_a_monday_call_at_11_58_makes_thursday_the_first_liable_day() -> None:
    start = liability_start(at(2026, 11, 23, 11, 58), rule=NATIONAL_RULE, timezone=STOCKHOLM)
    assert not start.after_cutoff
    assert start.first_liable_day == date(2026, 11, 26)


def test_a_monday_call_at_12_02_makes_friday_the_first_liable_day() -> None:
    start = liability_start(at(2026, 11, 23, 12, 2), rule=NATIONAL_RULE, timezone=STOCKHOLM)
    assert start.after_cutoff
    assert start.first_liable_day == date(2026, 11, 27)


def test_exactly_twelve_is_not_after_twelve() -> None:
    assert not liability_start(at(2026, 11, 23, 12, 0), rule=NATIONAL_RULE, timezone=STOCKHOLM).after_cutoff


def test_the_cut_off_is_judged_in_swedish_time_from_a_utc_moment() -> None:
    # 11:30 UTC is 12:30 in Stockholm in winter, and 13:30 in summer.
    winter = liability_start(
        datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("UTC")), rule=NATIONAL_RULE, timezone=STOCKHOLM
    )
    summer = liability_start(
        datetime(2026, 6, 15, 10, 30, tzinfo=ZoneInfo("UTC")), rule=NATIONAL_RULE, timezone=STOCKHOLM
    )
    assert not winter.after_cutoff
    assert summer.after_cutoff


def test_the_day_daylight_saving_starts_counts_as_one_day() -> None:
    start = liability_start(at(2026, 3, 29, 12, 30), rule=NATIONAL_RULE, timezone=STOCKHOLM)
    assert start.first_liable_day == date(2026, 4, 2)


def test_a_friday_call_under_weekday_counting_skips_the_weekend() -> None:
    rule = replace(NATIONAL_RULE, counting=Counting.WEEKDAYS)
    assert liability_start(at(2026, 11, 27, 10, 0), rule=rule, timezone=STOCKHOLM).first_liable_day == date(2026, 12, 2)
    assert liability_start(at(2026, 11, 27, 10, 0), rule=NATIONAL_RULE, timezone=STOCKHOLM).first_liable_day == date(
        2026, 11, 30
    )


def test_working_day_counting_skips_julafton_and_christmas() -> None:
    working = replace(NATIONAL_RULE, counting=Counting.WORKING_DAYS)
    weekdays = replace(NATIONAL_RULE, counting=Counting.WEEKDAYS)
    call = at(2026, 12, 21, 10, 0)
    assert liability_start(call, rule=working, timezone=STOCKHOLM).first_liable_day == date(2026, 12, 28)
    assert liability_start(call, rule=weekdays, timezone=STOCKHOLM).first_liable_day == date(2026, 12, 24)


def test_an_agreement_can_change_the_grace_days_and_the_cut_off() -> None:
    rule = replace(NATIONAL_RULE, grace_days=2, cutoff=time(14, 0))
    assert liability_start(at(2026, 11, 23, 13, 0), rule=rule, timezone=STOCKHOLM).first_liable_day == date(
        2026, 11, 25
    )
    assert liability_start(at(2026, 11, 23, 14, 30), rule=rule, timezone=STOCKHOLM).first_liable_day == date(
        2026, 11, 26
    )


def test_the_bundled_lines_follow_the_national_rule_until_an_agreement_is_entered() -> None:
    for key in ("norrbotten", "linkoping", "a-line-without-settings", None):
        rule = load_rules().for_line(key)
        assert (rule.grace_days, rule.cutoff, rule.counting) == (3, time(12, 0), Counting.CALENDAR)


def test_a_rules_file_sets_each_line_and_falls_back_to_its_default(tmp_path: Path) -> None:
    path = tmp_path / "liability.toml"
    path.write_text(
        DEFAULT_TABLE + '[lines.north]\ngrace_days = 2\ncutoff = "13:00"\ncounting = "weekdays"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    north = rules.for_line("north")
    assert (north.grace_days, north.cutoff, north.counting) == (2, time(13, 0), Counting.WEEKDAYS)
    assert rules.for_line("south").grace_days == 3


@pytest.mark.parametrize(
    "text",
    [
        DEFAULT_TABLE.replace("grace_days = 3", "grace_days = -1"),
        DEFAULT_TABLE.replace("'12:00'", "'noon'"),
        DEFAULT_TABLE + '[lines.x]\ncounting = "fortnights"\n',
        DEFAULT_TABLE + "[lines.x]\ngrace_dayz = 3\n",
        "[default\n",
        "[lines.x]\ngrace_days = 3\n",  # no [default]: every rule value must be in the file
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_setting(tmp_path: Path, text: str) -> None:
    path = tmp_path / "liability.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LiabilityRulesError, match=r"liability\.toml"):
        load_rules(path)
