"""The staff register: codes stored only hashed, add, list, disable and import, every change audited."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.visits.staff import code_problem
from tests.conftest import via
from tests.fixtures_visits import ANNA_CODE, RYD, SKAGGETORP, add_staff
from tests.fixtures_voice_line import ivr_json, run_ivr


def stored_text(db_session: Session) -> str:
    """Every value of the staff table and the audit log, as one text."""
    db_session.expire_all()
    rows = [*db_session.execute(text("SELECT * FROM staff")), *db_session.execute(text("SELECT * FROM audit_log"))]
    return json.dumps([[str(v) for v in row] for row in rows])


def test_a_personal_code_is_stored_only_as_its_hash(app: Flask, db_session: Session) -> None:
    add_staff(app, "Anna Andersson", RYD, ANNA_CODE)

    stored = stored_text(db_session)
    assert "Anna Andersson" in stored
    assert ANNA_CODE not in stored
    listed = run_ivr(app, "staff", "list").output + json.dumps(ivr_json(app, "staff", "list"))
    assert ANNA_CODE not in listed
    assert "Anna Andersson" in listed and "Hemtjänsten Ryd" in listed


def test_without_a_code_a_random_one_is_printed_once_and_never_stored(app: Flask, db_session: Session) -> None:
    result = run_ivr(app, "staff", "add", "--name", "Bo Berg", "--team", SKAGGETORP)

    assert result.exit_code == 0, result.output
    code = result.output.split("personal code ")[1].split()[0]
    assert code.isdigit() and len(code) == 6 and code_problem(code) is None
    assert code not in stored_text(db_session)


def test_a_code_that_is_taken_too_short_or_too_easy_is_refused(app: Flask) -> None:
    add_staff(app, "Anna Andersson", RYD, ANNA_CODE)
    for code, problem in ((ANNA_CODE, "belongs to someone else"), ("123", "4-8 digits"), ("1234", "a run")):
        result = run_ivr(app, "staff", "add", "--name", "Cilla Ek", "--team", RYD, "--code", code)
        assert result.exit_code != 0
        assert problem in result.output
    result = run_ivr(app, "staff", "add", "--name", "Cilla Ek", "--team", "58001", "--code", "905172")
    assert result.exit_code != 0
    assert "not a home-care unit" in result.output
    assert [s["name"] for s in ivr_json(app, "staff", "list")] == ["Anna Andersson"]


def test_disabling_is_audited_and_keeps_the_member_listed(app: Flask, db_session: Session) -> None:
    staff_id = add_staff(app, "Anna Andersson", RYD, ANNA_CODE)

    result = run_ivr(app, "staff", "disable", str(staff_id), "--by", "Samordnare")

    assert result.exit_code == 0, result.output
    [member] = ivr_json(app, "staff", "list")
    assert (member["active"], member["disabled_by"]) == (False, via("Samordnare"))
    assert run_ivr(app, "staff", "disable", str(staff_id)).exit_code != 0
    actions = [(e.action, e.actor, e.subject) for e in list_audit(session=db_session) if e.action.startswith("staff")]
    assert actions == [
        ("staff.add", via("Samordnare"), f"staff:{staff_id}"),
        ("staff.disable", via("Samordnare"), f"staff:{staff_id}"),
    ]


def test_an_import_adds_everyone_or_nobody(app: Flask, tmp_path: Path) -> None:
    good = tmp_path / "staff.csv"
    good.write_text(
        "# exported from the rota\nname,team,code\nAnna Andersson,58101,482916\nBo Berg,58102,\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("name,team,code\nCilla Ek,58101,905172\nDan Dahl,58101,905172\n", encoding="utf-8")

    refused = run_ivr(app, "staff", "import", str(bad))
    assert refused.exit_code != 0
    assert "bad.csv:3: the same code is given to more than one person" in refused.output
    assert "905172" not in refused.output
    assert ivr_json(app, "staff", "list") == []

    result = run_ivr(app, "staff", "import", str(good), "--by", "Samordnare")
    assert result.exit_code == 0, result.output
    assert "Bo Berg (58102), personal code " in result.output
    assert "482916" not in result.output  # a code given in the file is not printed again
    assert [(s["name"], s["team"]["code"]) for s in ivr_json(app, "staff", "list")] == [
        ("Anna Andersson", RYD),
        ("Bo Berg", SKAGGETORP),
    ]
    again = run_ivr(app, "staff", "import", str(good))
    assert again.exit_code != 0
    assert "staff.csv:3: that code belongs to someone else" in again.output
