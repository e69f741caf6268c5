"""`ivr serve` under gunicorn and `ivr call` against it, as a new user runs them (SQLite, bundled directory)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ivr(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh instance folder and no Twilio settings, like a new machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
    env["IVR_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    return env


@pytest.fixture(scope="module")
def server(local_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", "serve", "--port", str(port), "--workers", "2"],
        env=local_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    pytest.fail(f"ivr serve did not start:\n{output}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout:
            process.stdout.close()


def test_ivr_call_against_ivr_serve_hears_the_greeting_and_reaches_the_switchboard(
    server: str, local_env: dict[str, str]
) -> None:
    result = ivr("call", "--url", server, "--from", "0980-31 92 02", "--keys", "0", env=local_env)
    assert result.returncode == 0, result.stderr
    assert "Välkommen" in result.stdout
    assert "Avdelning 61 medicin, Sunderby sjukhus" in result.stdout
    assert "kopplar till +46920284000" in result.stdout


def test_ivr_call_answers_a_whisper_by_pressing_1_like_the_person_taking_the_call(
    server: str, local_env: dict[str, str]
) -> None:
    # Fault report: name by speech, confirm the unit from caller ID, system 1, fault kind 1.
    result = ivr(
        "call", "--url", server, "--from", "0980-31 92 02", "--keys", "2,say:Anna Andersson,1,1,1,1", env=local_env
    )
    assert result.returncode == 0, result.stderr
    assert "(viskning till den som svarar)" in result.stdout
    assert "Ingen tog samtalet" not in result.stdout


def test_a_forged_signature_is_refused_by_the_running_service(server: str, local_env: dict[str, str]) -> None:
    result = ivr("call", "--url", server, "--keys", "0", "--token", "0" * 32, env=local_env)
    assert result.returncode == 1
    assert "403" in result.stderr


def test_the_dev_token_was_created_in_the_instance_folder_and_announced(server: str, local_env: dict[str, str]) -> None:
    token = Path(local_env["IVR_INSTANCE_PATH"]) / "dev-twilio-auth-token"
    assert len(token.read_text().strip()) == 32


def test_a_wrong_setting_stops_start_up_naming_the_variable(local_env: dict[str, str]) -> None:
    result = ivr("serve", "--port", str(free_port()), env={**local_env, "IVR_TIMEZONE": "Europe/Atlantis"}, timeout=30)
    assert result.returncode != 0
    assert "IVR_TIMEZONE" in result.stderr


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("ivr serve")
    assert commands[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"\n{commands[1]}\n" in ci


def test_the_first_admin_made_with_ivr_users_logs_in_to_the_console_of_ivr_serve(
    server: str, local_env: dict[str, str]
) -> None:
    import http.client
    import re
    from urllib.parse import urlencode, urlsplit

    password = "ett-långt-lösenord-för-test"
    added = subprocess.run(
        [sys.executable, "-m", "ivr", "users", "add", "anna", "--role", "admin", "--organisation", "25"],
        env=local_env,
        input=f"{password}\n{password}\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    address = urlsplit(server)
    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=urlencode(body) if body else None, headers=headers)
        answer = connection.getresponse()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]
        text = answer.read().decode()
        connection.close()
        return answer.status, answer.headers.get("Location", ""), text

    status, _, page = request("GET", "/")
    assert status == 302
    status, _, page = request("GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert status == 200 and token
    # Several requests: gunicorn's two workers must share the session key from the instance folder.
    status, location, _ = request("POST", "/login", {"username": "anna", "password": password, "csrf_token": token[1]})
    assert (status, location) == (302, "/")
    for _ in range(4):
        status, _, page = request("GET", "/outages")
        assert status == 200 and "Driftstörningar" in page
