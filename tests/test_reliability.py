"""A database that misbehaves never leaves a caller in silence, and never loses what was reported before.

Each test gives the service short bounds (a 1 s wait, a 3 s budget) and asserts what the caller hears, not how
long it took: the spoken apology and the line's switchboard, or the menu once the database is back.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from ivr.app import create_app
from ivr.caller import Call, HttpTransport
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.reports.chain import verify_chain
from ivr.reports.models import Report
from tests.conftest import (
    AUTH_TOKEN,
    BASE_URL,
    NORRBOTTEN_LINE,
    POSTGRES_ADMIN_URL,
    SWITCHBOARD,
    WARD_61,
    Caller,
    stockholm,
)
from tests.fixtures_reports import report_directly
from tests.servers import free_port, health, ivr_serve, service_env
from tests.tcp_proxy import StallingProxy
from tests.test_webhooks import call_params, signed_post

APOLOGY = "Förlåt, något gick fel hos oss"
MADE: list[Flask] = []


@pytest.fixture(autouse=True)
def dispose_apps() -> Iterator[None]:
    yield
    for app in MADE:
        app.extensions["ivr.engine"].dispose()
    MADE.clear()


def bounded_app(config: Config, clock: FrozenClock, **changes: object) -> Flask:
    """The service with short bounds: 1 s for any database wait, 3 s for a whole request, 2 request threads."""
    app = create_app(
        replace(config, db_wait_seconds=1, request_budget_seconds=3, db_threads=2, **changes),  # type: ignore[arg-type]
        clock=clock,
    )
    MADE.append(app)
    return app


def only(kind: str, config: Config) -> None:
    if not config.database_url.startswith(kind):
        pytest.skip(f"a fault of {kind}")


def assert_apology(call: Call) -> None:
    assert APOLOGY in call.heard
    assert call.dialled == [SWITCHBOARD]


def reported_before(db_session: Session) -> Report:
    return report_directly(db_session, first_seen=stockholm(2026, 11, 23, 9, 30))


def assert_still_there(db_session: Session, report: Report) -> None:
    db_session.expire_all()
    assert db_session.scalars(select(Report.reference)).all() == [report.reference]
    assert verify_chain(db_session).ok


def test_a_locked_sqlite_file_gets_the_caller_the_apology_and_health_says_unhealthy(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session
) -> None:
    only("sqlite", config)
    report = reported_before(db_session)
    service = bounded_app(config, clock)
    blocker = sqlite3.connect(config.database_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        assert_apology(Caller(service.test_client()).dial(WARD_61))
        assert service.test_client().get("/healthz").status_code == 503
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "Felanmälan: tryck 2" in Caller(service.test_client()).dial(WARD_61).heard
    assert service.test_client().get("/healthz").status_code == 200
    assert_still_there(db_session, report)


def test_a_locked_postgresql_table_gets_the_caller_the_apology_and_health_says_unhealthy(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session
) -> None:
    only("postgresql", config)
    report = reported_before(db_session)
    db_session.commit()
    service = bounded_app(config, clock)
    blocker = create_engine(config.database_url)
    try:
        with blocker.connect() as connection, connection.begin():
            connection.execute(text("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE"))
            assert_apology(Caller(service.test_client()).dial(WARD_61))
            assert service.test_client().get("/healthz").status_code == 503
    finally:
        blocker.dispose()
    assert "Felanmälan: tryck 2" in Caller(service.test_client()).dial(WARD_61).heard
    assert service.test_client().get("/healthz").status_code == 200
    assert_still_there(db_session, report)


def test_a_postgresql_that_stops_answering_never_leaves_a_caller_in_silence(
    app: Flask, config: Config, clock: FrozenClock, db_session: Session
) -> None:
    only("postgresql", config)
    report = reported_before(db_session)
    db_session.commit()
    proxy = StallingProxy(("127.0.0.1", 5432))
    try:
        through = config.database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        service = bounded_app(config, clock, database_url=through)
        client = service.test_client()
        assert "Felanmälan: tryck 2" in Caller(client).dial(WARD_61).heard  # connections through the proxy are pooled

        proxy.stall()
        for _ in range(4):  # more callers than request threads: the last ones are answered without waiting
            assert_apology(Caller(client).dial(WARD_61))
        assert client.get("/healthz").status_code == 503
        fallback = signed_post(client, "/voice/fallback", call_params(ErrorCode="11205"))
        assert fallback.status_code == 200 and f"<Dial>{SWITCHBOARD}</Dial>" in fallback.get_data(as_text=True)

        proxy.resume()
        assert "Felanmälan: tryck 2" in Caller(client).dial(WARD_61).heard
    finally:
        proxy.close()
    assert_still_there(db_session, report)


def test_a_database_that_is_not_there_at_all_gets_the_apology_at_once(
    app: Flask, config: Config, clock: FrozenClock, tmp_path: object
) -> None:
    only("postgresql", config)
    closed = config.database_url.replace("127.0.0.1:5432", "127.0.0.1:1")
    service = bounded_app(config, clock, database_url=closed)
    assert_apology(Caller(service.test_client()).dial(WARD_61))
    assert service.test_client().get("/healthz").status_code == 503


def test_an_unsigned_request_after_the_budget_is_still_refused(app: Flask, config: Config, clock: FrozenClock) -> None:
    only("sqlite", config)
    service = bounded_app(config, clock)
    blocker = sqlite3.connect(config.database_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = service.test_client().post("/voice", data=call_params(), base_url=BASE_URL)
        assert response.status_code == 403
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@pytest.fixture
def fresh_postgres_database(config: Config) -> Iterator[str]:
    """The name of a new, empty PostgreSQL database (dropped afterwards)."""
    only("postgresql", config)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"ivr_down_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_ivr_serve_starts_while_the_database_is_down_and_recovers_when_it_returns(
    fresh_postgres_database: str, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there yet: the database is "down"
    env = service_env(tmp_path, f"postgresql://127.0.0.1:{port}/{fresh_postgres_database}", IVR_DB_WAIT_SECONDS="1")
    with ivr_serve(env, statuses=(503,)) as (url, _process):
        call = Call(HttpTransport(), AUTH_TOKEN, url, from_number=WARD_61, to_number=NORRBOTTEN_LINE).start()
        assert_apology(call)
        proxy = StallingProxy(("127.0.0.1", 5432), port=port)  # the database comes back
        try:
            deadline = time.monotonic() + 60
            while True:  # migrated, and then the directory loaded: the caller's unit is known again
                heard = ""
                if health(url) == 200:
                    call = Call(HttpTransport(), AUTH_TOKEN, url, from_number=WARD_61, to_number=NORRBOTTEN_LINE)
                    heard = call.start().heard
                    assert APOLOGY not in heard
                if "Avdelning 61 medicin" in heard:
                    break
                assert time.monotonic() < deadline, f"the service never recovered; last heard {heard!r}"
                time.sleep(0.5)
            assert "Felanmälan: tryck 2" in heard
        finally:
            proxy.close()
