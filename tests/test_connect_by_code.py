"""Connect by code (key 3): the name read back, connected within opening hours, the switchboard otherwise."""

from __future__ import annotations

from ivr.clock import FrozenClock
from tests.conftest import SWITCHBOARD, WARD_61, Caller, stockholm
from tests.fixtures_voice_line import LULEA_KOMMUN


def test_a_municipality_code_is_read_back_and_connected(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    assert "Knappa in kommunens eller enhetens kod och avsluta med fyrkant" in call.heard
    call.press("2580#")
    assert call.heard == "Luleå kommun. Koppla: tryck 1. En annan kod: tryck 2."
    call.press("1")
    assert "Du kopplas till Luleå kommun" in call.heard
    assert call.dialled == [LULEA_KOMMUN]
    call.dial_outcome("completed")
    assert call.ended


def test_outside_opening_hours_the_caller_hears_when_they_open_and_can_take_the_switchboard(
    caller: Caller, clock: FrozenClock
) -> None:
    clock.set(stockholm(2026, 11, 23, 22, 30))
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("2580#")
    call.press("1")
    assert "Luleå kommun har stängt just nu. De öppnar tisdagen den tjugofjärde november klockan sju." in call.heard
    assert "Växeln: tryck 0. Huvudmenyn: tryck 1." in call.heard
    call.press("0")
    assert call.dialled == [SWITCHBOARD]


def test_an_unknown_code_is_said_and_the_caller_may_try_again(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("1234#")
    assert "Koden ett, två, tre, fyra finns inte." in call.heard
    assert "Knappa in kommunens eller enhetens kod" in call.heard
    call.press("2581#")
    assert call.heard.startswith("Piteå kommun.")


def test_a_unit_without_a_phone_number_is_explained(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("100#")
    assert "Sunderby sjukhus går inte att koppla till härifrån." in call.heard
    assert call.waiting_for == "Gather"


def test_an_unanswered_unit_offers_the_switchboard_or_the_main_menu(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("2580#")
    call.press("1")
    call.dial_outcome("no-answer")
    assert "Luleå kommun svarar inte just nu." in call.heard
    call.press("1")
    assert call.heard.startswith("Inskrivning och utskrivning: tryck 1.")


def test_pressing_2_at_the_read_back_asks_for_another_code(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("2580#")
    call.press("2")
    assert "Knappa in kommunens eller enhetens kod" in call.heard


def test_three_unknown_codes_end_back_at_the_main_menu(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("1#")
    call.silence()
    call.press("77#")
    assert "Koden sju, sju finns inte." in call.heard
    assert "Du kommer tillbaka till huvudmenyn. Inskrivning och utskrivning: tryck 1." in call.heard
    assert call.waiting_for == "Gather"


def test_a_weekday_unit_is_closed_on_christmas_day_and_opens_on_the_next_working_day(
    caller: Caller, clock: FrozenClock
) -> None:
    clock.set(stockholm(2026, 12, 25, 10, 0))  # Juldagen, a Friday: "mon-fri 08:00-17:00" is closed
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("602#")
    call.press("1")
    assert "Hälsocentralen Kiruna har stängt just nu. De öppnar måndagen den tjugoåttonde december" in call.heard
    assert call.waiting_for == "Gather"  # not put through: the offer of the switchboard or the main menu


def test_a_unit_open_every_day_is_open_on_christmas_day(caller: Caller, clock: FrozenClock) -> None:
    clock.set(stockholm(2026, 12, 25, 10, 0))
    call = caller.dial(WARD_61)
    call.press("3")
    call.press("2580#")
    call.press("1")
    assert call.dialled == [LULEA_KOMMUN]
