"""What the console's pages show and do, through the same services as the phone line and the CLI."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.loader import directory_as_csv
from directory.lookup import find_unit_by_code
from ivr.audit.service import ACCESS_ACTIONS, list_audit
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.faults.models import FaultTicket
from ivr.outbox.models import OutboxMessage
from ivr.reports.models import ReportDelivery
from ivr.worklist.models import WorklistMark
from tests.conftest import WARD_61, Caller, stockholm
from tests.fixtures_console import (
    AUDIO,
    RECORDING_PATH,
    World,
    add_console_user,
    log_in,
    make_world,
    post_form,
    report_to,
)
from tests.fixtures_reports import OTHER_PATIENT, PATIENT


@pytest.fixture
def config(config: Config, httpserver: HTTPServer) -> Config:
    return replace(config, twilio_api_base_url=httpserver.url_for("/").rstrip("/"))


@pytest.fixture
def world(app: Flask, db_session: Session, httpserver: HTTPServer) -> World:
    httpserver.expect_request(RECORDING_PATH + ".mp3").respond_with_data(AUDIO, content_type="audio/mpeg")
    return make_world(app, db_session, at=stockholm(2026, 11, 23, 9, 30))


def as_user(app: Flask, db_session: Session, clock: FrozenClock, username: str) -> FlaskClient:
    add_console_user(db_session, username, now=clock.now())
    client = app.test_client()
    assert log_in(client, username).status_code == 302
    return client


def test_the_report_page_shows_every_field_and_writes_the_read_to_the_access_log(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    client = as_user(app, db_session, clock, "lulea")
    page = client.get(f"/reports/{world.lulea_report}").get_data(as_text=True)
    assert PATIENT in page and "Utskrivningsklar" in page and "2026-11-23 09.30" in page
    assert "Avdelning 61 medicin, Sunderby sjukhus" in page and "Anna Andersson" in page and "Luleå kommun" in page
    assert "api.twilio.com" not in page  # the recording plays through the proxy
    assert f"/reports/{world.lulea_report}/recording/caller" in page
    [read] = list_audit(session=db_session, action="reports.read_patient_number")
    assert (read.actor, read.subject) == ("lulea", f"report:{world.lulea_report}")
    assert read.at == clock.now()


def test_acknowledging_in_the_console_is_stored_like_the_phone_and_the_reporting_unit_gets_an_sms(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    client = as_user(app, db_session, clock, "lulea")
    answer = post_form(client, f"/reports/{world.lulea_report}/acknowledge", {"receiver": "2580"})
    assert answer.status_code == 302
    delivery = db_session.scalar(select(ReportDelivery).where(ReportDelivery.receiver_code == "2580"))
    assert delivery is not None and delivery.acknowledged_at == clock.now() and delivery.outcome == "acknowledged"
    [sms] = db_session.scalars(select(OutboxMessage).where(OutboxMessage.template == "report_acknowledged")).all()
    assert sms.to_number == "+46701740606" and PATIENT not in sms.body  # the ward's SMS number
    [ack] = list_audit(session=db_session, action="reports.acknowledge")
    assert ack.actor == "lulea" and '"channel": "console"' in ack.detail
    page = client.get(f"/reports/{world.lulea_report}").get_data(as_text=True)
    assert "Kvittera för" not in page
    assert "Rapporten är kvitterad" in page


def test_cancelling_from_the_console_sends_each_receiver_a_notice_and_shows_the_reason(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    client = as_user(app, db_session, clock, "sunderby")
    answer = post_form(client, f"/reports/{world.lulea_report}/cancel", {"reason": "fel patient angavs"})
    assert answer.status_code == 302
    notices = db_session.scalars(select(OutboxMessage).where(OutboxMessage.template == "report_cancelled")).all()
    assert {m.to_number for m in notices} == {"+46701740606", "+46701740631"}
    assert all("fel patient" not in m.body for m in notices)
    page = client.get(f"/reports/{world.lulea_report}").get_data(as_text=True)
    assert "Makulerad" in page and "fel patient angavs" in page and "Makulera rapporten" not in page


def test_the_export_holds_only_the_organisations_reports_for_swedish_excel_and_is_logged(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    client = as_user(app, db_session, clock, "lulea")
    answer = client.get("/reports/export.csv")
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "reference"
    assert [r[0] for r in rows[1:]] == [world.lulea_report]
    assert PATIENT in raw.decode() and OTHER_PATIENT not in raw.decode()
    [export] = list_audit(session=db_session, action="reports.export")
    assert export.actor == "lulea" and world.lulea_report in export.detail and world.pitea_report not in export.detail


def test_the_live_log_lists_the_organisations_reports_and_filters_them(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    report_to(db_session, receiver="2580", at=stockholm(2026, 11, 20, 8, 0), event="admission")
    client = as_user(app, db_session, clock, "lulea")
    page = client.get("/").get_data(as_text=True)
    assert world.lulea_report in page and world.pitea_report not in page
    assert world.norrbotten_ticket in page and world.linkoping_ticket not in page
    assert PATIENT not in page  # the log has no patient data
    rows = client.get("/live/rows?event=admission").get_data(as_text=True)
    assert "Inskrivning" in rows and world.lulea_report not in rows and world.norrbotten_ticket not in rows
    rows = client.get("/live/rows?from=2026-11-23&acknowledged=no").get_data(as_text=True)
    assert world.lulea_report in rows and "Inskrivning" not in rows
    rows = client.get("/live/rows?event=fault_ticket").get_data(as_text=True)
    assert world.norrbotten_ticket in rows and world.lulea_report not in rows
    rows = client.get("/live/rows?receiver=2581").get_data(as_text=True)
    assert world.pitea_report not in rows  # another organisation's receiver finds nothing


def test_the_unacknowledged_list_shows_the_organisations_receivers(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    page = as_user(app, db_session, clock, "pitea").get("/unacknowledged").get_data(as_text=True)
    assert world.pitea_report in page and world.lulea_report not in page and "Piteå kommun" in page


def test_a_voicemail_plays_through_the_proxy_and_the_ticket_is_assigned_and_closed(
    app: Flask, db_session: Session, clock: FrozenClock, world: World, httpserver: HTTPServer
) -> None:
    client = as_user(app, db_session, clock, "admin")
    page = client.get(f"/tickets/{world.norrbotten_ticket}").get_data(as_text=True)
    assert "Bo Berg" in page and "api.twilio.com" not in page and "RE111" not in page
    audio = client.get(f"/tickets/{world.norrbotten_ticket}/recording/voicemail")
    assert audio.status_code == 200 and audio.get_data() == AUDIO and audio.mimetype == "audio/mpeg"
    request, _ = httpserver.log[-1]
    assert request.authorization is not None and request.authorization.username == "AC" + "0" * 32
    assert post_form(client, f"/tickets/{world.norrbotten_ticket}/assign", {"assignee": "Cecilia"}).status_code == 302
    assert (
        post_form(client, f"/tickets/{world.norrbotten_ticket}/close", {"note": "Lösenord återställt"}).status_code
        == 302
    )
    ticket = db_session.scalar(select(FaultTicket).where(FaultTicket.reference == world.norrbotten_ticket))
    assert ticket is not None and ticket.assigned_to == "Cecilia" and ticket.close_note == "Lösenord återställt"
    assert ticket.closed_by == "admin" and ticket.closed_at == clock.now()
    assert post_form(client, f"/tickets/{world.norrbotten_ticket}/close", {"note": "igen"}).status_code == 400
    assert [e.action for e in list_audit(session=db_session, actions=ACCESS_ACTIONS)] == ["recordings.play"]


def test_a_recording_twilio_no_longer_has_answers_404(
    app: Flask, db_session: Session, clock: FrozenClock, world: World, httpserver: HTTPServer
) -> None:
    httpserver.clear()
    httpserver.expect_request(RECORDING_PATH + ".mp3").respond_with_data("gone", status=404)
    client = as_user(app, db_session, clock, "admin")
    assert client.get(f"/tickets/{world.norrbotten_ticket}/recording/voicemail").status_code == 404


def test_an_outage_started_in_the_console_is_announced_on_the_line(
    app: Flask, db_session: Session, clock: FrozenClock, caller: Caller
) -> None:
    client = as_user(app, db_session, clock, "admin")
    answer = post_form(client, "/outages", {"line": "norrbotten", "system": "Lifecare SP"})
    assert answer.status_code == 302
    assert "Sunderby sjukhus. Lifecare SP är nere sedan klockan tio." in caller.dial(WARD_61).heard
    page = client.get("/outages").get_data(as_text=True)
    assert "pågår" in page and "admin" in page and "2026-11-23 10.00" in page
    planned = {"line": "norrbotten", "system": "Lifecare SP", "planned": "1", "from": "2026-11-24T08:00"}
    assert post_form(client, "/outages", planned).status_code == 400  # a planned window needs its end
    planned["to"] = "2026-11-24T10:00"
    planned["drill"] = "1"
    assert post_form(client, "/outages", planned).status_code == 302
    assert "planerad" in client.get("/outages").get_data(as_text=True)


def test_the_schedule_can_be_overridden_and_reset(app: Flask, db_session: Session, clock: FrozenClock) -> None:
    client = as_user(app, db_session, clock, "admin")
    assert "användarstödet" in client.get("/schedule").get_data(as_text=True)  # Monday 10:00
    post_form(client, "/schedule/norrbotten/override", {"target": "standby", "note": "personalbrist"})
    page = client.get("/schedule").get_data(as_text=True)
    assert "<strong>beredskapen</strong>" in page and "Tillbaka till schemat" in page
    post_form(client, "/schedule/norrbotten/reset")
    assert "<strong>användarstödet</strong>" in client.get("/schedule").get_data(as_text=True)


def test_a_directory_that_leaves_a_line_without_its_help_desk_is_refused(
    app: Flask, db_session: Session, clock: FrozenClock
) -> None:
    client = as_user(app, db_session, clock, "admin")
    text = directory_as_csv(session=db_session)
    without_help_desk = "\n".join(line for line in text.splitlines() if not line.startswith("71010,"))
    answer = post_form(client, "/directory", {"text": without_help_desk})
    assert answer.status_code == 400
    assert "line norrbotten: help desk: code '71010' is not in the directory" in html.unescape(answer.get_data(True))
    assert find_unit_by_code(session=db_session, code="71010") is not None
    bad_row = text + "999,ward,Ny avdelning,100,0980-31 92 99,not a number,,yes\n"
    answer = post_form(client, "/directory", {"text": bad_row})
    assert answer.status_code == 400 and "not a phone number" in answer.get_data(as_text=True)
    renamed = text.replace("Teknikakuten,", "Teknikakuten IT,")
    assert post_form(client, "/directory", {"text": renamed}).status_code == 302
    db_session.expire_all()
    unit = find_unit_by_code(session=db_session, code="71010")
    assert unit is not None and unit.name == "Teknikakuten IT"
    upload = client.post(
        "/directory",
        data={"csrf_token": _token(client), "file": (io.BytesIO(("\ufeff" + text).encode()), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302


def _token(client: FlaskClient) -> str:
    from tests.fixtures_console import csrf_token

    return csrf_token(client)


def test_the_liability_report_shows_the_chart_and_its_csv_follows_swedish_excel(
    app: Flask, db_session: Session, clock: FrozenClock
) -> None:
    report_to(db_session, receiver="2580", at=stockholm(2026, 11, 2, 9, 0), event="admission")
    report_to(db_session, receiver="2580", at=stockholm(2026, 11, 5, 10, 0))  # discharge-ready, before 12.00
    report_to(db_session, receiver="2581", at=stockholm(2026, 11, 5, 10, 0), patient=OTHER_PATIENT)
    client = as_user(app, db_session, clock, "finance")
    page = client.get("/liability?since=2026-10-01&until=2026-11-23").get_data(as_text=True)
    assert "<svg" in page and "2026-11" in page and "Luleå kommun" in page
    assert "Piteå kommun (2581)" not in page and OTHER_PATIENT not in page
    csv_answer = client.get("/liability.csv?since=2026-10-01&until=2026-11-23")
    raw = csv_answer.get_data()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["row", "municipality_code", "municipality"]
    assert {r[1] for r in rows[1:]} == {"2580"}
    assert len(list_audit(session=db_session, action="liability.report")) == 2


def test_the_worklist_shows_the_exact_note_and_items_are_ticked_and_reopened(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    client = as_user(app, db_session, clock, "lulea")
    page = client.get("/worklist").get_data(as_text=True)
    assert f"Rapporterad per telefon via reservlinjen 2026-11-23 kl. 09.30, ref {world.lulea_report}" in page
    assert world.pitea_report not in page
    assert post_form(client, f"/worklist/report/{world.lulea_report}/done").status_code == 302
    assert "Klar 2026-11-23 10.00 av lulea" in client.get("/worklist").get_data(as_text=True)
    reopened = post_form(client, f"/worklist/report/{world.lulea_report}/reopen", {"reason": "fel datum"})
    assert reopened.status_code == 302
    marks = db_session.scalars(select(WorklistMark).order_by(WorklistMark.id)).all()
    assert [(m.action, m.by, m.reason) for m in marks] == [("done", "lulea", None), ("reopened", "lulea", "fel datum")]


def test_the_sms_audit_and_access_logs_show_what_happened(
    app: Flask, db_session: Session, clock: FrozenClock, world: World
) -> None:
    as_user(app, db_session, clock, "lulea").get(f"/reports/{world.lulea_report}")
    client = as_user(app, db_session, clock, "auditor")
    sms = client.get("/sms").get_data(as_text=True)
    assert "Avisering till mottagare" in sms and "070-174 06 31" in sms and PATIENT not in sms
    access = client.get("/access-log").get_data(as_text=True)
    assert "reports.read_patient_number" in access and f"report:{world.lulea_report}" in access
    assert "users.login" not in access
    assert "users.login" in client.get("/audit").get_data(as_text=True)
