"""The report store: official times, one report per retry, receipts, duplicates, cancellations and the chain."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.calls.models import CallStateRow
from ivr.calls.service import record_call_seen
from ivr.calls.state import CallState, discard_state, load_state, purge_stale_states, save_state
from ivr.config import Config
from ivr.outbox.models import OutboxMessage
from ivr.reports.chain import verify_chain
from ivr.reports.drafts import Draft, draft_of, put_draft
from ivr.reports.models import Report
from ivr.reports.service import (
    ReportError,
    cancel_report,
    find_duplicate,
    list_unacknowledged,
    mark_acknowledged,
    mark_connected,
    official_time_of_call,
)
from tests.conftest import NORRBOTTEN_LINE, STOCKHOLM, WARD_61, stockholm, via
from tests.fixtures_reports import OTHER_PATIENT, PATIENT, report_directly, run_cli

MONDAY_1158 = stockholm(2026, 11, 23, 11, 58)


def test_the_official_time_is_when_the_service_first_saw_the_call_not_when_it_was_confirmed(
    db_session: Session,
) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158, now=MONDAY_1158 + timedelta(minutes=4))
    assert report.official_at == MONDAY_1158
    assert report.confirmed_at == MONDAY_1158 + timedelta(minutes=4)
    assert len(report.reference) == 6 and report.reference.isdigit()


def test_registering_the_same_patient_of_a_call_again_returns_the_stored_report(db_session: Session) -> None:
    first = report_directly(db_session, first_seen=MONDAY_1158, call_sid="CA" + "1" * 32)
    again = report_directly(db_session, first_seen=MONDAY_1158, call_sid="CA" + "1" * 32)
    assert again.reference == first.reference
    assert db_session.scalar(select(text("count(*)")).select_from(Report)) == 1
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 2


def test_two_patients_in_one_call_share_the_official_time(db_session: Session) -> None:
    sid = "CA" + "2" * 32
    first = report_directly(db_session, first_seen=MONDAY_1158, call_sid=sid, position=1)
    second = report_directly(
        db_session, first_seen=MONDAY_1158 + timedelta(minutes=7), call_sid=sid, position=2, patient=OTHER_PATIENT
    )
    assert first.reference != second.reference
    assert first.official_at == second.official_at == MONDAY_1158


def test_a_one_receiver_report_queues_exactly_two_receipts_and_none_carries_the_patient(db_session: Session) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158)
    messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.template for m in messages] == ["report_receipt", "report_notice"]
    assert [m.to_number for m in messages] == ["+46701740606", "+46701740631"]  # Avd 61, Luleå kommun
    for message in messages:
        assert message.subject == f"report:{report.reference}"
        assert report.reference in message.body and "Utskrivningsklar" in message.body
        assert PATIENT not in message.body and PATIENT[2:] not in message.body and "Anna" not in message.body


def test_a_report_is_delivered_to_each_receiver_separately(db_session: Session) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158, receivers=("2580", "601"))
    assert [(d.position, d.receiver_code, d.receiver_name) for d in report.deliveries] == [
        (1, "2580", "Luleå kommun"),
        (2, "601", "Hälsocentralen Hertsön, Luleå"),
    ]
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 3


def test_the_same_patient_event_and_receiver_within_24_hours_is_a_duplicate(db_session: Session) -> None:
    first = report_directly(db_session, first_seen=MONDAY_1158)

    def duplicate(**changes: object) -> Report | None:
        query = {
            "patient_number": PATIENT,
            "event": "discharge_ready",
            "receiver_codes": ["2580"],
            "drill": False,
            "official_at": MONDAY_1158 + timedelta(hours=23),
            **changes,
        }
        return find_duplicate(session=db_session, **query)  # type: ignore[arg-type]

    found = duplicate()
    assert found is not None and found.reference == first.reference
    assert duplicate(official_at=MONDAY_1158 + timedelta(hours=25)) is None
    assert duplicate(patient_number=OTHER_PATIENT) is None
    assert duplicate(event="admission") is None
    assert duplicate(receiver_codes=["2581"]) is None
    assert duplicate(drill=True) is None


def test_a_duplicate_registered_anyway_is_kept_and_linked(db_session: Session) -> None:
    first = report_directly(db_session, first_seen=MONDAY_1158)
    second = report_directly(db_session, first_seen=MONDAY_1158 + timedelta(hours=1), duplicate_of=first.reference)
    assert second.duplicate_of == first.reference
    assert len(db_session.scalars(select(Report)).all()) == 2


def test_a_cancelled_report_is_no_longer_a_duplicate(db_session: Session) -> None:
    first = report_directly(db_session, first_seen=MONDAY_1158)
    cancel_report(
        timezone=STOCKHOLM,
        session=db_session,
        reference=first.reference,
        reason="fel patient",
        by="sjuksköterska",
        now=MONDAY_1158,
    )
    db_session.commit()
    found = find_duplicate(
        session=db_session,
        patient_number=PATIENT,
        event="discharge_ready",
        receiver_codes=["2580"],
        drill=False,
        official_at=MONDAY_1158,
    )
    assert found is None


def test_a_cancellation_is_a_new_entry_and_leaves_the_original_intact(db_session: Session, config: Config) -> None:
    original = report_directly(db_session, first_seen=MONDAY_1158)
    before = {c: getattr(original, c) for c in ("patient_number", "official_at", "entry_hash", "event")}
    code, out, err = run_cli(
        config, "reports", "cancel", original.reference, "--reason", "fel patient", "--by", "Berit"
    )
    assert code == 0, err
    db_session.expire_all()
    entries = db_session.scalars(select(Report).order_by(Report.seq)).all()
    assert len(entries) == 2
    kept, cancellation = entries
    assert {c: getattr(kept, c) for c in before} == before
    assert (cancellation.kind, cancellation.cancels, cancellation.reason, cancellation.made_by) == (
        "cancellation",
        original.reference,
        "fel patient",
        via("Berit"),
    )
    assert cancellation.reference in out
    assert [a.action for a in list_audit(session=db_session, action="reports.cancel")] == ["reports.cancel"]
    code, out, _ = run_cli(config, "audit", "verify")
    assert code == 0 and "2 entries" in out


def test_a_report_cannot_be_cancelled_twice_or_without_existing(db_session: Session, config: Config) -> None:
    original = report_directly(db_session, first_seen=MONDAY_1158)
    assert run_cli(config, "reports", "cancel", original.reference, "--reason", "fel", "--by", "Berit")[0] == 0
    code, _, err = run_cli(config, "reports", "cancel", original.reference, "--reason", "fel", "--by", "Berit")
    assert code != 0 and "already cancelled" in err
    code, _, err = run_cli(config, "reports", "cancel", "999999", "--reason", "fel", "--by", "Berit")
    assert code != 0 and "no report" in err


def _hand_edit(session: Session, statement: str, **params: object) -> None:
    """What someone with database access might do: bypass the application (and, on PostgreSQL, its trigger)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET session_replication_role = replica"))
    session.execute(text(statement), params)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET session_replication_role = DEFAULT"))
        session.commit()


def test_a_hand_edited_report_makes_audit_verify_fail_naming_it(db_session: Session, config: Config) -> None:
    reports = [
        report_directly(db_session, first_seen=MONDAY_1158 + timedelta(minutes=i), patient=p)
        for i, p in enumerate([PATIENT, OTHER_PATIENT, PATIENT])
    ]
    assert verify_chain(db_session).ok
    _hand_edit(
        db_session,
        "UPDATE reports SET official_at = :t WHERE reference = :r",
        t=(MONDAY_1158 - timedelta(hours=2)).replace(tzinfo=None)
        if db_session.get_bind().dialect.name == "sqlite"
        else MONDAY_1158 - timedelta(hours=2),
        r=reports[1].reference,
    )
    check = verify_chain(db_session)
    assert not check.ok and check.first_bad_reference == reports[1].reference and check.first_bad_seq == 2
    code, _, err = run_cli(config, "audit", "verify")
    assert code == 1 and reports[1].reference in err and "altered" in err


def test_a_hand_edited_receiver_breaks_the_chain_too(db_session: Session) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158)
    _hand_edit(db_session, "UPDATE report_deliveries SET receiver_code = '2581' WHERE report_id = :i", i=report.id)
    assert verify_chain(db_session).first_bad_reference == report.reference


def test_a_removed_entry_breaks_the_link_of_the_next_one(db_session: Session) -> None:
    reports = [report_directly(db_session, first_seen=MONDAY_1158 + timedelta(minutes=i)) for i in range(3)]
    _hand_edit(db_session, "DELETE FROM report_deliveries WHERE report_id = :i", i=reports[1].id)
    _hand_edit(db_session, "DELETE FROM reports WHERE id = :i", i=reports[1].id)
    check = verify_chain(db_session)
    assert not check.ok and check.first_bad_reference == reports[2].reference


@pytest.mark.postgres_only
def test_postgresql_refuses_to_update_or_delete_a_report(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    report = report_directly(db_session, first_seen=MONDAY_1158)
    for statement in (
        "UPDATE reports SET patient_number = '195704289999' WHERE id = :i",
        "UPDATE reports SET official_at = now() WHERE id = :i",
        "DELETE FROM reports WHERE id = :i",
        "DELETE FROM report_deliveries WHERE report_id = :i",
        "UPDATE report_deliveries SET receiver_code = '2581' WHERE report_id = :i",
    ):
        with pytest.raises(DBAPIError, match=r"append-only|never"):
            db_session.execute(text(statement), {"i": report.id})
        db_session.rollback()
    mark_acknowledged(session=db_session, row=report.deliveries[0], answered_call_sid="CA" + "3" * 32, now=MONDAY_1158)
    db_session.commit()  # setting a time once is allowed
    with pytest.raises(DBAPIError, match="set once"):
        db_session.execute(
            text("UPDATE report_deliveries SET acknowledged_at = now() WHERE report_id = :i"), {"i": report.id}
        )
    db_session.rollback()
    assert verify_chain(db_session).ok


def test_a_receiver_is_unacknowledged_until_someone_presses_1(db_session: Session, config: Config) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158, receivers=("2580", "601"))
    assert [(r.reference, d.receiver_code) for r, d in list_unacknowledged(session=db_session)] == [
        (report.reference, "2580"),
        (report.reference, "601"),
    ]
    mark_connected(session=db_session, row=report.deliveries[0], answered_call_sid="CA" + "4" * 32, now=MONDAY_1158)
    mark_acknowledged(
        session=db_session,
        row=report.deliveries[0],
        answered_call_sid="CA" + "4" * 32,
        now=MONDAY_1158 + timedelta(seconds=20),
    )
    db_session.commit()
    code, out, _ = run_cli(config, "reports", "unacknowledged", "--json")
    rows = json.loads(out)
    assert code == 0 and [(r["reference"], r["receiver_code"]) for r in rows] == [(report.reference, "601")]
    assert PATIENT not in out


def test_a_cancelled_report_is_not_listed_as_unacknowledged(db_session: Session) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158)
    cancel_report(
        timezone=STOCKHOLM, session=db_session, reference=report.reference, reason="fel", by="Berit", now=MONDAY_1158
    )
    db_session.commit()
    assert list_unacknowledged(session=db_session) == []


def test_the_export_holds_what_was_reported_and_is_written_to_the_access_log(
    db_session: Session, config: Config
) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158, receivers=("2580", "601"))
    other = report_directly(db_session, first_seen=MONDAY_1158 + timedelta(days=2), patient=OTHER_PATIENT)
    code, out, err = run_cli(
        config, "reports", "export", "--format", "json", "--from", "2026-11-23", "--to", "2026-11-23", "--by", "Revisor"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["reference"], r["receiver_code"]) for r in rows] == [
        (report.reference, "2580"),
        (report.reference, "601"),
    ]
    row = rows[0]
    assert row["official_time"] == "2026-11-23T11:58:00+01:00"
    assert row["patient_number"] == PATIENT
    assert row["event"] == "discharge_ready" and row["event_name"] == "Utskrivningsklar"
    assert row["reporting_unit"] == "Avdelning 61 medicin, Sunderby sjukhus" and row["reporting_unit_phone"] == WARD_61
    assert row["caller_name"] == "Anna Andersson" and row["drill"] is False and row["cancelled_by_reference"] is None
    code, out, _ = run_cli(config, "reports", "export", "--format", "csv", "--receiver", "2580", "--by", "Revisor")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0].startswith("reference,event,event_name,official_time")
    assert len(lines) == 3 and other.reference in out and OTHER_PATIENT in out
    db_session.expire_all()
    log = list_audit(session=db_session, action="reports.export")
    assert [entry.actor for entry in log] == [via("Revisor"), via("Revisor")]
    assert report.reference in log[0].detail and other.reference not in log[0].detail


def test_showing_a_report_reads_its_patient_number_and_is_logged(db_session: Session, config: Config) -> None:
    report = report_directly(db_session, first_seen=MONDAY_1158)
    code, out, _ = run_cli(config, "reports", "show", report.reference, "--by", "Berit")
    assert code == 0 and PATIENT in out
    db_session.expire_all()
    log = list_audit(session=db_session, action="reports.read_patient_number")
    assert [(e.actor, e.subject) for e in log] == [(via("Berit"), f"report:{report.reference}")]


def test_an_unfinished_report_is_kept_by_call_and_discarded(db_session: Session) -> None:
    state = CallState(call_sid="CA" + "5" * 32)
    put_draft(state, Draft(patient_number=PATIENT, event="admission"))
    save_state(session=db_session, state=state, now=MONDAY_1158)
    draft = draft_of(state)
    draft.event = "discharge"
    put_draft(state, draft)
    save_state(session=db_session, state=state, now=MONDAY_1158)
    db_session.commit()
    loaded = draft_of(load_state(session=db_session, call_sid=state.call_sid))
    assert (loaded.patient_number, loaded.event) == (PATIENT, "discharge")
    assert discard_state(session=db_session, call_sid=state.call_sid)
    db_session.commit()
    assert db_session.scalars(select(CallStateRow)).all() == []


def test_stale_call_states_are_purged(db_session: Session) -> None:
    save_state(session=db_session, state=CallState(call_sid="CA" + "6" * 32), now=MONDAY_1158)
    save_state(session=db_session, state=CallState(call_sid="CA" + "7" * 32), now=MONDAY_1158 + timedelta(hours=3))
    assert purge_stale_states(session=db_session, before=MONDAY_1158 + timedelta(hours=1)) == 1
    db_session.commit()
    assert [d.call_sid for d in db_session.scalars(select(CallStateRow))] == ["CA" + "7" * 32]


def test_the_official_time_of_a_call_the_service_never_saw_is_refused(db_session: Session) -> None:
    with pytest.raises(ReportError, match="never seen"):
        official_time_of_call(session=db_session, call_sid="CA" + "8" * 32)
    record_call_seen(
        session=db_session,
        call_sid="CA" + "8" * 32,
        from_number=WARD_61,
        to_number=NORRBOTTEN_LINE,
        status="ringing",
        now=MONDAY_1158,
    )
    assert official_time_of_call(session=db_session, call_sid="CA" + "8" * 32) == MONDAY_1158


def test_a_database_error_never_shows_the_statement_parameters(db_session: Session) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    with pytest.raises(SQLAlchemyError) as error:
        db_session.execute(text("SELECT * FROM no_such_table WHERE x = :pnr"), {"pnr": "191212121212"})
    db_session.rollback()
    assert "191212121212" not in str(error.value)
