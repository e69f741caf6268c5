"""Configuration is read once from the environment; a wrong value names its variable."""

import stat
from pathlib import Path

import pytest

from ivr.config import DEV_TOKEN_FILE, Config, ConfigError


def read(tmp_path: Path, **env: str) -> Config:
    return Config.from_env(env, instance_path=tmp_path)


def test_defaults_need_no_twilio_account_and_use_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    config = read(tmp_path)
    assert config.database_url == f"sqlite:///{tmp_path / 'outage-line.sqlite3'}"
    assert config.timezone.key == "Europe/Stockholm"
    assert config.directory_path.name == "directory.csv"
    assert config.twilio_credentials_present is False


def test_without_an_auth_token_a_development_token_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = read(tmp_path)
    second = read(tmp_path)
    token_file = tmp_path / DEV_TOKEN_FILE
    assert first.auth_token_is_development
    assert first.twilio_auth_token == second.twilio_auth_token == token_file.read_text().strip()
    assert len(first.twilio_auth_token) == 32
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


TWILIO_SETTINGS = {
    "TWILIO_AUTH_TOKEN": "f" * 32,
    "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
    "TWILIO_SMS_FROM": "08-465 004 00",
    "IVR_PUBLIC_URL": "https://ivr.example.se",
}


def test_a_real_auth_token_is_used_as_given(tmp_path: Path) -> None:
    config = read(tmp_path, **TWILIO_SETTINGS)
    assert config.twilio_auth_token == "f" * 32
    assert not config.auth_token_is_development
    assert config.twilio_credentials_present
    assert not (tmp_path / DEV_TOKEN_FILE).exists()


def test_heroku_style_postgres_urls_use_the_psycopg_driver(tmp_path: Path) -> None:
    config = read(tmp_path, DATABASE_URL="postgres://u@db.example:5432/line")
    assert config.database_url == "postgresql+psycopg://u@db.example:5432/line"


def test_the_sms_sender_is_stored_in_e164(tmp_path: Path) -> None:
    assert read(tmp_path, TWILIO_SMS_FROM="08-465 004 00").twilio_sms_from == "+46846500400"


def test_the_public_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    assert read(tmp_path, IVR_PUBLIC_URL="https://ivr.example.se/").public_url == "https://ivr.example.se"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("TWILIO_ACCOUNT_SID", "AB123"),
        ("TWILIO_SMS_FROM", "12"),
        ("TWILIO_MESSAGING_SERVICE_SID", "MGnothex"),
        ("TWILIO_API_BASE_URL", "ftp://example"),
        ("IVR_PUBLIC_URL", "http://ivr.example.se"),
        ("IVR_PUBLIC_URL", "https://ivr.example.se/?a=1"),
        ("IVR_DIRECTORY", "/no/such/file.csv"),
        ("IVR_TIMEZONE", "Mars/Olympus_Mons"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        read(tmp_path, **{variable: value})
    assert error.value.variable == variable
    assert str(error.value).startswith(f"{variable}: ")


@pytest.mark.parametrize("missing", ["TWILIO_ACCOUNT_SID", "TWILIO_SMS_FROM", "IVR_PUBLIC_URL", "TWILIO_AUTH_TOKEN"])
def test_a_half_configured_twilio_sender_stops_start_up_naming_what_is_missing(tmp_path: Path, missing: str) -> None:
    settings = {k: v for k, v in TWILIO_SETTINGS.items() if k != missing}
    if missing == "TWILIO_AUTH_TOKEN":
        settings["IVR_SMS_SENDER"] = "twilio"
    with pytest.raises(ConfigError) as error:
        read(tmp_path, **settings)
    assert error.value.variable == missing
    assert "Twilio" in str(error.value)


def test_printing_receipts_instead_of_sending_them_must_be_asked_for_once_a_token_is_set(tmp_path: Path) -> None:
    config = read(tmp_path, TWILIO_AUTH_TOKEN="f" * 32, IVR_SMS_SENDER="console")
    assert not config.twilio_credentials_present
    assert read(tmp_path, **TWILIO_SETTINGS).sms_sender == "twilio"
    with pytest.raises(ConfigError, match="IVR_SMS_SENDER"):
        read(tmp_path, IVR_SMS_SENDER="carrier-pigeon")


def test_with_a_real_token_and_no_database_url_the_instance_folder_is_made_for_sqlite(tmp_path: Path) -> None:
    instance = tmp_path / "new" / "instance"
    config = read(instance, TWILIO_AUTH_TOKEN="f" * 32, IVR_SMS_SENDER="console", IVR_STAFF_CODE_SECRET="s" * 32)
    assert instance.is_dir() and config.database_url.endswith("outage-line.sqlite3")
