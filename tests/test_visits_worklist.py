"""After a TES outage the worklist lists the phoned-in visits per employee, with the administrator's list apart."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ivr.clock import FrozenClock
from tests.conftest import Caller, stockholm
from tests.fixtures_visits import (
    ANNA_CODE,
    BO_CODE,
    CLIENT_4711_LANDLINE,
    RYD,
    SKAGGETORP,
    STAFF_MOBILE,
    add_staff,
    register_end,
    register_start,
)
from tests.fixtures_voice_line import ivr_json, run_ivr


def tes_outage(app: Flask, clock: FrozenClock, caller: Caller, *, hours: int) -> dict[str, Any]:
    """TES down from 06:00 for `hours`; Anna's visit at 4711 08:05-09:10, Bo's start at 4721 08:30 (no end)."""
    anna = add_staff(app, "Anna Andersson", RYD, ANNA_CODE)
    bo = add_staff(app, "Bo Berg", SKAGGETORP, BO_CODE)
    clock.set(stockholm(2026, 11, 23, 6, 0))
    started = run_ivr(app, "outage", "start", "--line", "linkoping", "--system", "TES", "--by", "Driftledare")
    assert started.exit_code == 0, started.output
    outage = int(started.output.split()[1].rstrip(":"))
    clock.set(stockholm(2026, 11, 23, 8, 5))
    register_start(caller, CLIENT_4711_LANDLINE)
    clock.set(stockholm(2026, 11, 23, 8, 30))
    register_start(caller, STAFF_MOBILE, BO_CODE, client="4721")
    clock.set(stockholm(2026, 11, 23, 9, 10))
    register_end(caller, CLIENT_4711_LANDLINE, ("11", "31"))
    clock.set(stockholm(2026, 11, 23, 6 + hours, 0))
    assert run_ivr(app, "outage", "end", "--line", "linkoping", "--by", "Driftledare").exit_code == 0
    clock.set(stockholm(2026, 11, 24, 7, 0))
    return {"outage": outage, "anna": anna, "bo": bo}


def group_of(app: Flask, outage: int, *args: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        g for g in ivr_json(app, "worklist", "list", *args) if g["outage"] and g["outage"]["id"] == outage
    )
    return found


def test_the_worklist_lists_each_employees_visits_with_the_note_to_post_register(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    made = tes_outage(app, clock, caller, hours=6)

    group = group_of(app, made["outage"])

    assert group["post_registration"]["who"] == "staff_post_register"
    assert (group["open"], group["total"]) == (2, 2)
    employees = group["visits"]["per_employee"]
    assert employees["heading"].startswith("Besök per medarbetare")
    assert [(e["staff"]["name"], e["team"]["name"]) for e in employees["staff"]] == [
        ("Anna Andersson", "Hemtjänsten Ryd"),
        ("Bo Berg", "Hemtjänsten Skäggetorp"),
    ]
    [anna_item] = employees["staff"][0]["items"]
    assert anna_item["source"] == "visit"
    assert anna_item["title"] == "Besök hos brukare 4711: Anna Andersson, Hemtjänsten Ryd"
    assert anna_item["note"] == (
        "Efterregistrera i TES: brukare 4711, 2026-11-23 kl. 08.05–09.10, insatser: 11 Personlig omvårdnad, "
        f"31 Medicinering. Registrerat per telefon via reservlinjen, ref {anna_item['reference']}."
    )
    [bo_item] = employees["staff"][1]["items"]
    assert bo_item["note"].endswith("Obs: inget slut registrerat.")
    assert "kl. 08.30–?" in bo_item["note"]
    assert group["visits"]["administrator"]["staff"] == []


def test_an_employee_handed_over_is_on_the_administrators_list(app: Flask, caller: Caller, clock: FrozenClock) -> None:
    made = tes_outage(app, clock, caller, hours=6)

    result = run_ivr(
        app, "visits", "handover", "--outage", str(made["outage"]), "--staff", str(made["bo"]), "--by", "Samordnare"
    )

    assert result.exit_code == 0, result.output
    visits = group_of(app, made["outage"])["visits"]
    assert [e["staff"]["name"] for e in visits["per_employee"]["staff"]] == ["Anna Andersson"]
    assert [e["staff"]["name"] for e in visits["administrator"]["staff"]] == ["Bo Berg"]
    text = run_ivr(app, "worklist", "list").output
    assert "Administratörens lista: medarbetare som inte själva kan efterregistrera (TES Webb):" in text
    assert text.index("Anna Andersson (staff") < text.index("Administratörens lista") < text.index("Bo Berg (staff")
    assert run_ivr(app, "visits", "handover", "--outage", str(made["outage"]), "--staff", str(made["bo"])).exit_code

    back = ["visits", "handover", "--outage", str(made["outage"]), "--staff", str(made["bo"]), "--back"]
    assert run_ivr(app, *back).exit_code == 0
    assert group_of(app, made["outage"])["visits"]["administrator"]["staff"] == []


def test_past_ten_hours_the_worklist_says_the_administration_decides_and_still_lists_the_visits(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    made = tes_outage(app, clock, caller, hours=11)

    group = group_of(app, made["outage"])

    routine = group["post_registration"]
    assert (routine["elapsed_hours"], routine["over_threshold"], routine["who"]) == (
        11.0,
        True,
        "administration_decides",
    )
    assert len(group["visits"]["per_employee"]["staff"]) == 2
    text = run_ivr(app, "worklist", "list").output
    assert "post-registration: 11 h 0 min of 10 h (past it: the administration decides how)" in text
    assert "Socialförvaltningen och Vård- och omsorgsförvaltningen meddelar" in text


def test_a_visit_is_marked_done_like_any_item_and_outage_status_counts_what_is_left(
    app: Flask, caller: Caller, clock: FrozenClock
) -> None:
    made = tes_outage(app, clock, caller, hours=6)
    visits = group_of(app, made["outage"])["visits"]["per_employee"]["staff"]
    references = [e["items"][0]["reference"] for e in visits]
    assert "2 of 2 worklist item(s) still to enter" in run_ivr(app, "outage", "status").output

    done = run_ivr(app, "worklist", "done", references[0], "--by", "Anna Andersson")

    assert done.exit_code == 0, done.output
    assert "visit" in done.output
    assert "1 of 2 worklist item(s) still to enter" in run_ivr(app, "outage", "status").output
    still_open = group_of(app, made["outage"], "--open")["visits"]["per_employee"]["staff"]
    assert [e["staff"]["name"] for e in still_open] == ["Bo Berg"]
    rows = run_ivr(app, "worklist", "export", "--format", "csv").output
    assert f"visit,{references[0]}" in rows


def test_visits_outside_every_tes_outage_are_still_listed(app: Flask, caller: Caller, clock: FrozenClock) -> None:
    add_staff(app, "Anna Andersson", RYD, ANNA_CODE)
    clock.set(stockholm(2026, 11, 23, 6, 0))
    assert run_ivr(app, "outage", "start", "--line", "linkoping", "--system", "Treserva").exit_code == 0
    clock.set(stockholm(2026, 11, 23, 8, 5))
    register_start(caller, CLIENT_4711_LANDLINE)
    clock.set(stockholm(2026, 11, 23, 12, 0))
    assert run_ivr(app, "outage", "end", "--line", "linkoping").exit_code == 0

    groups = ivr_json(app, "worklist", "list")

    treserva = next(g for g in groups if g["outage"])
    assert treserva["visits"]["per_employee"]["staff"] == []  # a Treserva outage is not under the TES rule
    outside = next(g for g in groups if g["outside_recorded_outage"])
    [anna] = outside["visits"]["per_employee"]["staff"]
    assert anna["items"][0]["title"].startswith("Besök hos brukare 4711")
