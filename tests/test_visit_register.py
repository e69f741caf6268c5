"""The client register and the visits file are read once at start-up; a bad one stops it with one line naming it."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from ivr.app import create_app
from ivr.clock import FrozenClock
from ivr.config import BUNDLED_CLIENTS, BUNDLED_VISITS, DEV_STAFF_SECRET_FILE, Config, ConfigError


def _copy_with(tmp_path: Path, bundled: Path, old: str, new: str) -> Path:
    text = bundled.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / bundled.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("4711,58101,", "4711,58001,", "clients.csv:8: team '58001' is not a home-care unit"),
        ("4712,58101,", "4711,58101,", "clients.csv:9: client code 4711 is listed twice"),
        ("4711,58101,", "194608239986,58101,", "clients.csv:8: client code '194608239986' must be 3-6 digits"),
        ("031-390 06 50", "031-390", "clients.csv:8: landline"),
        ("code,team,landline", "code,team,phone", "header must be code,team,landline"),
    ],
)
def test_a_bad_client_register_stops_start_up_naming_ivr_clients(
    tmp_path: Path, config: Config, clock: FrozenClock, old: str, new: str, problem: str
) -> None:
    path = _copy_with(tmp_path, BUNDLED_CLIENTS, old, new)
    with pytest.raises(ConfigError) as raised:
        create_app(replace(config, clients_path=path), clock=clock)
    assert raised.value.variable == "IVR_CLIENTS"
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("flag_open_after_hours = 3", "flag_open_after_hours = 0", "flag_open_after_hours must be"),
        ('"12" = "Dusch"', '"1" = "Dusch"', "code '1' must be 2-3 digits"),
        ('\n[interventions."58102"]', '\n[interventions."58001"]', "'58001' is not a home-care unit"),
        ("\n[interventions.default]", "\n[interventions.58101]", "teams 58201 have no catalogue"),
    ],
)
def test_a_bad_visits_file_stops_start_up_naming_ivr_visits(
    tmp_path: Path, config: Config, clock: FrozenClock, old: str, new: str, problem: str
) -> None:
    path = _copy_with(tmp_path, BUNDLED_VISITS, old, new)
    with pytest.raises(ConfigError) as raised:
        create_app(replace(config, visits_path=path), clock=clock)
    assert raised.value.variable == "IVR_VISITS"
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_the_data_file_settings_and_the_staff_code_secret_come_from_the_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        Config.from_env({"IVR_CLIENTS": str(tmp_path / "none.csv")}, instance_path=tmp_path)
    assert raised.value.variable == "IVR_CLIENTS"
    with pytest.raises(ConfigError) as raised:
        Config.from_env({"IVR_STAFF_CODE_SECRET": "short"}, instance_path=tmp_path)
    assert raised.value.variable == "IVR_STAFF_CODE_SECRET"
    assert Config.from_env({"IVR_STAFF_CODE_SECRET": "s" * 32}, instance_path=tmp_path).staff_code_secret == "s" * 32


def test_without_a_staff_code_secret_a_private_development_secret_is_kept(tmp_path: Path) -> None:
    first = Config.from_env({}, instance_path=tmp_path)
    second = Config.from_env({}, instance_path=tmp_path)
    path = tmp_path / DEV_STAFF_SECRET_FILE
    assert first.staff_code_secret_is_development
    assert first.staff_code_secret == second.staff_code_secret == path.read_text().strip()
    assert first.staff_code_secret != first.twilio_auth_token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
