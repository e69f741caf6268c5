"""Fixtures: the app on SQLite and PostgreSQL, a frozen clock, and a caller that dials like Twilio."""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from directory.loader import load_directory_file
from ivr.app import create_app
from ivr.caller import Call, FlaskTransport
from ivr.clock import FrozenClock
from ivr.config import BUNDLED_DIRECTORY, Config
from ivr.migrate import upgrade
from ivr.persistence import make_engine
from ivr.schema import metadata

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Skatteverket's test personnummer (open data; tests/data/README.md says where they come from).
TESTDATA = Path(__file__).resolve().parent / "data"
AUTH_TOKEN = "feedfacecafebeef" * 2  # a test token: 32 hex digits, like Twilio's
STAFF_CODE_SECRET = "test-staff-code-secret-for-the-suite"
BASE_URL = "https://ivr.example.se"
POSTGRES_ADMIN_URL = os.environ.get("IVR_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
# Numbers from the bundled directory (all fictional PTS numbers, except the switchboard).
WARD_61 = "+46980319202"  # Avdelning 61 medicin, Sunderby sjukhus
WARD_62 = "+46980319203"  # Avdelning 62 kirurgi, Sunderby sjukhus
SWITCHBOARD = "+46920284000"  # Region Norrbottens växel (public)
NORRBOTTEN_LINE = "+46846500400"  # the Norrbotten outage number (fictional)
LINKOPING_LINE = "+46846500401"  # the Linköping outage number (fictional)
UNKNOWN_CALLER = "+46701740699"  # a fictional mobile that is in no directory


def stockholm(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock moment in Sweden."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def via(name: str) -> str:
    """How the audit records a CLI command run with `--by NAME`: the name and the OS user who ran it."""
    return f"{name} (via {getpass.getuser()})"


def _postgres_database() -> Iterator[str]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"ivr_test_{secrets.token_hex(4)}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("IVR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (IVR_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind, made once per test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        urls: Iterator[str] = iter([url])
    else:
        urls = _postgres_database()
    url = next(urls)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    for _ in urls:  # runs the PostgreSQL clean-up
        pass


def wipe(engine: Engine) -> None:
    """Empty every table (between tests)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def clock() -> FrozenClock:
    """The service's clock, frozen at Monday 23 November 2026, 10:00 in Sweden."""
    return FrozenClock(stockholm(2026, 11, 23, 10, 0))


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    """A test configuration: the bundled directory, a known auth token, no real Twilio account."""
    return Config(
        instance_path=tmp_path,
        database_url=database_url,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=AUTH_TOKEN,
        auth_token_is_development=False,
        twilio_sms_from="+46846500400",
        twilio_messaging_service_sid=None,
        twilio_api_base_url=None,
        public_url=None,
        directory_path=BUNDLED_DIRECTORY,
        timezone=STOCKHOLM,
        staff_code_secret=STAFF_CODE_SECRET,
    )


@pytest.fixture
def app(config: Config, clock: FrozenClock) -> Iterator[Flask]:
    """The service on a clean database holding the bundled directory."""
    app = create_app(config, clock=clock)
    engine: Engine = app.extensions["ivr.engine"]
    wipe(engine)
    with Session(engine) as session:
        load_directory_file(session=session, path=config.directory_path)
    yield app
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test database, for assertions on what was stored."""
    # On SQLite a test that looks at the database must neither hold the write lock the app needs nor read an
    # old snapshot: each of its reads sees the latest commit.
    with Session(app.extensions["ivr.engine"].execution_options(sqlite_begin="READS")) as session:
        yield session


class Caller:
    """Places calls against the app, in-process, the way Twilio does: `caller.dial(WARD_61).press("2")`."""

    def __init__(self, client: FlaskClient) -> None:
        self.transport = FlaskTransport(client)

    def dial(
        self,
        from_number: str = WARD_61,
        to_number: str = NORRBOTTEN_LINE,
        *,
        status_callback: str | None = "/voice/status",
    ) -> Call:
        """Ring the outage line from a number; returns the call waiting at its first prompt."""
        call = Call(
            self.transport,
            AUTH_TOKEN,
            BASE_URL,
            from_number=from_number,
            to_number=to_number,
            status_callback=status_callback,
        )
        return call.start()


@pytest.fixture
def caller(client: FlaskClient) -> Caller:
    return Caller(client)
