"""Units named by voice: what a caller says ("till Lulea tack", "över kalix") matched against the directory's names."""

from __future__ import annotations

import json
import time

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.loader import read_directory
from directory.lookup import UnitRecord, find_units_by_name
from directory.names import NameMatch, hints_for, match_units, normalise
from directory.snapshot import UnitSnapshot
from ivr.config import BUNDLED_DIRECTORY
from tests.fixtures_voice_line import run_ivr

# The bundled directory, as the voice flow would pass it, without a database.
UNITS = [UnitSnapshot(code=r.code, name=r.name, kind=r.kind) for r in read_directory(BUNDLED_DIRECTORY)]
MUNICIPALITIES = [u for u in UNITS if u.kind == "municipality"]
OUTPATIENT_UNITS = [u for u in UNITS if u.kind == "outpatient_unit"]
WARDS = [u for u in UNITS if u.kind == "ward"]


def codes(matches: list[NameMatch]) -> list[str]:
    return [m.code for m in matches]


def best(spoken: str, units: list[UnitSnapshot]) -> str:
    """The one unit the caller named: first, and strictly ahead of the second."""
    matches = match_units(spoken, units)
    assert matches, f"nothing matched {spoken!r}"
    assert len(matches) == 1 or matches[0].score > matches[1].score, matches[:2]
    return matches[0].code


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Luleå kommun", "lulea kommun"),
        ("ÖVERKALIX", "overkalix"),
        ("  Hälsocentralen   Hertsön,\tLuleå. ", "halsocentralen hertson lulea"),
        ("Vård- och omsorgsboendet Berga!", "vard och omsorgsboendet berga"),
        ("Piteå älvdals sjukhus?", "pitea alvdals sjukhus"),
        ("Café", "cafe"),
        ("", ""),
    ],
)
def test_normalise_folds_case_diacritics_punctuation_and_spaces(text: str, folded: str) -> None:
    assert normalise(text) == folded


@pytest.mark.parametrize(
    ("spoken", "code"),
    [
        ("Luleå kommun", "2580"),
        ("luleå", "2580"),
        ("LULEÅ", "2580"),
        ("lulea kommun", "2580"),
        ("Luleå kommunen", "2580"),
        ("Luleås kommun", "2580"),
        ("till Lulea tack", "2580"),
        ("jag vill rapportera till Luleå kommun tack", "2580"),
        ("eh det är Luleå", "2580"),
        ("Lule å", "2580"),  # split by the recogniser
        ("luleåkommun", "2580"),  # joined by the recogniser
        ("Lula", "2580"),  # misheard
        ("Över kalix", "2513"),
        ("överkalix", "2513"),
        ("Överkalix kommun", "2513"),
        ("Kalix", "2514"),
        ("Kalix kommun", "2514"),
        ("Över torneå", "2518"),
        ("Övertorneå", "2518"),
        ("Piteå", "2581"),
        ("Pitea", "2581"),
        ("Boden", "2582"),
        ("Haparanda", "2583"),
        ("Haparana", "2583"),  # misheard
        ("Kiruna kommun", "2584"),
        ("Gällivare", "2523"),
        ("gellivare", "2523"),  # misheard
        ("Älvsbyn", "2560"),
        ("alvsbyn", "2560"),
        ("Arvidsjaur", "2505"),
        ("Arjeplog", "2506"),
        ("Jokkmokk", "2510"),
        ("Pajala", "2521"),
        ("Linköping", "0580"),
        ("Linköpings kommun", "0580"),
    ],
)
def test_a_municipality_is_found_by_the_ways_a_caller_says_it(spoken: str, code: str) -> None:
    assert best(spoken, MUNICIPALITIES) == code


@pytest.mark.parametrize(
    ("spoken", "code"),
    [
        ("Hertsön", "601"),
        ("hertson", "601"),
        ("Hälsocentralen Hertsön", "601"),
        ("hälsocentralen i Hertsön i Luleå", "601"),
        ("hälsocentralen i Kiruna", "602"),
        ("vårdcentralen i Kiruna", "602"),
        ("Kalix hälsocentral", "603"),
        ("Öjebyn", "604"),
        ("ojebyn", "604"),
    ],
)
def test_an_outpatient_unit_is_found_by_its_distinctive_word(spoken: str, code: str) -> None:
    assert best(spoken, OUTPATIENT_UNITS) == code


@pytest.mark.parametrize(
    ("spoken", "code"),
    [
        ("avdelning 61 Sunderby", "101"),
        ("avdelning sex ett på Sunderby", "101"),
        ("61:an på Sunderby", "101"),
        ("medicin Sunderby", "101"),
        ("kirurgi på Sunderby sjukhus", "102"),
        ("medicinavdelningen i Gällivare", "201"),
        ("medicin avdelningen Gällivare", "201"),
        ("kirurgen i Gällivare", "202"),
        ("vårdavdelning två Kiruna", "302"),
        ("rehab Kalix", "402"),
        ("ortopeden i Piteå", "502"),
    ],
)
def test_a_ward_is_found_by_what_it_does_and_where_it_is(spoken: str, code: str) -> None:
    assert best(spoken, WARDS) == code


@pytest.mark.parametrize(
    ("spoken", "code"),
    [
        ("2580", "2580"),
        ("25 80", "2580"),
        ("2 5 8 0", "2580"),
        ("två fem åtta noll", "2580"),
        ("koden är 2580", "2580"),
        ("noll fem åtta noll", "0580"),
        ("2513", "2513"),
    ],
)
def test_a_spoken_code_finds_exactly_that_unit(spoken: str, code: str) -> None:
    assert match_units(spoken, UNITS) == [NameMatch(code, *unit_of(code), score=1.0)]


def unit_of(code: str) -> tuple[str, str]:
    unit = next(u for u in UNITS if u.code == code)
    return unit.name, unit.kind


def test_a_code_matches_exactly_never_by_likeness_or_by_part() -> None:
    assert match_units("2589", MUNICIPALITIES) == []
    assert match_units("258", MUNICIPALITIES) == []
    assert codes(match_units("25", UNITS)) == ["25"]  # Region Norrbotten, not Luleå's 2580


def test_the_full_name_scores_one_and_the_short_name_a_little_less() -> None:
    [full] = match_units("Luleå kommun", MUNICIPALITIES)
    [short] = match_units("Luleå", MUNICIPALITIES)
    assert full.score == 1.0
    assert 0.9 <= short.score < 1.0


def test_across_all_kinds_luleå_is_the_municipality_first_and_the_health_centre_lower() -> None:
    matches = match_units("Luleå", UNITS)
    assert codes(matches) == ["2580", "601"]
    assert matches[0].score > matches[1].score


def test_across_all_kinds_a_kind_word_decides_between_units_of_one_place() -> None:
    assert best("hälsocentralen i Kiruna", UNITS) == "602"
    assert best("Kiruna kommun", UNITS) == "2584"
    assert best("Kiruna sjukhus", UNITS) == "300"
    assert best("sjukhuset i Piteå", UNITS) == "500"
    assert best("Sunderby", UNITS) == "100"


def test_a_place_with_several_units_of_the_same_standing_is_ambiguous() -> None:
    matches = match_units("Kiruna", UNITS)
    top = [m for m in matches if m.score == matches[0].score]
    assert sorted(codes(top)) == ["2584", "300", "602"]
    assert all(m.score < top[0].score for m in matches[3:])  # the wards of Kiruna sjukhus, lower


def test_a_kind_word_alone_returns_every_unit_of_that_kind_with_equal_scores() -> None:
    matches = match_units("hälsocentralen", OUTPATIENT_UNITS)
    assert codes(matches) == ["601", "602", "603", "604"]
    assert len({m.score for m in matches}) == 1
    assert codes(match_units("kommunen", MUNICIPALITIES)) == [u.code for u in MUNICIPALITIES]
    assert len({m.score for m in match_units("kommunen", MUNICIPALITIES)}) == 1


def test_two_places_named_at_once_are_ambiguous() -> None:
    first, second = match_units("Luleå eller Piteå", MUNICIPALITIES)
    assert {first.code, second.code} == {"2580", "2581"} and first.score == second.score


def test_a_place_named_by_several_wards_returns_them_all_equally() -> None:
    matches = match_units("Sunderby", WARDS)
    assert codes(matches) == ["101", "102", "103", "104"]
    assert len({m.score for m in matches}) == 1


def test_a_split_name_prefers_the_joined_unit_over_its_half() -> None:
    matches = match_units("över kalix", MUNICIPALITIES)
    assert codes(matches) == ["2513", "2514"]
    assert matches[0].score > matches[1].score


@pytest.mark.parametrize(
    "spoken",
    ["", "   ", "?!", "ja tack", "eh hmm", "asdf qwerty", "Stockholm", "hälsocentralen i Stockholm", "9999", "Lu"],
)
def test_junk_and_unknown_names_match_nothing(spoken: str) -> None:
    assert match_units(spoken, UNITS) == []


@pytest.mark.parametrize(
    ("spoken", "units"),
    [
        ("Hertsön", MUNICIPALITIES),
        ("Teknikakuten", MUNICIPALITIES),
        ("Sunderby", MUNICIPALITIES),
        ("hälsocentralen", MUNICIPALITIES),
        ("Luleå kommun", OUTPATIENT_UNITS),  # the place of a health centre, but the caller said kommun
        ("Överkalix", OUTPATIENT_UNITS),
    ],
)
def test_a_name_of_another_kind_matches_nothing_among_the_kind_offered(spoken: str, units: list[UnitSnapshot]) -> None:
    assert match_units(spoken, units) == []


def test_short_words_must_be_heard_exactly() -> None:
    assert codes(match_units("Ryd", UNITS)) == ["58101"]
    assert match_units("Rud", UNITS) == []
    assert match_units("Ryde", UNITS) == []


def test_a_genitive_s_is_the_same_word() -> None:
    [linkoping] = match_units("Linköping", MUNICIPALITIES)
    [lulea] = match_units("Luleå", MUNICIPALITIES)
    assert linkoping.name == "Linköpings kommun" and linkoping.score == lulea.score


def test_matches_are_best_first_with_scores_between_zero_and_one() -> None:
    for spoken in ("Luleå", "Kiruna", "medicin", "över kalix", "Linköping", "avdelning"):
        scores = [m.score for m in match_units(spoken, UNITS)]
        assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores), spoken


def test_every_bundled_unit_is_found_by_its_own_name() -> None:
    for unit in UNITS:
        assert best(unit.name, UNITS) == unit.code, unit.name


def test_a_changed_name_is_matched_as_it_is_now_not_as_it_was() -> None:
    before = [UnitSnapshot(code="2580", name="Luleå kommun", kind="municipality")]
    after = [UnitSnapshot(code="2580", name="Bodens kommun", kind="municipality")]
    assert codes(match_units("Luleå", before)) == ["2580"]
    assert match_units("Luleå", after) == []
    assert codes(match_units("Boden", after)) == ["2580"]


def test_matching_sixty_units_takes_well_under_a_millisecond_per_call() -> None:
    units = [*UNITS, *(UnitSnapshot(code=str(9000 + i), name=f"Testort {i} kommun", kind="x") for i in range(10))]
    match_units("warm", units)
    started = time.perf_counter()
    for i in range(200):
        match_units(f"jag ringer från hälsocentralen i över kalix tack {i}", units)
    assert (time.perf_counter() - started) / 200 < 0.01  # 10 ms: generous for a shared machine; ~1 ms here


def test_hints_are_one_comma_separated_string_of_names_and_short_forms() -> None:
    hints = hints_for(UNITS)
    assert isinstance(hints, str)
    phrases = hints.split(", ")
    assert "Luleå kommun" in phrases and "Luleå" in phrases and "Överkalix" in phrases and "Hertsön" in phrases
    assert "Hälsocentralen Hertsön Luleå" in phrases  # the name's comma would split the phrase at Twilio
    assert not any(c in hints for c in "[]'\"")
    assert all(p and "," not in p and p == p.strip() for p in phrases)
    assert len(phrases) == len({p.casefold() for p in phrases})  # no repeats
    assert phrases.index("Luleå kommun") < phrases.index("Piteå kommun")  # in the order given


def test_hints_keep_to_twilios_limits() -> None:
    many = [UnitSnapshot(code=str(i), name=f"Ort{i} kommun", kind="municipality") for i in range(400)]
    long = UnitSnapshot(code="1", name=" ".join(["Långtnamn"] * 30), kind="ward")
    phrases = hints_for([long, *many]).split(", ")
    assert len(phrases) == 500
    assert all(len(p) <= 100 for p in phrases)
    assert phrases[0].startswith("Långtnamn Långtnamn")
    assert hints_for([]) == ""


# The directory in the database (SQLite and PostgreSQL), and the CLI.


def test_find_units_by_name_returns_the_directorys_units_best_first(db_session: Session) -> None:
    found = find_units_by_name(session=db_session, text="Luleå")
    assert all(isinstance(u, UnitRecord) for u in found)
    assert [u.code for u in found] == ["2580", "601"]
    assert list(found[0].voice_numbers) == ["+46980319227"]


def test_find_units_by_name_filters_by_kind_in_the_query(db_session: Session) -> None:
    assert [u.code for u in find_units_by_name(session=db_session, text="Över kalix", kinds=["municipality"])] == [
        "2513",
        "2514",
    ]
    assert [u.code for u in find_units_by_name(session=db_session, text="Hertsön", kinds={"outpatient_unit"})] == [
        "601"
    ]
    assert find_units_by_name(session=db_session, text="Hertsön", kinds=["municipality"]) == []
    assert find_units_by_name(session=db_session, text="Luleå", kinds=[]) == []


def test_find_units_by_name_knows_a_spoken_code(db_session: Session) -> None:
    [unit] = find_units_by_name(session=db_session, text="två fem åtta noll", kinds=("municipality",))
    assert unit.name == "Luleå kommun"


@pytest.mark.parametrize("query", ["Luleå", "lulea", "till Luleå tack"])
def test_directory_lookup_by_name_prints_every_match_best_first(app: Flask, query: str) -> None:
    result = run_ivr(app, "directory", "lookup", query)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Luleå kommun (municipality, code 2580): +46980319227",
        "Hälsocentralen Hertsön, Luleå (outpatient_unit, code 601): +46980319214",
    ]


def test_directory_lookup_by_name_prints_a_json_list(app: Flask) -> None:
    result = run_ivr(app, "directory", "lookup", "Luleå kommun", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    assert found[0]["code"] == "2580" and found[0]["name"] == "Luleå kommun" and found[0]["kind"] == "municipality"
    assert set(found[0]) >= {"numbers", "sms", "hours", "parent"}


def test_directory_lookup_of_an_unknown_name_fails_with_the_usual_message(app: Flask) -> None:
    result = run_ivr(app, "directory", "lookup", "nothing-like-this")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no unit found for 'nothing-like-this'" in result.stderr
    as_json = run_ivr(app, "directory", "lookup", "nothing-like-this", "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout) == []


def test_directory_lookup_by_code_or_number_still_prints_one_unit_as_a_dict(app: Flask) -> None:
    by_code = run_ivr(app, "directory", "lookup", "2580", "--json")
    by_number = run_ivr(app, "directory", "lookup", "0980-31 92 27", "--json")
    assert json.loads(by_code.stdout)["name"] == "Luleå kommun"
    assert json.loads(by_number.stdout)["code"] == "2580"
    assert (
        run_ivr(app, "directory", "lookup", "2580").stdout == "Luleå kommun (municipality, code 2580): +46980319227\n"
    )
    unknown = run_ivr(app, "directory", "lookup", "9999", "--json")
    assert unknown.exit_code == 1 and json.loads(unknown.stdout) is None
