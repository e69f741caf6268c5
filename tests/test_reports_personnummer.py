"""Patient numbers: Skatteverket's test numbers pass, the shared invalid cases are refused with a reason."""

import json
from datetime import date
from typing import Any

import pytest

from ivr.reports.personnummer import (
    NumberKind,
    PatientNumberError,
    Refusal,
    luhn_check_digit,
    parse_patient_number,
)
from tests.conftest import TESTDATA

TODAY = date(2026, 11, 23)


def _load(name: str) -> list[Any]:
    found: list[Any] = json.loads((TESTDATA / name).read_text(encoding="utf-8"))
    return found


def test_every_skatteverket_test_personnummer_is_accepted_with_its_birth_date() -> None:
    numbers = _load("skatteverket-testpersonnummer.json")
    assert len(numbers) > 40_000
    for number in numbers:
        parsed = parse_patient_number(number, today=TODAY)
        assert parsed.number == number
        assert parsed.kind is NumberKind.PERSONNUMMER
        assert parsed.birth_date is not None
        assert parsed.birth_date.strftime("%Y%m%d") == number[:8]


def test_every_skatteverket_test_samordningsnummer_is_accepted_as_one() -> None:
    numbers = _load("skatteverket-testsamordningsnummer.json")
    assert len(numbers) > 2_000
    for number in numbers:
        parsed = parse_patient_number(number, today=TODAY)
        assert parsed.number == number
        assert parsed.kind is NumberKind.SAMORDNINGSNUMMER


def test_ten_digit_test_numbers_get_the_century_of_the_most_recent_past_birthday() -> None:
    for number in _load("skatteverket-testpersonnummer.json")[::97]:
        born = date(int(number[:4]), int(number[4:6]), int(number[6:8]))
        parsed = parse_patient_number(number[2:], today=TODAY)
        age = TODAY.year - born.year
        assert parsed.number == number if age < 100 else parsed.number[2:] == number[2:]
        assert parsed.birth_date is not None and parsed.birth_date <= TODAY


@pytest.mark.parametrize(
    "case", [c for c in _load("personnummer-cases.json") if c["valid"]], ids=lambda c: c["long_format"]
)
def test_the_shared_valid_cases_are_accepted_in_every_format(case: dict[str, Any]) -> None:
    for field in ("long_format", "separated_long"):
        assert parse_patient_number(case[field], today=TODAY).number == case["long_format"]
    for field in ("short_format", "separated_format"):
        parsed = parse_patient_number(case[field], today=TODAY)
        assert parsed.number[2:] == case["long_format"][2:]
    expected = NumberKind.SAMORDNINGSNUMMER if case["type"] == "con" else NumberKind.PERSONNUMMER
    assert parse_patient_number(case["long_format"], today=TODAY).kind is expected


@pytest.mark.parametrize(
    "case", [c for c in _load("personnummer-cases.json") if not c["valid"]], ids=lambda c: str(c["long_format"])
)
def test_the_shared_invalid_cases_are_refused_in_every_format(case: dict[str, Any]) -> None:
    for field in ("long_format", "short_format", "separated_format", "separated_long"):
        with pytest.raises(PatientNumberError):
            parse_patient_number(str(case[field]), today=TODAY)


def test_the_separator_plus_means_a_hundred_years_or_older() -> None:
    assert parse_patient_number("090527+1474", today=TODAY).number == "190905271474"
    assert parse_patient_number("0905271474", today=TODAY).number == "200905271474"


def test_a_wrong_check_digit_is_refused_as_a_checksum_error() -> None:
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number("195704289998", today=TODAY)
    assert refused.value.reason is Refusal.CHECKSUM


def with_check_digit(century: str, nine_digits: str) -> str:
    """A 12-digit number with a correct Luhn digit, so only its date can be wrong."""
    return century + nine_digits + str(luhn_check_digit(nine_digits))


@pytest.mark.parametrize("nine_digits", ["700230123", "701301123", "700001123", "700432123", "010229123"])
def test_an_impossible_date_is_refused_as_a_date_error_even_with_a_correct_check_digit(nine_digits: str) -> None:
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number(with_check_digit("19", nine_digits), today=TODAY)
    assert refused.value.reason is Refusal.DATE


def test_29_february_is_accepted_in_a_leap_year_only() -> None:
    assert parse_patient_number(with_check_digit("20", "000229123"), today=TODAY).birth_date == date(2000, 2, 29)
    with pytest.raises(PatientNumberError):
        parse_patient_number(with_check_digit("19", "000229123"), today=TODAY)


def test_a_birth_date_after_today_is_refused() -> None:
    # 24 December 2026, a month after the service's today.
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number(with_check_digit("20", "261224123"), today=TODAY)
    assert refused.value.reason is Refusal.FUTURE


def test_the_birth_number_000_is_never_issued() -> None:
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number(with_check_digit("19", "570428000"), today=TODAY)
    assert refused.value.reason is Refusal.SERIAL


def test_a_ten_digit_number_born_later_this_year_belongs_to_the_last_century() -> None:
    digits = "261224123"
    parsed = parse_patient_number(digits + str(luhn_check_digit(digits)), today=TODAY)
    assert parsed.number.startswith("1926")


@pytest.mark.parametrize("keyed", ["", "1234", "12345678901", "1234567890123", "19570428 9999", "abcdefghij"])
def test_anything_but_ten_or_twelve_digits_is_refused_as_a_format_error(keyed: str) -> None:
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number(keyed, today=TODAY)
    assert refused.value.reason is Refusal.FORMAT


def test_a_reserve_number_after_a_star_is_accepted_without_checksum_and_flagged() -> None:
    parsed = parse_patient_number("*99123456", today=TODAY)
    assert parsed.kind is NumberKind.RESERVNUMMER
    assert parsed.is_reserve
    assert parsed.number == "99123456"
    assert parsed.birth_date is None


@pytest.mark.parametrize("keyed", ["*", "*12", "*12345678901234567", "*12a4"])
def test_a_reserve_number_of_the_wrong_length_is_refused(keyed: str) -> None:
    with pytest.raises(PatientNumberError) as refused:
        parse_patient_number(keyed, today=TODAY)
    assert refused.value.reason is Refusal.FORMAT
