"""The bundled directory, loading a directory file, and finding units by number or code."""

import json
import re
from pathlib import Path

import phonenumbers
import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.orm import Session

from directory.hours import HoursError, parse_hours
from directory.loader import DirectoryError, read_directory
from directory.lookup import find_unit_by_number, lookup
from ivr.audit.service import list_audit
from ivr.cli import main
from ivr.config import BUNDLED_DIRECTORY, Config
from tests.conftest import stockholm, via

NORRBOTTEN = {
    "2505": "Arvidsjaur",
    "2506": "Arjeplog",
    "2510": "Jokkmokk",
    "2513": "Överkalix",
    "2514": "Kalix",
    "2518": "Övertorneå",
    "2521": "Pajala",
    "2523": "Gällivare",
    "2560": "Älvsbyn",
    "2580": "Luleå",
    "2581": "Piteå",
    "2582": "Boden",
    "2583": "Haparanda",
    "2584": "Kiruna",
}
PUBLIC = {"+46920284000", "+4613207000", "+46911696000"}
FICTION = [
    ("+46701740605", "+46701740699"),
    ("+46980319200", "+46980319299"),
    ("+46313900600", "+46313900699"),
    ("+46406280400", "+46406280499"),
    ("+46846500400", "+46846500499"),
]
HEADER = "code,kind,name,parent,voice,sms,hours,example\n"


def is_fictional(number: str) -> bool:
    return any(low <= number <= high and len(number) == len(low) for low, high in FICTION)


def test_the_bundled_directory_has_all_fourteen_norrbotten_municipalities_with_official_codes() -> None:
    rows = read_directory(BUNDLED_DIRECTORY)
    municipalities = {r.code: r.name for r in rows if r.kind == "municipality" and r.parent == "25"}
    assert municipalities == {code: f"{name} kommun" for code, name in NORRBOTTEN.items()}
    assert all(r.hours == "mon-sun 07:00-22:00" for r in rows if r.kind == "municipality")


def test_the_bundled_directory_has_the_units_both_routines_need() -> None:
    rows = {r.code: r for r in read_directory(BUNDLED_DIRECTORY)}
    assert rows["90"].voice == ["+46920284000"] and rows["90"].kind == "switchboard"
    assert rows["58002"].voice == ["+4613207000"] and rows["58002"].kind == "standby_line"
    assert rows["71010"].name == "Teknikakuten" and rows["71010"].kind == "help_desk"
    assert rows["58001"].kind == "help_desk" and rows["58001"].parent == "0580"
    hospitals = {r.name for r in rows.values() if r.kind == "hospital"}
    assert {"Sunderby sjukhus", "Gällivare sjukhus", "Kiruna sjukhus", "Kalix sjukhus"} <= hospitals
    assert len(hospitals) == 5
    wards_per_hospital = {
        h.code: [r for r in rows.values() if r.kind == "ward" and r.parent == h.code]
        for h in rows.values()
        if h.kind == "hospital"
    }
    assert all(len(wards) >= 2 for wards in wards_per_hospital.values())
    assert sum(r.kind == "outpatient_unit" for r in rows.values()) >= 3


def test_every_bundled_number_is_public_or_fictional_and_marked_as_an_example() -> None:
    for row in read_directory(BUNDLED_DIRECTORY):
        numbers = row.voice + ([row.sms] if row.sms else [])
        for number in numbers:
            assert phonenumbers.is_valid_number(phonenumbers.parse(number))
            assert number in PUBLIC or is_fictional(number), f"{row.name}: {number} could ring a real person"
        if any(is_fictional(n) for n in numbers):
            assert row.example, f"{row.name} uses fictional numbers but is not marked as an example"


@pytest.mark.parametrize(
    "query", ["0920-28 40 00", "+46920284000", "0046920284000", "+46 920 28 40 00", "0920284000", "90"]
)
def test_the_switchboard_is_found_by_any_common_format_or_its_code(db_session: Session, query: str) -> None:
    unit = lookup(session=db_session, query=query)
    assert unit is not None
    assert unit.name == "Region Norrbottens växel"
    assert list(unit.voice_numbers) == ["+46920284000"]


def test_caller_id_finds_a_ward_and_nothing_for_unknown_or_anonymous_callers(db_session: Session) -> None:
    ward = find_unit_by_number(session=db_session, number="+46980319202")
    assert ward is not None and ward.kind == "ward" and ward.parent is not None
    assert ward.parent.name == "Sunderby sjukhus"
    assert find_unit_by_number(session=db_session, number="+46701740699") is None
    assert find_unit_by_number(session=db_session, number="anonymous") is None
    assert find_unit_by_number(session=db_session, number="") is None


def test_a_municipality_is_found_by_its_official_code(db_session: Session) -> None:
    unit = lookup(session=db_session, query="2580")
    assert unit is not None and unit.name == "Luleå kommun" and unit.kind == "municipality"


def run_cli(app: Flask, config: Config, *args: str) -> tuple[int, str, str]:
    env = {
        "DATABASE_URL": config.database_url,
        "IVR_INSTANCE_PATH": str(config.instance_path),
        "TWILIO_AUTH_TOKEN": config.twilio_auth_token,
        "IVR_SMS_SENDER": "console",
    }
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_directory_lookup_prints_the_switchboard_as_e164_json(app: Flask, config: Config) -> None:
    code, out, _ = run_cli(app, config, "directory", "lookup", "0920-28 40 00", "--json")
    assert code == 0
    found = json.loads(out)
    assert found["numbers"] == ["+46920284000"] and found["kind"] == "switchboard" and found["code"] == "90"


def test_directory_lookup_of_an_unknown_number_fails(app: Flask, config: Config) -> None:
    code, _, err = run_cli(app, config, "directory", "lookup", "070-174 06 99")
    assert code == 1 and "no unit found" in err


def test_directory_show_prints_every_unit_with_kind_code_numbers_sms_and_hours(app: Flask, config: Config) -> None:
    code, out, _ = run_cli(app, config, "directory", "show", "--json")
    units = json.loads(out)
    assert code == 0 and len(units) == len(read_directory(BUNDLED_DIRECTORY))
    lulea = next(u for u in units if u["code"] == "2580")
    assert set(lulea) >= {"kind", "name", "code", "numbers", "sms", "hours"}
    assert re.fullmatch(r"\+46\d+", lulea["numbers"][0]) and re.fullmatch(r"\+467\d+", lulea["sms"])
    assert lulea["hours"] == "mon-sun 07:00-22:00"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "directory.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# The units the bundled lines use (help desks, standbys, switchboards), then one municipality.
LINES_UNITS = (
    "90,switchboard,Växeln,,0920-28 40 00,,always,no\n"
    "71010,help_desk,Teknikakuten,,0980-31 92 00,,mon-fri 08:00-16:00,yes\n"
    "71011,standby_line,Teknikakutens beredskap,,0980-31 92 01,070-174 06 05,always,yes\n"
    "58000,switchboard,Linköpings kommuns växel,,031-390 06 01,,mon-fri 08:00-17:00,yes\n"
    "58001,help_desk,Användarstöd,,031-390 06 02,,mon-fri 08:00-16:00,yes\n"
    "58002,standby_line,LKDATA beredskap,,013-20 70 00,,always,no\n"
)
GOOD = LINES_UNITS + "2580,municipality,Luleå kommun,,0980-31 92 50,070-174 06 50,,yes\n"


def test_loading_a_file_replaces_the_whole_directory(app: Flask, config: Config, tmp_path: Path) -> None:
    code, out, _ = run_cli(app, config, "directory", "load", str(write(tmp_path, GOOD)))
    assert code == 0 and "loaded 7 units" in out
    _, shown, _ = run_cli(app, config, "directory", "show", "--json")
    assert [u["code"] for u in json.loads(shown)] == ["90", "71010", "71011", "58000", "58001", "58002", "2580"]
    assert json.loads(shown)[-1]["hours"] == "mon-sun 07:00-22:00"  # municipalities default to 07-22


def test_a_file_that_would_leave_a_line_without_its_standby_is_refused(
    app: Flask, config: Config, tmp_path: Path
) -> None:
    without_standby = GOOD.replace(
        "71011,standby_line,Teknikakutens beredskap,,0980-31 92 01,070-174 06 05,always,yes\n", ""
    )
    code, _, err = run_cli(app, config, "directory", "load", str(write(tmp_path, without_standby)))
    assert code == 1
    assert "line norrbotten: standby: code '71011' is not in the directory" in err
    assert "the stored directory is unchanged" in err
    _, shown, _ = run_cli(app, config, "directory", "lookup", "71011", "--json")
    assert json.loads(shown)["name"] == "Teknikakutens beredskap"  # the old directory is still there


def test_loading_a_directory_is_audited_with_who_and_which_file(
    app: Flask, config: Config, tmp_path: Path, db_session: Session
) -> None:
    path = write(tmp_path, GOOD)
    code, _, _ = run_cli(app, config, "directory", "load", str(path), "--by", "Berit")
    assert code == 0
    [entry] = list_audit(session=db_session, action="directory.load")
    assert (entry.actor, entry.subject, json.loads(entry.detail)["units"]) == (via("Berit"), str(path), 7)


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("101,ward,Avdelning X,90,0980-12,,always,yes\n", "not a valid phone number"),
        ("2580,ward,Avdelning Y,90,0980-31 92 51,,always,yes\n", "duplicate code 2580"),
        ("101,ward,Avdelning Z,999,0980-31 92 52,,always,yes\n", "unknown parent 999"),
        ("101,ward,Avdelning Z,90,0980-31 92 50,,always,yes\n", "duplicate voice number +46980319250"),
        ("101,spaceship,Avdelning Z,90,,,always,yes\n", "unknown kind"),
        ("101,ward,Avdelning Z,90,,,mon-fri 17:00-08:00,yes\n", "closing time must be after"),
        ("258,municipality,Kommun,,,,,yes\n", "official 4-digit code"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_with_file_line_reason_and_keeps_the_old_directory(
    app: Flask, config: Config, tmp_path: Path, bad_row: str, reason: str
) -> None:
    path = write(tmp_path, GOOD + bad_row)
    code, _, err = run_cli(app, config, "directory", "load", str(path))
    assert code == 1
    assert f"{path}:9: " in err and reason in err  # the bad row is the file's ninth line
    assert "stored directory is unchanged" in err
    _, out, _ = run_cli(app, config, "directory", "lookup", "0920-28 40 00", "--json")
    assert json.loads(out)["name"] == "Region Norrbottens växel"  # still the bundled directory
    _, shown, _ = run_cli(app, config, "directory", "show", "--json")
    assert len(json.loads(shown)) == len(read_directory(BUNDLED_DIRECTORY))


def test_comment_lines_do_not_shift_the_reported_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("# a comment\n" + HEADER + "# another\n" + "90,switchboard,Växeln,,12345,,always,no\n")
    with pytest.raises(DirectoryError) as error:
        read_directory(path)
    assert error.value.problems == [f"{path}:4: '12345' is not a valid phone number"]


def test_opening_hours_know_when_a_municipality_is_open_and_when_it_opens_next() -> None:
    hours = parse_hours("mon-sun 07:00-22:00")
    assert hours.is_open(stockholm(2026, 11, 28, 7, 0))  # a Saturday morning
    assert not hours.is_open(stockholm(2026, 11, 28, 22, 0))
    assert hours.next_opening(stockholm(2026, 11, 28, 23, 30)) == stockholm(2026, 11, 29, 7, 0)
    office = parse_hours("mon-fri 08:00-16:00")
    assert office.next_opening(stockholm(2026, 11, 27, 16, 30)) == stockholm(2026, 11, 30, 8, 0)
    assert parse_hours("always").is_open(stockholm(2026, 12, 24, 3, 0))
    with pytest.raises(HoursError):
        parse_hours("weekdays 8-16")


def test_opening_hours_treat_public_holidays_and_eves_like_sundays() -> None:
    weekdays = parse_hours("mon-fri 08:00-17:00")
    every_day = parse_hours("mon-sun 07:00-22:00")
    # julafton, juldagen, trettondedag jul, midsommarafton
    for day in (
        stockholm(2026, 12, 24, 10),
        stockholm(2026, 12, 25, 10),
        stockholm(2027, 1, 6, 10),
        stockholm(2026, 6, 19, 10),
    ):
        assert not weekdays.is_open(day), day
        assert every_day.is_open(day), day
    assert weekdays.is_open(stockholm(2026, 12, 23, 10))
    assert weekdays.next_opening(stockholm(2026, 12, 24, 10)) == stockholm(2026, 12, 28, 8)
