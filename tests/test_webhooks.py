"""Webhooks only Twilio can call, the call log, the fallback URL, health, and bad input."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from ivr.app import create_app
from ivr.calls.models import Call as CallRecord
from ivr.clock import FrozenClock
from ivr.config import Config
from tests.conftest import (
    AUTH_TOKEN,
    BASE_URL,
    LINKOPING_LINE,
    NORRBOTTEN_LINE,
    SWITCHBOARD,
    WARD_61,
    Caller,
    stockholm,
)

SID = "CA" + "1" * 32


def call_params(**extra: str) -> dict[str, str]:
    return {
        "CallSid": SID,
        "AccountSid": "AC" + "0" * 32,
        "From": WARD_61,
        "To": NORRBOTTEN_LINE,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed_post(
    client: FlaskClient,
    path: str,
    params: dict[str, str],
    *,
    base: str = BASE_URL,
    signed_for: str | None = None,
    token: str = AUTH_TOKEN,
) -> TestResponse:
    signature = RequestValidator(token).compute_signature((signed_for or base) + path, params)
    return client.post(path, data=params, base_url=base, headers={"X-Twilio-Signature": signature})


def test_a_forged_signature_gets_403_and_is_logged_without_the_body(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    params = call_params(Digits="191212121212")
    response = signed_post(client, "/voice", params, token="not-the-token")
    assert response.status_code == 403
    assert "refused unsigned webhook: POST /voice" in caplog.text
    assert "191212121212" not in caplog.text


@pytest.mark.parametrize("path", ["/voice", "/voice/status", "/voice/fallback"])
def test_every_voice_webhook_refuses_a_missing_signature(client: FlaskClient, path: str) -> None:
    assert client.post(path, data=call_params(), base_url=BASE_URL).status_code == 403


def test_a_signature_for_other_parameters_is_refused(client: FlaskClient) -> None:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + "/voice", call_params())
    tampered = call_params(From="+46701740650")
    response = client.post("/voice", data=tampered, base_url=BASE_URL, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_the_signature_is_checked_against_the_raw_url_with_its_encoded_characters(client: FlaskClient) -> None:
    # Werkzeug would decode %C3%A5 to å in request.url; Twilio signed the encoded form.
    response = signed_post(client, "/voice?steg=l%C3%A5ng%20v%C3%A4g", call_params())
    assert response.status_code == 200


def test_behind_a_proxy_the_public_url_is_what_twilio_signed(config: Config, clock: FrozenClock) -> None:
    client = other_app(config, clock, public_url="https://reservlinjen.example.se").test_client()
    ok = signed_post(
        client, "/voice", call_params(), base="http://127.0.0.1:8000", signed_for="https://reservlinjen.example.se"
    )
    assert ok.status_code == 200
    local = signed_post(client, "/voice", call_params(), base="http://127.0.0.1:8000")
    assert local.status_code == 403


def test_the_first_webhook_of_a_call_records_it_once_with_the_service_clock(
    client: FlaskClient, clock: FrozenClock, db_session: Session
) -> None:
    signed_post(client, "/voice", call_params())
    clock.advance(timedelta(seconds=40))
    signed_post(client, "/voice", call_params())  # Twilio retrying the same request
    record = db_session.scalars(select(CallRecord)).one()
    assert record.first_seen_at == stockholm(2026, 11, 23, 10, 0)
    assert record.first_seen_at.tzinfo is not None
    assert (record.from_number, record.to_number) == (WARD_61, NORRBOTTEN_LINE)


def test_status_callbacks_store_status_and_duration_even_out_of_order(client: FlaskClient, db_session: Session) -> None:
    signed_post(client, "/voice", call_params())
    done = call_params(
        CallStatus="completed", CallDuration="95", SequenceNumber="2", Timestamp="Mon, 23 Nov 2026 09:01:35 +0000"
    )
    assert signed_post(client, "/voice/status", done).status_code == 204
    late = call_params(CallStatus="in-progress", SequenceNumber="1")
    assert signed_post(client, "/voice/status", late).status_code == 204
    record = db_session.scalars(select(CallRecord)).one()
    assert (record.status, record.duration_seconds) == ("completed", 95)
    assert record.ended_at == stockholm(2026, 11, 23, 10, 1) + timedelta(seconds=35)


def test_a_status_callback_for_an_unknown_call_is_recorded_not_refused(
    client: FlaskClient, db_session: Session
) -> None:
    response = signed_post(client, "/voice/status", call_params(CallStatus="completed", CallDuration="3"))
    assert response.status_code == 204
    assert db_session.scalars(select(CallRecord)).one().status == "completed"


def test_a_signed_post_without_a_usable_call_sid_still_gets_the_spoken_apology(client: FlaskClient) -> None:
    params = call_params()
    del params["CallSid"]
    for bad in (params, call_params(CallSid="../../etc")):
        response = signed_post(client, "/voice", bad)
        assert response.status_code == 200 and response.content_type.startswith("text/xml")
        assert "Förlåt" in response.get_data(as_text=True)
        assert SWITCHBOARD in response.get_data(as_text=True)


def test_a_huge_body_gets_the_apology_before_anything_is_stored(client: FlaskClient, db_session: Session) -> None:
    response = signed_post(client, "/voice", call_params(SpeechResult="a" * 200_000))
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    assert "<Dial>" in response.get_data(as_text=True)
    assert db_session.scalars(select(CallRecord)).all() == []


def test_non_ascii_parameters_are_fine(client: FlaskClient) -> None:
    response = signed_post(client, "/voice", call_params(CallerName="Åsa Öberg-Ärlig", FromCity="LULEÅ"))
    assert response.status_code == 200
    assert response.content_type.startswith("text/xml")


def test_a_call_to_an_unconfigured_number_still_gets_a_spoken_answer(caller: Caller) -> None:
    call = caller.dial(WARD_61, "+46846500499")
    assert call.heard
    assert not call.ended or call.heard_all


@pytest.fixture(autouse=True)
def dispose_extra_apps() -> Iterator[None]:
    yield
    for app in EXTRA_APPS:
        app.extensions["ivr.engine"].dispose()
    EXTRA_APPS.clear()


EXTRA_APPS: list[Flask] = []


def other_app(config: Config, clock: FrozenClock, **changes: object) -> Flask:
    """The service with some settings changed; disposed after the test."""
    app = create_app(Config(**{**config.__dict__, **changes}), clock=clock)
    EXTRA_APPS.append(app)
    return app


def broken_app(config: Config, clock: FrozenClock, tmp_path: Path) -> Flask:
    """The service with a database that cannot answer: an empty SQLite file or a missing PostgreSQL db."""
    if config.database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}"
    else:
        url = config.database_url.rsplit("/", 1)[0] + "/ivr_no_such_database"
    return other_app(config, clock, database_url=url)


def test_the_fallback_url_answers_without_a_database(config: Config, clock: FrozenClock, tmp_path: Path) -> None:
    client = broken_app(config, clock, tmp_path).test_client()
    response = signed_post(client, "/voice/fallback", call_params(ErrorCode="11205", ErrorUrl=BASE_URL + "/voice"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "något gick fel" in body and f"<Dial>{SWITCHBOARD}</Dial>" in body


def test_a_failing_step_gets_the_caller_an_apology_and_the_switchboard(
    config: Config, clock: FrozenClock, tmp_path: Path
) -> None:
    client = broken_app(config, clock, tmp_path).test_client()
    response = signed_post(client, "/voice", call_params())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "något gick fel" in body and f"<Dial>{SWITCHBOARD}</Dial>" in body


def test_health_reports_the_database(client: FlaskClient, config: Config, clock: FrozenClock, tmp_path: Path) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    broken = broken_app(config, clock, tmp_path)
    if config.database_url.startswith("sqlite"):
        broken.extensions["ivr.engine"].dispose()
        (tmp_path / "never-migrated.sqlite3").unlink(missing_ok=True)
        (tmp_path / "never-migrated.sqlite3").mkdir()  # a directory where the database file should be
    assert broken.test_client().get("/healthz").status_code == 503


def test_the_fallback_on_the_linkoping_line_dials_linkopings_switchboard_without_a_database(
    config: Config, clock: FrozenClock, tmp_path: Path
) -> None:
    client = broken_app(config, clock, tmp_path).test_client()
    response = signed_post(client, "/voice/fallback", call_params(To=LINKOPING_LINE, ErrorCode="11205"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<Dial>+46313900601</Dial>" in body  # Linköpings kommuns växel (code 58000)
    assert SWITCHBOARD not in body


def test_a_failing_step_on_the_linkoping_line_apologises_and_dials_its_own_switchboard(
    config: Config, clock: FrozenClock, tmp_path: Path
) -> None:
    client = broken_app(config, clock, tmp_path).test_client()
    body = signed_post(client, "/voice", call_params(To=LINKOPING_LINE)).get_data(as_text=True)
    assert "något gick fel" in body and "<Dial>+46313900601</Dial>" in body


@pytest.mark.parametrize(
    ("path", "extra", "heard"),
    [
        ("/voice/menu/choice", {"Digits": "1" * 3000}, "Det valet finns inte"),
        ("/voice/menu/choice", {"Digits": "", "SpeechResult": "å" * 3000}, "Det valet finns inte"),
        ("/voice/fault/name?who=caller", {"SpeechResult": "Anna " * 900, "Confidence": "0.9" * 900}, "Ja: tryck 1"),
        ("/voice/connect/code", {"Digits": "9" * 2500}, "finns inte"),
        ("/voice/report/patient", {"Digits": "1" * 2100}, "tolv siffror"),
    ],
)
def test_over_long_parameters_get_spoken_twiml_with_a_way_on(
    client: FlaskClient, path: str, extra: dict[str, str], heard: str
) -> None:
    response = signed_post(client, path, call_params(**extra))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    assert heard in body
    assert "<Gather" in body  # asked again, not a dead end


@pytest.mark.parametrize("path", ["/voice", "/voice/menu/choice", "/voice/fault/kind/choice", "/voice/report/summary"])
def test_a_request_with_almost_nothing_in_it_still_gets_spoken_twiml(client: FlaskClient, path: str) -> None:
    response = signed_post(client, path, {"CallSid": "CA" + "1" * 32})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.content_type.startswith("text/xml")
    assert "<Say" in body or "<Redirect" in body  # something spoken, or the step that speaks
