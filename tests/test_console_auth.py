"""Logging in to the console: argon2 passwords, the throttle, CSRF, cookies, headers, and `ivr users`."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.users.models import RateLimitCounter, User
from ivr.users.service import disable_user, find_user, reset_password
from tests.fixtures_console import PASSWORD, add_console_user, csrf_token, log_in
from tests.fixtures_reports import run_cli


def test_a_user_logs_in_with_the_password_and_reaches_the_live_log(
    client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    answer = log_in(client, "LULEA ")
    assert answer.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Händelselogg" in page and "Inloggad som Lulea (samordnare, Luleå kommun)" in page
    stored = db_session.scalar(db_session.query(User).filter_by(username="lulea").statement)
    assert stored is not None and stored.password_hash and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_a_wrong_password_answers_401_in_swedish(client: FlaskClient, db_session: Session, clock: FrozenClock) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    answer = log_in(client, "lulea", "fel lösenord helt och hållet")
    assert answer.status_code == 401
    assert "Fel användarnamn eller lösenord." in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_failed_logins_are_throttled_per_account_in_the_database(
    app: Flask, db_session: Session, clock: FrozenClock
) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    for attempt in range(5):
        client = app.test_client()  # a new browser each time: the count is kept in the database, not the session
        assert log_in(client, "lulea", f"fel lösenord nummer {attempt}").status_code == 401
    assert log_in(app.test_client(), "lulea").status_code == 429
    assert "För många inloggningsförsök" in log_in(app.test_client(), "lulea").get_data(as_text=True)
    assert db_session.query(RateLimitCounter).count() >= 1
    add_console_user(db_session, "pitea", now=clock.now())
    assert log_in(app.test_client(), "pitea").status_code == 302  # another account still logs in


def test_failed_logins_are_throttled_per_address(app: Flask, db_session: Session, clock: FrozenClock) -> None:
    add_console_user(db_session, "pitea", now=clock.now())
    for attempt in range(20):
        assert log_in(app.test_client(), f"nobody{attempt}", "fel lösenord nummer ett").status_code == 401
    assert log_in(app.test_client(), "pitea").status_code == 429


def test_a_form_without_the_csrf_token_is_refused(client: FlaskClient, db_session: Session, clock: FrozenClock) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    assert client.post("/login", data={"username": "lulea", "password": PASSWORD}).status_code == 400
    log_in(client, "lulea")
    answer = client.post("/logout")
    assert answer.status_code == 400
    assert "Formuläret kunde inte tas emot" in answer.get_data(as_text=True)


def test_the_session_cookie_is_secure_httponly_and_samesite(
    client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    cookie = log_in(client, "lulea").headers["Set-Cookie"]
    assert "reservlinjen_session=" in cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_after_login_only_a_path_on_this_site_is_followed(
    client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    token = csrf_token(client)
    answer = client.post(
        "/login", data={"username": "lulea", "password": PASSWORD, "csrf_token": token, "next": "//evil.example"}
    )
    assert answer.headers["Location"] == "/"


def test_disabling_a_user_or_resetting_the_password_ends_open_sessions(
    app: Flask, db_session: Session, clock: FrozenClock
) -> None:
    add_console_user(db_session, "lulea", now=clock.now())
    add_console_user(db_session, "pitea", now=clock.now())
    first, second = app.test_client(), app.test_client()
    log_in(first, "lulea")
    log_in(second, "pitea")
    assert first.get("/").status_code == 200 and second.get("/").status_code == 200
    disable_user(session=db_session, username="lulea", by="test", now=clock.now())
    reset_password(session=db_session, username="pitea", password="ett helt nytt lösenord", by="test", now=clock.now())
    db_session.commit()
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302
    assert log_in(app.test_client(), "lulea").status_code == 401
    assert log_in(app.test_client(), "pitea", "ett helt nytt lösenord").status_code == 302


def test_the_login_page_tells_how_to_create_the_first_admin(client: FlaskClient) -> None:
    assert "ivr users add NAMN --role admin --organisation KOD" in client.get("/login").get_data(as_text=True)


def test_an_unexpected_error_shows_the_swedish_error_page_without_a_traceback(app: Flask) -> None:
    def broken() -> str:
        raise RuntimeError("secret detail 194608239986")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    answer = app.test_client().get("/broken-for-test")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "Ett fel uppstod hos oss" in body
    assert "Traceback" not in body and "194608239986" not in body and "RuntimeError" not in body


def test_ivr_users_add_list_disable_and_reset_password(config: Config, db_session: Session) -> None:
    env_input = f"{PASSWORD}\n{PASSWORD}\n"
    from click.testing import CliRunner

    from ivr.cli import main

    env = {
        "DATABASE_URL": config.database_url,
        "IVR_INSTANCE_PATH": str(config.instance_path),
        "TWILIO_AUTH_TOKEN": config.twilio_auth_token,
        "IVR_SMS_SENDER": "console",
    }
    runner = CliRunner()
    added = runner.invoke(
        main,
        ["users", "add", "Anna", "--role", "admin", "--organisation", "25", "--by", "ops"],
        input=env_input,
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "user anna added: admin of 25" in added.output
    short = runner.invoke(
        main, ["users", "add", "bo", "--role", "admin", "--organisation", "25"], input="kort\nkort\n", env=env
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    unknown = runner.invoke(
        main, ["users", "add", "bo", "--role", "admin", "--organisation", "99999"], input=env_input, env=env
    )
    assert unknown.exit_code == 1 and "no unit with code 99999" in unknown.output
    code, out, _ = run_cli(config, "users", "list")
    assert code == 0 and "anna" in out and "admin" in out and "active" in out
    reset = runner.invoke(main, ["users", "reset-password", "anna"], input="nytt långt lösenord\n" * 2, env=env)
    assert reset.exit_code == 0, reset.output
    code, out, _ = run_cli(config, "users", "disable", "anna", "--by", "ops")
    assert code == 0 and "disabled" in out
    user = find_user(session=db_session, username="anna")
    assert user is not None and not user.active and user.session_version == 3
    actions = [e.action for e in list_audit(session=db_session) if e.subject == "user:anna"]
    assert actions == ["users.add", "users.reset_password", "users.disable"]
    assert all(PASSWORD not in e.detail for e in list_audit(session=db_session))
