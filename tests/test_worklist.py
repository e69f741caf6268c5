"""The reconciliation worklist: after an outage, everything phoned in, with the exact note to enter in Lifecare SP."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from ivr.reports.service import cancel_report
from tests.conftest import LINKOPING_LINE, STOCKHOLM, Caller, stockholm, via
from tests.fixtures_liability import OTHER_PATIENT, THIRD_PATIENT, ivr_json, phone_in, run_ivr
from tests.fixtures_voice_line import HOME_CARE_RYD, report_fault, ticket_of


def note(date: str, time: str, reference: str) -> str:
    return (
        f"Rapporterad per telefon via reservlinjen {date} kl. {time}, ref {reference}, under driftstörning i "
        "Lifecare SP. Datum avviker från rapporterat datum på grund av driftstörning."
    )


def start_outage(
    app: Flask, clock: FrozenClock, when: Any, line: str = "norrbotten", system: str = "Lifecare SP"
) -> int:
    clock.set(when)
    result = run_ivr(app, "outage", "start", "--line", line, "--system", system, "--by", "Driftledare")
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1].rstrip(":"))


def end_outage(app: Flask, clock: FrozenClock, when: Any, line: str = "norrbotten") -> None:
    clock.set(when)
    result = run_ivr(app, "outage", "end", "--line", line, "--by", "Driftledare")
    assert result.exit_code == 0, result.output


def group_of(data: list[dict[str, Any]], outage_id: int) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in data if g["outage"] and g["outage"]["id"] == outage_id)
    return found


@pytest.fixture
def lifecare_outage(app: Flask, clock: FrozenClock, db_session: Session) -> dict[str, Any]:
    """Lifecare SP down Sunday 22 November 2026 08:00-16:00; three reports phoned in, one of them cancelled."""
    outage = start_outage(app, clock, stockholm(2026, 11, 22, 8, 0))
    ready = phone_in(db_session, at=stockholm(2026, 11, 22, 11, 58), event="discharge_ready")
    admission = phone_in(db_session, at=stockholm(2026, 11, 22, 14, 30), event="admission", patient=OTHER_PATIENT)
    mistake = phone_in(db_session, at=stockholm(2026, 11, 22, 15, 0), event="discharge", patient=THIRD_PATIENT)
    cancel_report(
        timezone=STOCKHOLM,
        session=db_session,
        reference=mistake.reference,
        reason="fel patient",
        by="Eva Ek",
        now=stockholm(2026, 11, 22, 15, 5),
    )
    db_session.commit()
    end_outage(app, clock, stockholm(2026, 11, 22, 16, 0))
    clock.set(stockholm(2026, 11, 23, 8, 0))
    return {"outage": outage, "ready": ready.reference, "admission": admission.reference}


def test_after_a_lifecare_outage_the_worklist_holds_exactly_the_phoned_in_reports_with_their_note(
    app: Flask, lifecare_outage: dict[str, Any]
) -> None:
    data = ivr_json(app, "worklist", "list", "--json")

    assert len(data) == 1
    group = group_of(data, lifecare_outage["outage"])
    assert group["outage"]["from"] == "2026-11-22T08:00:00+01:00"
    assert group["outage"]["to"] == "2026-11-22T16:00:00+01:00"
    assert (group["open"], group["total"]) == (2, 2)
    assert [(i["source"], i["reference"], i["made_at"], i["note"], i["state"]) for i in group["items"]] == [
        (
            "report",
            lifecare_outage["ready"],
            "2026-11-22T11:58:00+01:00",
            note("2026-11-22", "11.58", lifecare_outage["ready"]),
            "open",
        ),
        (
            "report",
            lifecare_outage["admission"],
            "2026-11-22T14:30:00+01:00",
            note("2026-11-22", "14.30", lifecare_outage["admission"]),
            "open",
        ),
    ]
    assert group["items"][0]["title"] == "Utskrivningsklar: Avdelning 61 medicin, Sunderby sjukhus till Luleå kommun"


def test_the_worklist_never_shows_a_patient_number(app: Flask, lifecare_outage: dict[str, Any]) -> None:
    result = run_ivr(app, "worklist", "list")

    assert result.exit_code == 0, result.output
    assert lifecare_outage["ready"] in result.output
    for patient in ("194608239986", "195704289999", "460823-9986"):
        assert patient not in result.output


def test_nothing_is_on_the_worklist_while_the_outage_lasts(app: Flask, clock: FrozenClock, db_session: Session) -> None:
    start_outage(app, clock, stockholm(2026, 11, 22, 8, 0))
    phone_in(db_session, at=stockholm(2026, 11, 22, 11, 58), event="discharge_ready")
    clock.set(stockholm(2026, 11, 22, 12, 30))

    assert ivr_json(app, "worklist", "list", "--json") == []


def test_marking_an_item_done_records_who_and_when_and_is_audited(
    app: Flask, clock: FrozenClock, db_session: Session, lifecare_outage: dict[str, Any]
) -> None:
    ready = lifecare_outage["ready"]
    clock.set(stockholm(2026, 11, 23, 9, 15))

    result = run_ivr(app, "worklist", "done", ready, "--by", "Eva Ek")

    assert result.exit_code == 0, result.output
    (done, still_open) = group_of(ivr_json(app, "worklist", "list", "--json"), lifecare_outage["outage"])["items"]
    assert (done["state"], done["done_by"], done["done_at"]) == ("done", via("Eva Ek"), "2026-11-23T09:15:00+01:00")
    assert still_open["state"] == "open"
    opened = ivr_json(app, "worklist", "list", "--open", "--json")
    assert [i["reference"] for g in opened for i in g["items"]] == [lifecare_outage["admission"]]
    db_session.expire_all()
    (entry,) = list_audit(session=db_session, action="worklist.done")
    assert (entry.actor, entry.subject, entry.at) == (via("Eva Ek"), f"report:{ready}", stockholm(2026, 11, 23, 9, 15))
    assert json.loads(entry.detail)["outage"] == lifecare_outage["outage"]


def test_a_done_item_cannot_be_marked_again_and_is_undone_only_by_an_audited_reopening(
    app: Flask, clock: FrozenClock, db_session: Session, lifecare_outage: dict[str, Any]
) -> None:
    ready = lifecare_outage["ready"]
    clock.set(stockholm(2026, 11, 23, 9, 15))
    run_ivr(app, "worklist", "done", ready, "--by", "Eva Ek")

    again = run_ivr(app, "worklist", "done", ready, "--by", "Olle Ö")
    assert again.exit_code != 0
    assert "already marked done by Eva Ek" in again.output
    no_reason = run_ivr(app, "worklist", "reopen", ready, "--by", "Olle Ö")
    assert no_reason.exit_code != 0

    clock.set(stockholm(2026, 11, 23, 10, 0))
    reopened = run_ivr(app, "worklist", "reopen", ready, "--by", "Olle Ö", "--reason", "fel datum infört")

    assert reopened.exit_code == 0, reopened.output
    item = group_of(ivr_json(app, "worklist", "list", "--json"), lifecare_outage["outage"])["items"][0]
    assert item["state"] == "open"
    assert item["markings"] == [
        {"action": "done", "at": "2026-11-23T09:15:00+01:00", "by": via("Eva Ek"), "reason": None},
        {"action": "reopened", "at": "2026-11-23T10:00:00+01:00", "by": via("Olle Ö"), "reason": "fel datum infört"},
    ]
    db_session.expire_all()
    (entry,) = list_audit(session=db_session, action="worklist.reopened")
    assert (entry.actor, json.loads(entry.detail)["reason"]) == (via("Olle Ö"), "fel datum infört")


def test_an_unknown_reference_is_refused(app: Flask, lifecare_outage: dict[str, Any]) -> None:
    result = run_ivr(app, "worklist", "done", "999999", "--by", "Eva Ek")

    assert result.exit_code != 0
    assert "no worklist item with reference 999999" in result.output


def test_outage_status_says_that_an_ended_outage_has_items_to_enter(
    app: Flask, clock: FrozenClock, lifecare_outage: dict[str, Any]
) -> None:
    status = ivr_json(app, "outage", "status", "--json")

    assert status["worklist_open"] == [
        {
            "outage": lifecare_outage["outage"],
            "line": "norrbotten",
            "system": "Lifecare SP",
            "ended_at": "2026-11-22T16:00:00+01:00",
            "open": 2,
            "total": 2,
        }
    ]
    text_status = run_ivr(app, "outage", "status").output
    assert "2 of 2 worklist item(s) still to enter" in text_status

    run_ivr(app, "worklist", "done", lifecare_outage["ready"], "--by", "Eva Ek")
    run_ivr(app, "worklist", "done", lifecare_outage["admission"], "--by", "Eva Ek")
    assert "worklist_open" not in ivr_json(app, "outage", "status", "--json")


def test_a_report_phoned_in_when_no_outage_was_recorded_is_still_listed(
    app: Flask, clock: FrozenClock, db_session: Session
) -> None:
    report = phone_in(db_session, at=stockholm(2026, 11, 20, 9, 5), event="discharge_ready")

    (group,) = ivr_json(app, "worklist", "list", "--json")

    assert group["outage"] is None and group["outside_recorded_outage"] is True
    assert [i["note"] for i in group["items"]] == [note("2026-11-20", "09.05", report.reference)]


def test_the_export_has_one_row_per_item_with_its_note_and_state(
    app: Flask, clock: FrozenClock, lifecare_outage: dict[str, Any]
) -> None:
    run_ivr(app, "worklist", "done", lifecare_outage["ready"], "--by", "Eva Ek")

    result = run_ivr(app, "worklist", "export", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["reference"], r["state"], r["done_by"]) for r in rows] == [
        (lifecare_outage["ready"], "done", via("Eva Ek")),
        (lifecare_outage["admission"], "open", ""),
    ]
    assert rows[0]["note"] == note("2026-11-22", "11.58", lifecare_outage["ready"])
    assert rows[0]["outage_id"] == str(lifecare_outage["outage"])


# ---- Linköping: TES -----------------------------------------------------------------------------------------


def tes_outage_with_a_ticket(app: Flask, clock: FrozenClock, caller: Caller, db_session: Session, hours: int) -> Any:
    outage = start_outage(app, clock, stockholm(2026, 11, 21, 6, 0), line="linkoping", system="TES")
    clock.set(stockholm(2026, 11, 21, 7, 40))
    call = report_fault(caller.dial(HOME_CARE_RYD, LINKOPING_LINE), system_key="2")  # 2 = TES
    call.hangup()
    ticket = ticket_of(db_session, call)
    end_outage(app, clock, stockholm(2026, 11, 21, 6 + hours, 0), line="linkoping")
    return outage, ticket


def test_after_a_tes_outage_the_worklist_lists_the_fault_tickets_and_staff_post_register_under_10_hours(
    app: Flask, clock: FrozenClock, caller: Caller, db_session: Session
) -> None:
    outage, ticket = tes_outage_with_a_ticket(app, clock, caller, db_session, hours=6)

    group = group_of(ivr_json(app, "worklist", "list", "--json"), outage)

    (item,) = group["items"]
    assert (item["source"], item["reference"]) == ("fault_ticket", ticket.reference)
    assert item["note"] == (
        f"Felanmäld per telefon via reservlinjen 2026-11-21 kl. 07.40, ref {ticket.reference}, under driftstopp i TES."
    )
    routine = group["post_registration"]
    assert (routine["threshold_hours"], routine["lasted_minutes"], routine["over_threshold"]) == (10, 360, False)
    assert routine["who"] == "staff_post_register"
    assert routine["instruction"].startswith("Driftstopp upp till 10 timmar: varje medarbetare efterregistrerar")


def test_a_tes_outage_over_10_hours_leaves_post_registration_to_the_administration(
    app: Flask, clock: FrozenClock, caller: Caller, db_session: Session
) -> None:
    outage, _ = tes_outage_with_a_ticket(app, clock, caller, db_session, hours=11)

    routine = group_of(ivr_json(app, "worklist", "list", "--json"), outage)["post_registration"]

    assert (routine["lasted_minutes"], routine["over_threshold"], routine["who"]) == (
        660,
        True,
        "administration_decides",
    )
    assert "Socialförvaltningen och Vård- och omsorgsförvaltningen meddelar" in routine["instruction"]
    assert "Socialförvaltningen" in run_ivr(app, "worklist", "list").output


@pytest.mark.postgres_only
def test_postgresql_refuses_to_change_or_remove_a_marking(
    app: Flask, db_session: Session, lifecare_outage: dict[str, Any]
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    run_ivr(app, "worklist", "done", lifecare_outage["ready"], "--by", "Eva Ek")

    for statement in ("UPDATE worklist_marks SET by = 'Någon annan'", "DELETE FROM worklist_marks"):
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(statement))
        db_session.rollback()
