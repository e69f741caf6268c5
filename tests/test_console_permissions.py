"""Who sees what: every console route, for users of several organisations and roles, on both databases.

A coordinator sees only reports where their organisation (or a unit under it) is reporter or receiver, and
tickets of their line; any other report, ticket or export answers 404. A role without the permission gets 403.
Every route is in ROUTES (a test checks that), and every route sends a visitor who is not logged in to the login.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from directory.loader import directory_as_csv
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.outages.service import start_outage
from ivr.web.context import runtime_of
from tests.conftest import stockholm
from tests.fixtures_console import AUDIO, RECORDING_PATH, USERS, World, add_console_user, logged_in_as, make_world

N, D = "norrbotten", "linkoping"
# (method, path, form data, {username: expected status}). Paths name {lulea}, {pitea} (reports),
# {north}, {south} (tickets), {outage} (a Norrbotten outage in progress).
ROUTES: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("GET", "/", {}, {"lulea": 200, "admin": 200, "auditor": 200, "finance": 403}),
    ("GET", "/live/rows", {}, {"lulea": 200, "admin": 200, "finance": 403}),
    (
        "GET",
        "/reports/{lulea}",
        {},
        {"lulea": 200, "sunderby": 200, "auditor": 200, "pitea": 404, "linkoping": 404, "admin": 403, "finance": 403},
    ),
    ("GET", "/reports/{pitea}", {}, {"pitea": 200, "lulea": 404, "linkoping": 404}),
    (
        "POST",
        "/reports/{lulea}/acknowledge",
        {"receiver": "2580"},
        {"lulea": 302, "pitea": 404, "linkoping": 404, "auditor": 403},
    ),
    ("POST", "/reports/{pitea}/acknowledge", {"receiver": "2581"}, {"lulea": 404, "pitea": 302}),
    ("POST", "/reports/{pitea}/acknowledge", {"receiver": "2580"}, {"lulea": 404}),
    ("POST", "/reports/{lulea}/acknowledge", {"receiver": "2581"}, {"pitea": 404}),
    (
        "POST",
        "/reports/{lulea}/cancel",
        {"reason": "fel patient"},
        {"sunderby": 302, "lulea": 404, "pitea": 404, "auditor": 403},
    ),
    ("GET", "/reports/{lulea}/recording/caller", {}, {"lulea": 200, "pitea": 404, "admin": 403}),
    ("GET", "/reports/{lulea}/recording/doctor", {}, {"lulea": 404}),
    ("GET", "/reports/export.csv", {}, {"lulea": 200, "pitea": 200, "admin": 403, "finance": 403, "auditor": 403}),
    ("GET", "/unacknowledged", {}, {"lulea": 200, "auditor": 200, "admin": 403, "finance": 403}),
    ("GET", "/tickets", {}, {"admin": 200, "lulea": 200, "lkadmin": 200, "finance": 403}),
    (
        "GET",
        "/tickets/{north}",
        {},
        {"admin": 200, "lulea": 200, "auditor": 200, "lkadmin": 404, "linkoping": 404, "finance": 403},
    ),
    ("GET", "/tickets/{south}", {}, {"lkadmin": 200, "linkoping": 200, "admin": 404, "lulea": 404}),
    (
        "POST",
        "/tickets/{north}/assign",
        {"assignee": "Bo"},
        {"admin": 302, "lulea": 302, "lkadmin": 404, "auditor": 403},
    ),
    ("POST", "/tickets/{north}/close", {"note": "omstartad"}, {"admin": 302, "lkadmin": 404, "auditor": 403}),
    ("GET", "/tickets/{north}/recording/voicemail", {}, {"admin": 200, "lkadmin": 404, "finance": 403}),
    ("GET", "/tickets/{south}/recording/voicemail", {}, {"lkadmin": 200, "admin": 404}),
    ("GET", "/tickets/{north}/recording/name", {}, {"admin": 404}),
    ("GET", "/outages", {}, {"admin": 200, "lkadmin": 200, "lulea": 403, "auditor": 403}),
    (
        "POST",
        "/outages",  # a service window ahead (Lifecare SP is already down: a second outage now is refused)
        {"line": N, "system": "Lifecare SP", "planned": "1", "from": "2026-11-30T08:00", "to": "2026-11-30T10:00"},
        {"admin": 302, "lkadmin": 404, "lulea": 403},
    ),
    ("POST", "/outages/{outage}/end", {"line": N}, {"admin": 302, "lkadmin": 404, "lulea": 403}),
    ("POST", "/outages/{outage}/end", {"line": D}, {"lkadmin": 404}),
    ("GET", "/schedule", {}, {"admin": 200, "lulea": 403, "finance": 403}),
    ("POST", "/schedule/norrbotten/override", {"target": "standby"}, {"admin": 302, "lkadmin": 404, "lulea": 403}),
    ("POST", "/schedule/norrbotten/reset", {}, {"admin": 302, "lkadmin": 404, "auditor": 403}),
    ("GET", "/directory", {}, {"admin": 200, "lulea": 403, "auditor": 403}),
    ("GET", "/directory.csv", {}, {"admin": 200, "lulea": 403}),
    ("POST", "/directory", {"text": "{directory}"}, {"admin": 302, "lulea": 403, "auditor": 403}),
    ("GET", "/liability", {}, {"finance": 200, "auditor": 200, "lulea": 403, "admin": 403}),
    ("GET", "/liability?municipality=2580", {}, {"finance": 200, "auditor": 200}),
    ("GET", "/liability?municipality=2581", {}, {"finance": 404, "auditor": 200}),
    ("GET", "/liability.csv", {}, {"finance": 200, "lulea": 403}),
    ("GET", "/liability.csv?municipality=2581", {}, {"finance": 404}),
    ("GET", "/worklist", {}, {"lulea": 200, "auditor": 200, "admin": 403, "finance": 403}),
    ("POST", "/worklist/report/{lulea}/done", {}, {"lulea": 302, "pitea": 404, "auditor": 403}),
    ("POST", "/worklist/report/{pitea}/done", {}, {"lulea": 404, "pitea": 302}),
    ("POST", "/worklist/report/{pitea}/reopen", {"reason": "fel"}, {"lulea": 404, "auditor": 403}),
    ("GET", "/sms", {}, {"admin": 200, "auditor": 200, "lulea": 403, "finance": 403}),
    ("GET", "/audit", {}, {"admin": 200, "auditor": 200, "lulea": 403}),
    ("GET", "/access-log", {}, {"auditor": 200, "admin": 200, "lulea": 403, "finance": 403}),
]
CASES = [
    pytest.param(method, path, data, user, status, id=f"{user}-{method}-{path}-{next(iter(data.values()), '')}")
    for method, path, data, expected in ROUTES
    for user, status in expected.items()
]


@pytest.fixture
def config(config: Config, httpserver: HTTPServer) -> Config:
    """Twilio's API is a local server here: the recording proxy fetches from it."""
    return replace(config, twilio_api_base_url=httpserver.url_for("/").rstrip("/"))


@pytest.fixture
def world(app: Flask, db_session: Session, clock: FrozenClock, httpserver: HTTPServer) -> World:
    httpserver.expect_request(RECORDING_PATH + ".mp3").respond_with_data(AUDIO, content_type="audio/mpeg")
    made = make_world(app, db_session, at=stockholm(2026, 11, 23, 9, 30))
    return made


def _fill(text: str, world: World, outage: int, directory: str) -> str:
    return text.format(
        lulea=world.lulea_report,
        pitea=world.pitea_report,
        north=world.norrbotten_ticket,
        south=world.linkoping_ticket,
        outage=outage,
        directory=directory,
    )


@pytest.mark.parametrize(("method", "path", "data", "user", "status"), CASES)
def test_each_route_answers_each_user_as_their_role_and_organisation_allow(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    clock: FrozenClock,
    world: World,
    method: str,
    path: str,
    data: dict[str, str],
    user: str,
    status: int,
) -> None:
    line = runtime_of(app).lines.by_key(N)
    assert line is not None
    outage = start_outage(session=db_session, line=line, system="Lifecare SP", actor="test", now=clock.now())
    db_session.commit()
    logged_in_as(client, add_console_user(db_session, user, now=clock.now(), password=None))
    directory = directory_as_csv(session=db_session)
    url = _fill(path, world, outage.id, directory)
    if method == "GET":
        answer = client.get(url)
    else:
        from tests.fixtures_console import post_form

        answer = post_form(client, url, {k: _fill(v, world, outage.id, directory) for k, v in data.items()})
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    if status == 404:
        body = answer.get_data(as_text=True)
        assert "Sidan finns inte" in body  # the Swedish page, never a traceback
        assert "194608239986" not in body and "195704289999" not in body


def test_every_console_route_is_in_the_permission_table(app: Flask) -> None:
    tested = {(method, path.split("?")[0]) for method, path, _, _ in ROUTES}
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("console.") and rule.endpoint != "console.static"
        for method in rule.methods or ()
        if method in ("GET", "POST")
    }
    normalised = {
        (
            m,
            p.replace("{lulea}", "<reference>")
            .replace("{pitea}", "<reference>")
            .replace("{north}", "<reference>")
            .replace("{south}", "<reference>")
            .replace("{outage}", "<int:outage_id>")
            .replace("/report/", "/<source>/")
            .replace("/norrbotten/", "/<line_key>/")
            .replace("/caller", "/<which>")
            .replace("/doctor", "/<which>")
            .replace("/voicemail", "/<which>")
            .replace("/name", "/<which>"),
        )
        for m, p in tested
    }
    assert rules - normalised == set()


def test_every_console_view_names_the_permission_it_needs(app: Flask) -> None:
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("console.") and endpoint != "console.static":
            assert hasattr(view, "required_permission"), endpoint


@pytest.mark.parametrize(("method", "path"), sorted({(m, p) for m, p, _, _ in ROUTES}))
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    url = _fill(path, world, 1, "")
    answer = client.get(url) if method == "GET" else client.post(url)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_every_role_in_the_table_is_a_known_user() -> None:
    assert {user for _, _, _, expected in ROUTES for user in expected} <= set(USERS)
