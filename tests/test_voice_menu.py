"""The entry and the main menu: every line's menu is a table, spoken in full, and no key leads nowhere."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from call_flows.faults import kind_question, system_question
from call_flows.menus import OPTIONS, MenuCaller, dispatch, main_menu
from directory.loader import load_directory_file, read_directory
from ivr.app import create_app
from ivr.calls.models import Call as CallRecord
from ivr.clock import FrozenClock
from ivr.config import BUNDLED_DIRECTORY, BUNDLED_LINES, Config, ConfigError
from ivr.faults.service import FAULT_KINDS
from ivr.lines.loader import load_lines
from ivr.web.context import runtime_of
from tests.conftest import LINKOPING_LINE, NORRBOTTEN_LINE, SWITCHBOARD, UNKNOWN_CALLER, WARD_61, Caller, wipe
from tests.fixtures_reports import HERTSON_PHONE, LULEA_KOMMUN_PHONE
from tests.fixtures_voice_line import STANDBY_LINKOPING, SWITCHBOARD_LINKOPING, ivr_json, run_ivr


def test_every_menu_table_has_unique_keys_existing_targets_and_speaks_every_key(app: Flask) -> None:
    endpoints = set(app.view_functions)
    with app.test_request_context():
        for line in runtime_of(app).lines:
            keys = line.menu_keys
            assert len(keys) == len(set(keys)), line.key
            spoken = main_menu(line, MenuCaller()).text  # a caller whose unit is unknown hears every option
            for digit, option in line.menu:
                assert f"tryck {digit}." in spoken, (line.key, digit)
                target = OPTIONS[option]
                assert target.start in endpoints, (line.key, option, target.start)
                for blueprint in target.blueprints():
                    assert app.blueprints.get(blueprint.name) is blueprint, (option, blueprint.name)
                redirect = dispatch(line, digit)
                assert redirect is not None and url_for(target.start) in str(redirect), (line.key, digit)
            assert dispatch(line, next(d for d in "123456789" if d not in keys)) is None
            for question, table in (
                (system_question(line), [str(i + 1) for i in range(len(line.systems) + 1)]),
                (kind_question(line), [k for k, _ in FAULT_KINDS]),
            ):
                assert len(table) == len(set(table))
                for digit in table:
                    assert f"tryck {digit}." in question.text
                assert question.endpoint in endpoints, question.endpoint


def test_a_ward_is_greeted_by_name_and_hears_the_norrbotten_menu(caller: Caller, db_session: Session) -> None:
    call = caller.dial(WARD_61, NORRBOTTEN_LINE)
    assert "Region Norrbotten" in call.heard
    assert "Avdelning 61 medicin, Sunderby sjukhus" in call.heard
    assert "Inskrivning och utskrivning: tryck 1. Felanmälan: tryck 2." in call.heard
    assert "Koppla till en kommun eller enhet: tryck 3." in call.heard
    assert "tryck 4" not in call.heard  # no reports wait for the ward: its inbox is not offered
    assert call.waiting_for == "Gather"
    assert call.uninterruptible == []  # the greeting is inside the menu's <Gather>: a key interrupts it
    assert db_session.scalars(select(CallRecord)).one().call_sid == call.call_sid


def test_the_greeting_comes_before_the_outage_notice_and_a_key_interrupts_both(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    assert run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP").exit_code == 0
    call = caller.dial(WARD_61)
    heard = call.heard
    assert heard.index("Välkommen") < heard.index("Du ringer från") < heard.index("Lifecare SP är nere")
    assert call.uninterruptible == []
    call.press("2")
    assert call.heard.startswith("Felanmälan.")


def test_a_municipality_hears_its_own_report_option_and_an_unknown_caller_the_generic_one(caller: Caller) -> None:
    municipality = caller.dial(LULEA_KOMMUN_PHONE)
    assert "Redo för hemtagning: tryck 1." in municipality.heard
    assert "inskrivning" not in municipality.heard.lower()
    outpatient = caller.dial(HERTSON_PHONE)
    assert "Fast vårdkontakt och SIP-möte: tryck 1." in outpatient.heard
    unknown = caller.dial(UNKNOWN_CALLER)
    assert "Rapport om in- och utskrivning: tryck 1." in unknown.heard
    assert "Rapporter till din enhet: tryck 4." in unknown.heard


def test_the_linkoping_line_offers_fault_reports_and_its_own_switchboard(caller: Caller) -> None:
    call = caller.dial(UNKNOWN_CALLER, LINKOPING_LINE)
    assert "Linköpings kommun" in call.heard
    assert "tryck 2" in call.heard
    assert "tryck 3" not in call.heard
    assert "Du ringer från" not in call.heard
    call.press("0")
    assert call.dialled == [SWITCHBOARD_LINKOPING]


def test_a_call_to_an_unconfigured_number_gets_the_first_line(caller: Caller) -> None:
    call = caller.dial(WARD_61, "+46846500499")
    assert "Region Norrbotten" in call.heard
    call.press("0")
    assert call.dialled == [SWITCHBOARD]


def test_key_1_on_the_norrbotten_line_starts_a_care_transition_report_for_the_announced_unit(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("1")
    assert call.requests[-1][1].endswith("/voice/report")
    assert call.heard.startswith("Inskrivning: tryck 1.")  # the unit from caller ID is not asked for again
    assert "Utskrivningsklar: tryck 3." in call.heard
    assert call.waiting_for == "Gather"


def test_star_repeats_the_menu(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("*")
    assert call.heard.startswith("Inskrivning och utskrivning: tryck 1.")
    assert "Jag hörde inget" not in call.heard


def test_a_wrong_key_is_explained_and_the_menu_repeated(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("7")
    assert "Det valet finns inte" in call.heard
    assert "tryck 2" in call.heard
    call.press("2")
    assert "Felanmälan" in call.heard


def test_silence_at_the_menu_repeats_it_twice_then_connects_the_switchboard(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.silence()
    assert "Jag hörde inget" in call.heard
    assert "Felanmälan: tryck 2" in call.heard
    call.silence()
    assert "Felanmälan: tryck 2" in call.heard
    call.silence()
    assert "växeln" in call.heard
    assert call.dialled == [SWITCHBOARD]


def test_an_unanswered_switchboard_says_so_before_hanging_up(caller: Caller) -> None:
    call = caller.dial(WARD_61)
    call.press("0")
    call.dial_outcome("no-answer")
    assert "Växeln svarar inte" in call.heard
    assert call.ended


def test_lines_show_lists_numbers_menus_and_where_calls_go(app: Flask) -> None:
    lines = {line["key"]: line for line in ivr_json(app, "lines", "show")}
    assert lines["norrbotten"]["number"] == NORRBOTTEN_LINE
    assert lines["norrbotten"]["menu_keys"] == ["1", "2", "3", "4", "0"]
    assert lines["norrbotten"]["help_desk"] == {"code": "71010", "number": "+46980319200"}
    assert lines["norrbotten"]["switchboard"]["number"] == SWITCHBOARD
    assert lines["linkoping"]["systems"] == ["Treserva", "TES"]
    assert lines["linkoping"]["standby"] == {"code": "58002", "number": STANDBY_LINKOPING}


def _write_lines(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED_LINES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "lines.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('number = "+46846500400"', 'number = "+4684650"', "number"),
        ('help_desk_code = "71010"', 'help_desk_code = "71999"', "not in the directory"),
        ('"2" = "fault"', '"2" = "faults"', "menu option"),
        ('standby_code = "71011"', 'standby_code = "25"', "no voice number"),
    ],
)
def test_a_bad_lines_file_stops_startup_naming_the_file(tmp_path: Path, old: str, new: str, problem: str) -> None:
    path = _write_lines(tmp_path, old, new)
    with pytest.raises(ConfigError) as raised:
        load_lines(path, read_directory(BUNDLED_DIRECTORY), menu_options=OPTIONS.keys())
    assert str(path) in str(raised.value)
    assert problem in str(raised.value)


def test_the_service_will_not_start_with_a_bad_lines_file(tmp_path: Path, config: Config, clock: FrozenClock) -> None:
    path = _write_lines(tmp_path, 'switchboard_code = "58000"', 'switchboard_code = "58999"')
    with pytest.raises(ConfigError) as raised:
        create_app(replace(config, lines_path=path), clock=clock)
    assert raised.value.variable == "IVR_LINES"
    assert str(path) in str(raised.value)


def test_a_menu_of_one_option_starts_it_at_once_saying_what_it_is(
    tmp_path: Path, config: Config, clock: FrozenClock
) -> None:
    path = _write_lines(
        tmp_path,
        'menu = { "1" = "visits", "2" = "fault", "0" = "switchboard" }',
        'menu = { "2" = "fault", "0" = "switchboard" }',
    )
    service = create_app(replace(config, lines_path=path), clock=clock)
    engine = service.extensions["ivr.engine"]
    try:
        wipe(engine)
        with Session(engine) as session:
            load_directory_file(session=session, path=config.directory_path)
            session.commit()
        call = Caller(service.test_client()).dial(UNKNOWN_CALLER, LINKOPING_LINE)
        # No "Felanmälan: tryck 2" as the only choice: the caller is taken into it; 0 still reaches the switchboard.
        assert "tryck 2" not in call.heard_all
        assert call.heard.endswith("Felanmälan. Säg ditt namn.")
        call.press("0")
        assert call.dialled == [SWITCHBOARD_LINKOPING]
    finally:
        engine.dispose()
