"""The console in a real headless Chromium (Debian's package, driven by Playwright) against a real server.

The server is the app under Werkzeug's threaded server on 127.0.0.1, on SQLite; calls are placed over HTTP by
the Twilio-faithful test caller. Screenshots of the main pages are saved to test-artifacts/ (not committed), and
each page passes an axe-core accessibility check. IVR_REQUIRE_BROWSER=1 (CI) makes a missing browser an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from directory.loader import load_directory_file
from ivr.app import create_app
from ivr.caller import Call, HttpTransport
from ivr.clock import SystemClock
from ivr.config import BUNDLED_DIRECTORY, Config, ConsoleSettings
from ivr.migrate import upgrade
from ivr.persistence import make_engine
from ivr.reports.models import Report, ReportDelivery
from tests.conftest import AUTH_TOKEN, NORRBOTTEN_LINE, STOCKHOLM, WARD_61
from tests.fixtures_console import PASSWORD, add_console_user, report_to
from tests.fixtures_reports import OTHER_PATIENT, PATIENT, SAMORDNINGSNUMMER, to_summary

CHROMIUM = Path(os.environ.get("IVR_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000

if not CHROMIUM.is_file():
    if os.environ.get("IVR_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"IVR_REQUIRE_BROWSER=1 but there is no browser at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402  (after the skip: only with a browser)
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@dataclass(frozen=True)
class Server:
    """The running service: its base URL and its database."""

    url: str
    engine: Engine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = tmp_path_factory.mktemp("browser-instance")
    url = f"sqlite:///{instance / 'console.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_directory_file(session=session, path=BUNDLED_DIRECTORY)
        now = SystemClock().now()
        for username in ("lulea", "admin", "finance"):
            add_console_user(session, username, now=now)
    config = Config(
        instance_path=instance,
        database_url=url,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=AUTH_TOKEN,
        auth_token_is_development=False,
        twilio_sms_from="+46846500400",
        twilio_messaging_service_sid=None,
        twilio_api_base_url=None,
        public_url=None,
        directory_path=BUNDLED_DIRECTORY,
        timezone=STOCKHOLM,
        console=ConsoleSettings(cookie_secure=True),
    )
    app = create_app(config, clock=SystemClock())
    web: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    try:
        # "localhost": Chromium keeps Secure cookies for it over plain http, as for https.
        yield Server(url=f"http://localhost:{web.server_port}", engine=engine)
    finally:
        web.shutdown()
        thread.join(timeout=10)
        app.extensions["ivr.engine"].dispose()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    found = context.new_page()
    found.set_default_timeout(WAIT_MS)
    yield found
    context.close()


def log_in(page: Page, server: Server, username: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(server.url + "/")


def accessible(page: Page, name: str) -> None:
    """Save a screenshot, then check the page with axe-core: no violation at all."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def dial(server: Server) -> Call:
    """A call to the Norrbotten line from Avdelning 61, over HTTP, as Twilio places it."""
    call = Call(HttpTransport(), AUTH_TOKEN, server.url, from_number=WARD_61, to_number=NORRBOTTEN_LINE)
    return call.start()


def test_a_lulea_coordinator_sees_a_phoned_in_report_appear_opens_and_acknowledges_it_but_not_pitea(
    page: Page, server: Server
) -> None:
    with Session(server.engine) as session:
        pitea = report_to(session, receiver="2581", at=SystemClock().now(), patient=OTHER_PATIENT).reference
    log_in(page, server, "lulea")
    page.evaluate("window.notReloaded = true")
    accessible(page, "live-log")
    call = to_summary(dial(server))
    call.press("1")  # register the report
    call.hangup()
    with Session(server.engine) as session:
        reference = session.scalars(select(Report.reference).where(Report.patient_number == PATIENT)).one()
    row = page.get_by_role("link", name=reference)
    row.wait_for()  # the live log refreshes itself
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("link", name=pitea).count() == 0
    page.screenshot(path=str(ARTIFACTS / "live-log-with-report.png"), full_page=True)
    row.click()
    page.wait_for_url(f"{server.url}/reports/{reference}")
    assert page.locator("#patient-number").inner_text() == PATIENT
    accessible(page, "report")
    page.get_by_role("button", name="Kvittera för Luleå kommun").click()
    page.get_by_text("Rapporten är kvitterad").wait_for()
    with Session(server.engine) as session:
        delivery = session.scalars(
            select(ReportDelivery)
            .join(Report)
            .where(Report.reference == reference, ReportDelivery.receiver_code == "2580")
        ).one()
        assert delivery.acknowledged_at is not None
    answer = page.goto(f"{server.url}/reports/{pitea}")
    assert answer is not None and answer.status == 404
    assert page.get_by_text("Sidan finns inte").is_visible()
    assert OTHER_PATIENT not in page.content()
    accessible(page, "not-found")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(server.url + "/unacknowledged")
    accessible(page, "unacknowledged-phone")


def test_an_admin_starts_an_outage_and_the_voice_line_announces_it(page: Page, server: Server) -> None:
    log_in(page, server, "admin")
    page.goto(server.url + "/outages")
    accessible(page, "outages")
    page.get_by_label("Linje").select_option("norrbotten")
    page.get_by_label("System").select_option("Lifecare SP")
    page.get_by_role("button", name="Starta").click()
    page.get_by_text("Driftstörningen är registrerad").wait_for()
    assert page.get_by_role("button", name="Avsluta Lifecare SP").is_visible()
    call = dial(server)
    assert "Lifecare SP är nere sedan klockan" in call.heard
    call.hangup()
    for path, name in (
        ("/schedule", "schedule"),
        ("/directory", "directory"),
        ("/tickets", "tickets"),
        ("/sms", "sms-log"),
        ("/audit", "audit-log"),
    ):
        page.goto(server.url + path)
        accessible(page, name)
    page.goto(server.url + "/outages")
    page.get_by_role("button", name="Avsluta Lifecare SP").click()
    page.get_by_text("Driftstörningen är avslutad").wait_for()


def test_finance_opens_the_liability_report_with_its_chart_and_csv(page: Page, server: Server) -> None:
    today = SystemClock().now()
    with Session(server.engine) as session:  # a stay liable for some days: admitted, then discharge-ready
        report_to(session, receiver="2580", at=today - timedelta(days=12), event="admission", patient=SAMORDNINGSNUMMER)
        report_to(session, receiver="2580", at=today - timedelta(days=10), patient=SAMORDNINGSNUMMER)
    log_in(page, server, "finance")
    assert page.get_by_role("heading", name="Något gick fel").is_visible()  # finance has no live log
    page.goto(server.url + "/liability")
    page.get_by_role("heading", name="Betalningsansvar").wait_for()
    assert page.locator("svg.chart").first.is_visible()
    heights = page.locator("svg.chart rect.bar").evaluate_all("bars => bars.map(b => b.getBBox().height)")
    assert max(heights) > 0  # the stay's liable days stand as a bar
    assert SAMORDNINGSNUMMER in page.locator("section").first.inner_text()
    accessible(page, "liability")
    with page.expect_download() as download:
        page.locator("#liability-csv").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode()) and b";" in content
