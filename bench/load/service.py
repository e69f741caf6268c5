"""The service under load (bench/load_test.py), started the production way, and the CPU its processes use.

A fresh database (a SQLite file, or a PostgreSQL database created and dropped), `ivr db upgrade`, the `ivr serve`
instances on their own loopback ports and the `ivr worker` SMS workers, each logging to a file, all stopped at the
end; and every process's CPU time as /proc shows it, so that a run can charge it to the web instances, the SMS
workers and PostgreSQL's backends.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, text

from bench.load.callers import ACCOUNT_SID, NORRBOTTEN_LINE, PUBLIC_URL, TOKEN

ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Service:
    """The running processes: web instances (base URLs and PIDs) and SMS workers."""

    bases: list[str]
    web: list[subprocess.Popen[bytes]]
    workers: list[subprocess.Popen[bytes]]
    logs: list[Path]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(database_url: str, instance: Path, twilio_url: str) -> dict[str, str]:
    """A production start: real signatures, SMS through (fake) Twilio, a public URL, explicit secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "IVR_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        IVR_INSTANCE_PATH=str(instance),
        IVR_PUBLIC_URL=PUBLIC_URL,
        IVR_SECRET_KEY=secrets.token_hex(32),
        IVR_STAFF_CODE_SECRET=secrets.token_hex(16),
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_SMS_FROM=NORRBOTTEN_LINE,
        TWILIO_API_BASE_URL=twilio_url,
    )
    return env


@contextmanager
def database(kind: str, folder: Path, admin_url: str) -> Iterator[str]:
    """A fresh database for the run: a SQLite file in `folder`, or a PostgreSQL database created and dropped."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'load.sqlite3'}"
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"ivr_load_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def running_service(args: argparse.Namespace, env: dict[str, str], folder: Path) -> Iterator[Service]:
    """Migrate, start the web instances and the SMS workers, wait until every instance is healthy; stop all."""
    subprocess.run([sys.executable, "-m", "ivr", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    service = Service(bases=[], web=[], workers=[], logs=[])
    with ExitStack() as stack:
        stack.callback(stop, service)

        def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
            log = folder / f"{name}.log"
            service.logs.append(log)
            output: IO[bytes] = stack.enter_context(log.open("wb"))
            return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)

        for number in range(args.instances):
            port = free_port()
            service.bases.append(f"http://127.0.0.1:{port}")
            options = ["--workers", str(args.workers), "--threads", str(args.threads), "--no-sms-worker"]
            command = [sys.executable, "-m", "ivr", "serve", "--host", "127.0.0.1", "--port", str(port), *options]
            service.web.append(start(f"serve-{number + 1}", command))
        for number in range(args.workers_sms):
            service.workers.append(start(f"worker-{number + 1}", [sys.executable, "-m", "ivr", "worker"]))
        for base, process, log in zip(service.bases, service.web, service.logs, strict=False):
            wait_healthy(base, process, log)
        yield service


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    """Wait until the instance's /healthz answers 200; fail with the end of its log if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:  # noqa: S310  (loopback)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} never became healthy:\n{log.read_text(errors='replace')[-3000:]}")


def stop(service: Service) -> None:
    """Stop every process (SIGTERM: gunicorn and the workers finish what they hold), then reap it."""
    processes = [*service.web, *service.workers]
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class ProcessTimes:
    """One process as /proc shows it: its parent, CPU seconds so far (utime + stime) and command line."""

    ppid: int
    cpu: float
    command: str


def processes() -> dict[int, ProcessTimes]:
    """Every process now, by PID."""
    table: dict[int, ProcessTimes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue  # the process ended while we looked
        ticks = int(fields[11]) + int(fields[12])
        table[int(entry.name)] = ProcessTimes(int(fields[1]), ticks / CLOCK_TICKS, command)
    return table


def tree_cpu(table: dict[int, ProcessTimes], roots: list[int]) -> float:
    """CPU seconds of the processes `roots` and all their descendants."""
    tree, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, p in table.items() if p.ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(table[pid].cpu for pid in tree if pid in table)


def database_cpu(before: dict[int, ProcessTimes], after: dict[int, ProcessTimes], name: str) -> float:
    """CPU seconds PostgreSQL's backends for database `name` used between two snapshots (0 for SQLite)."""
    if not name:
        return 0.0
    backends = [pid for pid, p in after.items() if p.command.startswith("postgres:") and f" {name} " in p.command]
    return sum(after[pid].cpu - (before[pid].cpu if pid in before else 0.0) for pid in backends)


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
