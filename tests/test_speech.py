"""Swedish speech of numbers, codes, times and dates."""

from datetime import date

import pytest

from call_flows.speech import (
    clock_time,
    digit_groups,
    digits,
    in_pairs,
    number_words,
    reference,
    spoken_date,
    spoken_date_with_year,
)
from tests.conftest import stockholm


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "noll"),
        (7, "sju"),
        (15, "femton"),
        (21, "tjugoett"),
        (58, "femtioåtta"),
        (100, "etthundra"),
        (2026, "tvåtusentjugosex"),
        (2580, "tvåtusenfemhundraåttio"),
    ],
)
def test_numbers_are_spoken_in_swedish_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize(
    ("hour", "minute", "spoken"),
    [
        (10, 15, "klockan tio och femton"),
        (12, 0, "klockan tolv"),
        (11, 58, "klockan elva och femtioåtta"),
        (12, 2, "klockan tolv och noll två"),
        (0, 30, "klockan noll och trettio"),
        (23, 59, "klockan tjugotre och femtionio"),
    ],
)
def test_times_are_spoken_the_swedish_way(hour: int, minute: int, spoken: str) -> None:
    assert clock_time(stockholm(2026, 11, 23, hour, minute)) == spoken


def test_codes_are_read_digit_by_digit() -> None:
    assert digits("2580") == "två, fem, åtta, noll"
    assert digits("0*#") == "noll, stjärna, fyrkant"


def test_a_personnummer_is_read_in_pairs_grouped_as_year_month_day_and_last_four() -> None:
    assert digit_groups("194608239986", (4, 2, 2, 4)) == "nitton fyrtiosex, noll åtta, tjugotre, nittionio åttiosex"
    assert digit_groups("20101010", (4, 4)) == "tjugo tio, tio tio"


def test_a_reserve_number_is_read_in_groups_of_four_and_an_odd_digit_alone() -> None:
    assert digit_groups("123456789", (4, 4, 4)) == "tolv trettiofyra, femtiosex sjuttioåtta, nio"


def test_a_reference_is_read_in_pairs() -> None:
    assert reference("500219") == "femtio, noll två, nitton"
    assert in_pairs("0007") == "noll noll noll sju"


def test_dates_are_read_with_their_weekday() -> None:
    assert spoken_date(date(2026, 11, 23)) == "måndagen den tjugotredje november"
    assert spoken_date_with_year(date(2026, 12, 24)) == "torsdagen den tjugofjärde december tvåtusentjugosex"
