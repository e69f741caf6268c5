"""Real servers for tests that need one: `ivr serve` (gunicorn, several processes) on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import AUTH_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a service with a known auth token and no real Twilio account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
    env.update(
        IVR_INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url.replace("postgresql+psycopg://", "postgresql://"),
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        IVR_SMS_SENDER="console",
        **extra,
    )
    return env


def health(url: str) -> int | None:
    """The status /healthz answers, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_for(url: str, *, statuses: tuple[int, ...], seconds: float, process: subprocess.Popen[str]) -> int:
    """Wait until /healthz answers one of `statuses`; fail with the server's output if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        status = health(url)
        if status in statuses:
            return status
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            output = process.communicate(timeout=15)[0]
            raise AssertionError(f"the service never answered {statuses} (last {status}):\n{output[-4000:]}")
        time.sleep(0.3)


@contextmanager
def ivr_serve(
    env: dict[str, str], *args: str, statuses: tuple[int, ...] = (200,)
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`ivr serve` on a free port, until the block ends; waits until /healthz answers one of `statuses`."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ivr", "serve", "--port", str(port), "--no-sms-worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, statuses=statuses, seconds=60, process=process)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.communicate(timeout=20)
