"""Whole calls under load: concurrent callers, each placing complete care reports and fault reports.

The service runs the production way: `ivr db upgrade`, then `--instances` copies of `ivr serve` (gunicorn) on
their own ports against one database, and `--workers-sms` copies of `ivr worker` sending SMS receipts to a fake
Twilio Messages API on loopback (bench/fake_twilio.py). Each caller is a thread driving the project's test
caller (ivr.caller) over HTTP with signed requests, its successive webhooks sent round-robin across the instances
(the call's state lives in the database), with human think time between the caller's actions (`--think`, ± half
of it; 0: saturation, a closed loop).

It reports, per webhook path (numbers in the path as {n}), the p50/p95/p99 latency the callers measured, the
server CPU (utime + stime of every `ivr serve` process and its gunicorn workers) per complete call, the SMS
workers' CPU, errors, and calls per minute. Then, once the outbox has drained, it checks the database: one report
per completed report call and no two for the same patient, event and receiver, an intact hash chain, one fault
ticket per completed fault call, and every outbox message taken by the fake Twilio exactly once.

    python bench/load_test.py [--db sqlite|postgresql] [--instances N] [--callers N] [--think S] [--duration S]

Exits 1 on any error, duplicate or missing record (never because of a timing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.fake_twilio import FakeTwilio  # noqa: E402
from bench.load.callers import ACCOUNT_SID, FLOWS, Patients, Plan, run_callers, ward_numbers  # noqa: E402
from bench.load.checks import (  # noqa: E402
    Load,
    check_database,
    figures,
    print_table,
    sent_per_worker,
    wait_for_outbox,
)
from bench.load.service import (  # noqa: E402
    Service,
    client_cpu_seconds,
    database,
    database_cpu,
    processes,
    running_service,
    service_env,
    tree_cpu,
)

POSTGRES_ADMIN_URL = os.environ.get("IVR_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")


def drive(args: argparse.Namespace, service: Service, url: str) -> Load:
    """Warm every web process up and let the outbox drain (not measured), measure idle CPU, then run the callers,
    measuring the processes' CPU from the first call to the last hang-up."""
    patients, wards = Patients(args.seed), ward_numbers()
    if args.warmup > 0:
        warm = Plan(service.bases, wards, args.mix, 0.0, time.monotonic() + args.warmup, patients, args.seed + 1)
        _, warmup_outcomes = run_callers(warm, 2 * args.workers * args.instances, first=args.callers)
        wait_for_outbox(url, args.drain)
    else:
        warmup_outcomes = []
    web, workers = [p.pid for p in service.web], [p.pid for p in service.workers]
    idle = 0.0
    if args.idle > 0:  # what the processes spend with nobody calling (gunicorn's and the workers' polling)
        quiet = processes()
        time.sleep(args.idle)
        now = processes()
        spent = tree_cpu(now, web) + tree_cpu(now, workers) - tree_cpu(quiet, web) - tree_cpu(quiet, workers)
        idle = max(spent, 0.0) / args.idle  # never below 0 (rounding to clock ticks)
    before, client_before = processes(), client_cpu_seconds()
    started = time.monotonic()
    plan = Plan(service.bases, wards, args.mix, args.think, started + args.duration, patients, args.seed)
    samples, outcomes = run_callers(plan, args.callers, first=0)
    finished = time.monotonic()
    after, client_after = processes(), client_cpu_seconds()
    return Load(
        samples=samples,
        outcomes=outcomes,
        warmup_outcomes=warmup_outcomes,
        idle_cpu_per_second=idle,
        started=started,
        window_end=plan.stop_at,
        finished=finished,
        server_cpu=tree_cpu(after, web) - tree_cpu(before, web),
        worker_cpu=tree_cpu(after, workers) - tree_cpu(before, workers),
        database_cpu=database_cpu(before, after, url.rsplit("/", 1)[1] if args.db == "postgresql" else ""),
        client_cpu=client_after - client_before,
    )


def parse_mix(value: str) -> dict[str, float]:
    """`report=0.8,fault=0.2` as weights."""
    mix: dict[str, float] = {}
    for part in value.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in FLOWS:
            raise argparse.ArgumentTypeError(f"unknown flow {name!r}; use {', '.join(FLOWS)}")
        try:
            mix[name.strip()] = float(weight)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{part!r} is not flow=weight") from exc
    if not any(w > 0 for w in mix.values()):
        raise argparse.ArgumentTypeError("give at least one flow a weight above 0")
    return mix


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="where to create the run's database")
    parser.add_argument("--instances", type=int, default=1, help="`ivr serve` processes on their own ports")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes per instance")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads per worker")
    parser.add_argument("--workers-sms", type=int, default=None, help="`ivr worker` processes (1; 2 with instances)")
    parser.add_argument("--callers", type=int, default=100, help="concurrent callers")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds during which callers start calls")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a caller's actions (0: closed loop)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("report=0.8,fault=0.2"))
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured calls first (0: none)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to measure idle CPU first (0: do not)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--drain", type=float, default=60.0, help="longest wait for the outbox to drain, seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.instances > 1 and args.db == "sqlite":
        parser.error("--instances above 1 needs --db postgresql: one SQLite file is not shared between hosts")
    if args.workers_sms is None:
        args.workers_sms = 2 if args.instances > 1 else 1
    if min(args.instances, args.workers, args.threads, args.workers_sms, args.callers) < 1:
        parser.error("--instances, --workers, --threads, --workers-sms and --callers must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ivr-load-")))
        url = stack.enter_context(database(args.db, folder, args.postgres_url))
        fake = stack.enter_context(FakeTwilio(ACCOUNT_SID))
        service = stack.enter_context(running_service(args, service_env(url, folder, fake.url), folder))
        load = drive(args, service, url)
        pending = wait_for_outbox(url, args.drain)
        checks, problems = check_database(url, [*load.warmup_outcomes, *load.outcomes], fake)
        if pending:
            problems.append(f"{pending} SMS still pending after {args.drain:g} s")
        result = figures(args, load, checks, problems, sent_per_worker(service))
    if args.json:
        print(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    else:
        print_table(result)
    return 1 if result.errors or result.problems or result.checks["webhooks_not_2xx"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
