"""The generic pieces the console needs, in the domain and the core: scopes from the directory tree, the
database-backed login throttle, Swedish Excel CSV, liable days per month and the console's settings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from directory.lookup import descendant_codes, root_code
from ivr.clock import FrozenClock
from ivr.config import ConfigError, ConsoleSettings
from ivr.liability.report import build_liability_report, liable_days_by_month
from ivr.lines.service import lines_of_organisation
from ivr.spreadsheet import excel_csv, excel_value
from ivr.users.throttle import DatabaseStorage
from ivr.web.context import runtime_of
from tests.conftest import stockholm
from tests.fixtures_console import report_to


def test_an_organisation_covers_its_own_unit_and_every_unit_under_it(db_session: Session) -> None:
    sunderby = descendant_codes(session=db_session, code="100")
    assert sunderby == {"100", "101", "102", "103", "104"}
    assert descendant_codes(session=db_session, code="2580") == {"2580"}
    region = descendant_codes(session=db_session, code="25")
    assert {"2580", "2581", "101", "71010"} <= region and "0580" not in region and "58101" not in region
    assert descendant_codes(session=db_session, code="nope") == frozenset()
    assert root_code(session=db_session, code="101") == "25"
    assert root_code(session=db_session, code="58101") == "0580"


def test_an_organisation_belongs_to_the_line_of_its_directory_tree(app: Flask, db_session: Session) -> None:
    lines = runtime_of(app).lines
    assert [line.key for line in lines_of_organisation(session=db_session, lines=lines, code="2581")] == ["norrbotten"]
    assert [line.key for line in lines_of_organisation(session=db_session, lines=lines, code="58101")] == ["linkoping"]
    assert lines_of_organisation(session=db_session, lines=lines, code="999999") == []


def test_the_login_throttle_counts_in_the_database_shared_by_every_process(app: Flask) -> None:
    engine = app.extensions["ivr.engine"]
    first, second = DatabaseStorage(engine=engine), DatabaseStorage(engine=engine)  # two web processes
    assert first.incr("login:anna", 60) == 1
    assert second.incr("login:anna", 60) == 2
    assert first.get("login:anna") == 2 and second.get("login:bo") == 0
    assert first.get_expiry("login:anna") > 0 and first.check()
    assert second.incr("login:gone", -1) == 1  # an expired window starts again
    assert first.incr("login:gone", 60) == 1
    first.clear("login:anna")
    assert second.get("login:anna") == 0
    assert first.reset() == 1


def test_swedish_excel_gets_semicolons_decimal_commas_and_a_byte_order_mark() -> None:
    assert excel_value(12.5) == "12,5" and excel_value(Decimal("9300.50")) == "9300,5" and excel_value(3.0) == "3"
    assert (excel_value(True), excel_value(None), excel_value(7)) == ("ja", "", "7")
    data = excel_csv(["kommun", "belopp"], [["Luleå; norr", 1.25]])
    assert data == '\ufeffkommun;belopp\r\n"Luleå; norr";1,25\r\n'.encode()


def test_liable_days_are_counted_per_month_across_the_window(
    app: Flask, db_session: Session, clock: FrozenClock
) -> None:
    report_to(db_session, receiver="2580", at=stockholm(2026, 10, 20, 9, 0), event="admission")
    report_to(db_session, receiver="2580", at=stockholm(2026, 10, 26, 9, 0))  # liable from 29 October
    rt = runtime_of(app)
    report = build_liability_report(
        session=db_session,
        municipality_codes=["2580"],
        since=stockholm(2026, 10, 1).date(),
        until=stockholm(2026, 11, 3).date(),
        timezone=rt.timezone,
        rates=rt.rates,
        rules=rt.liability_rules,
    )
    both = dict(liable_days_by_month(report)), dict(liable_days_by_month(report, to_check=True))
    assert set(both[0]) == {"2026-10", "2026-11"}
    assert sum(both[0].values()) + sum(both[1].values()) == 3 + 3  # 29-31 October, 1-3 November


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IVR_SECRET_KEY", "short"),
        ("IVR_COOKIE_SECURE", "maybe"),
        ("IVR_SESSION_HOURS", "0"),
        ("IVR_LOGIN_RATE_LIMIT", "often"),
        ("IVR_LOGIN_ADDRESS_RATE_LIMIT", "5 per fortnight"),
        ("IVR_RATE_LIMIT_STORAGE", "memory://"),
        ("IVR_TRUSTED_PROXIES", "many"),
        ("IVR_LOGIN", "kerberos"),
        ("IVR_OIDC_METADATA_URL", "http://idp.example.se/.well-known/openid-configuration"),
    ],
)
def test_a_wrong_console_setting_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        ConsoleSettings.from_env({name: value})
    assert raised.value.variable == name


def test_oidc_login_needs_the_identity_providers_settings() -> None:
    with pytest.raises(ConfigError) as raised:
        ConsoleSettings.from_env({"IVR_LOGIN": "oidc", "IVR_OIDC_METADATA_URL": "https://idp.example.se/.well-known/x"})
    assert raised.value.variable == "IVR_OIDC_CLIENT_ID"
    settings = ConsoleSettings.from_env(
        {
            "IVR_LOGIN": "oidc",
            "IVR_OIDC_METADATA_URL": "https://idp.example.se/.well-known/openid-configuration",
            "IVR_OIDC_CLIENT_ID": "reservlinjen",
            "IVR_OIDC_CLIENT_SECRET": "s3cret",
            "IVR_COOKIE_SECURE": "false",
            "IVR_RATE_LIMIT_STORAGE": "redis://cache:6379",
        }
    )
    assert (settings.login, settings.cookie_secure, settings.rate_limit_storage) == (
        "oidc",
        False,
        "redis://cache:6379",
    )


def test_the_session_key_is_kept_in_the_instance_folder_when_not_set(tmp_path: Path) -> None:
    from dataclasses import replace

    from ivr.config import SECRET_KEY_FILE, Config

    config = Config.from_env({"IVR_INSTANCE_PATH": str(tmp_path)}, instance_path=tmp_path)
    key = config.secret_key()
    assert len(key) == 64 and (tmp_path / SECRET_KEY_FILE).read_text().strip() == key
    assert (tmp_path / SECRET_KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert config.secret_key() == key
    given = replace(config, console=ConsoleSettings(secret_key="k" * 40))
    assert given.secret_key() == "k" * 40
