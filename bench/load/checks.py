"""What a load run (bench/load_test.py) found: the outbox drained, the records checked, the figures and the table.

Once the callers are done and the outbox has drained, the database is checked against the calls (one report per
completed report call and no two for the same patient, event and receiver, an intact hash chain, one fault ticket
per completed fault call, every outbox message taken by the fake Twilio exactly once), and the callers' latencies
and the processes' CPU are turned into the run's figures, printed as a table or as JSON.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.fake_twilio import FakeTwilio
from bench.load.callers import FLOWS, Outcome, Sample
from bench.load.service import Service
from ivr.faults.models import FaultTicket
from ivr.outbox.models import PENDING, OutboxMessage
from ivr.persistence import make_engine
from ivr.reports.chain import verify_chain
from ivr.reports.models import Report, ReportDelivery

SENT_LINE = re.compile(r"ivr\.outbox\.worker: sms \d+: sent")


@dataclass
class Load:
    """What the callers did and what it cost each kind of process, from the first call to the last hang-up."""

    samples: list[Sample]
    outcomes: list[Outcome]
    warmup_outcomes: list[Outcome]
    idle_cpu_per_second: float  # server and SMS workers together, with nobody calling
    started: float
    window_end: float
    finished: float
    server_cpu: float
    worker_cpu: float
    database_cpu: float
    client_cpu: float


@dataclass
class Figures:
    """Everything the run measured and checked (the --json output)."""

    settings: dict[str, object]
    webhooks: dict[str, dict[str, float]]
    completed: dict[str, int]
    requests_per_instance: list[int]
    sms_sent_per_worker: list[int]
    errors: int
    error_examples: list[str]
    calls_per_minute: float
    window_seconds: float
    server_cpu_ms_per_call: float
    sms_worker_cpu_ms_per_call: float
    database_cpu_ms_per_call: float
    client_cpu_ms_per_call: float
    idle_cpu_ms_per_second: float
    server_and_sms_cpu_ms_per_call_net_of_idle: float
    checks: dict[str, int | bool]
    problems: list[str] = field(default_factory=list)


def percentiles(seconds: list[float]) -> dict[str, float]:
    """count, p50, p95, p99 and max in milliseconds (nearest rank)."""
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000

    return {
        "count": len(ordered),
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": ordered[-1] * 1000,
    }


def wait_for_outbox(url: str, seconds: float) -> int:
    """Wait until no outbox message is pending (the workers poll every 2 s); returns how many still are."""
    engine = make_engine(url)
    try:
        deadline = time.monotonic() + seconds
        while True:
            with Session(engine) as session:
                pending = session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == PENDING)
                )
            if not pending or time.monotonic() > deadline:
                return int(pending or 0)
            time.sleep(0.5)
    finally:
        engine.dispose()


def sent_per_worker(service: Service) -> list[int]:
    """How many messages each SMS worker logged as sent (its log line `sms N: sent`)."""
    logs = [log for log in service.logs if log.name.startswith("worker-")]
    return [sum(1 for line in log.read_text(errors="replace").splitlines() if SENT_LINE.search(line)) for log in logs]


def check_database(url: str, outcomes: list[Outcome], fake: FakeTwilio) -> tuple[dict[str, int | bool], list[str]]:
    """Records against calls: one report / ticket per completed call, no duplicates, every SMS taken once."""
    done = [o for o in outcomes if o.error is None]
    started_sids = {o.call_sid for o in outcomes}
    problems: list[str] = []
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            reports = session.execute(
                select(Report.call_sid, Report.patient_number, Report.event, ReportDelivery.receiver_code).join(
                    ReportDelivery, ReportDelivery.report_id == Report.id
                )
            ).all()
            chain_ok = verify_chain(session).ok
            tickets = session.scalars(select(FaultTicket.call_sid).where(FaultTicket.reference.is_not(None))).all()
            outbox = session.execute(
                select(OutboxMessage.to_number, OutboxMessage.body, OutboxMessage.twilio_sid)
            ).all()
    finally:
        engine.dispose()
    per_report = Counter((patient, event, receiver) for _, patient, event, receiver in reports)
    report_sids = Counter(sid for sid, *_ in reports)
    ticket_sids = Counter(tickets)
    for o in done:
        wanted = report_sids if o.flow == "report" else ticket_sids
        if wanted[o.call_sid] != 1:
            problems.append(f"completed {o.flow} call {o.call_sid}: {wanted[o.call_sid]} records, not 1")
    strangers = [sid for sid in [*report_sids, *ticket_sids] if sid not in started_sids]
    if strangers:
        problems.append(f"{len(strangers)} records from calls this run never placed")
    sent = Counter((to or "", body) for to, body, sid in outbox if sid is not None)
    taken = Counter((m.to, m.body) for m in fake.inbox.taken)
    extra, missing = taken - sent, sent - taken
    sids = {sid for *_, sid in outbox if sid is not None}
    unknown_sids = [m.sid for m in fake.inbox.taken if m.sid not in sids]
    checks: dict[str, int | bool] = {
        "reports": len(reports),
        "report_duplicates": sum(n - 1 for n in per_report.values() if n > 1),
        "chain_intact": chain_ok,
        "fault_tickets": len(tickets),
        "outbox_messages": len(outbox),
        "outbox_sent": len(sids),
        "sms_taken": len(fake.inbox.taken),
        "sms_duplicates": fake.inbox.duplicates(),
        "sms_beyond_outbox": sum(extra.values()),
        "sms_missing": sum(missing.values()),
        "sms_unknown_sid": len(unknown_sids),
        "twilio_lookups": fake.inbox.lookups,
        "twilio_unexpected_requests": len(fake.inbox.unexpected),
    }
    for name in ("report_duplicates", "sms_beyond_outbox", "sms_missing", "sms_unknown_sid"):
        if checks[name]:
            problems.append(f"{name.replace('_', ' ')}: {checks[name]}")
    if not chain_ok:
        problems.append("the report hash chain does not verify")
    if fake.inbox.unexpected:
        problems.append(f"the fake Twilio got requests it does not serve: {fake.inbox.unexpected[:3]}")
    if len(sids) != len(outbox):
        problems.append(f"{len(outbox) - len(sids)} outbox messages were never sent")
    return checks, problems


def figures(
    args: argparse.Namespace, load: Load, checks: dict[str, int | bool], problems: list[str], sent: list[int]
) -> Figures:
    """The run's figures: latency per path and overall, CPU per complete call, calls per minute."""
    by_path: dict[str, list[float]] = {}
    for sample in load.samples:
        by_path.setdefault(sample.path, []).append(sample.seconds)
    webhooks = {path: percentiles(values) for path, values in sorted(by_path.items())}
    if load.samples:
        webhooks["(all webhooks)"] = percentiles([s.seconds for s in load.samples])
    done = [o for o in load.outcomes if o.error is None]
    errors = [o.error for o in load.outcomes if o.error is not None]
    examples = [f"{n} × {text}" for text, n in Counter(errors).most_common(5)]
    bad_status = sum(1 for s in load.samples if s.status not in (200, 204))
    in_window = sum(1 for o in done if o.ended_at <= load.window_end)
    calls = max(len(done), 1)
    return Figures(
        settings={k: v for k, v in vars(args).items() if k != "json"},
        webhooks=webhooks,
        completed={flow: sum(1 for o in done if o.flow == flow) for flow in FLOWS},
        requests_per_instance=[sum(1 for s in load.samples if s.instance == i) for i in range(args.instances)],
        sms_sent_per_worker=sent,
        errors=len(errors),
        error_examples=examples,
        calls_per_minute=in_window * 60 / max(load.window_end - load.started, 1e-9),
        window_seconds=load.finished - load.started,
        server_cpu_ms_per_call=load.server_cpu * 1000 / calls,
        sms_worker_cpu_ms_per_call=load.worker_cpu * 1000 / calls,
        database_cpu_ms_per_call=load.database_cpu * 1000 / calls,
        client_cpu_ms_per_call=load.client_cpu * 1000 / calls,
        idle_cpu_ms_per_second=load.idle_cpu_per_second * 1000,
        server_and_sms_cpu_ms_per_call_net_of_idle=(
            load.server_cpu + load.worker_cpu - load.idle_cpu_per_second * (load.finished - load.started)
        )
        * 1000
        / calls,
        checks={**checks, "webhooks_not_2xx": bad_status, "warmup_calls": len(load.warmup_outcomes)},
        problems=problems,
    )


def print_table(f: Figures) -> None:
    """A readable summary."""
    s = f.settings
    print(
        f"{s['callers']} callers, think {s['think']} s ± 50 %, {s['duration']} s, {s['db']}, "
        f"{s['instances']} instance(s) × {s['workers']} workers × {s['threads']} threads, "
        f"{s['workers_sms']} SMS worker(s), mix {s['mix']}"
    )
    print(
        f"\n{'webhook (latency seen by the caller, ms)':<52} {'count':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    )
    for path, p in f.webhooks.items():
        print(f"{path:<52} {p['count']:>7.0f} {p['p50']:>7.1f} {p['p95']:>7.1f} {p['p99']:>7.1f} {p['max']:>7.1f}")
    total = sum(f.completed.values())
    kinds = ", ".join(f"{flow} {n}" for flow, n in f.completed.items())
    spread = " + ".join(str(n) for n in f.requests_per_instance)
    print(f"\ncalls completed: {total} ({kinds}); errors: {f.errors}; {f.calls_per_minute:.1f} calls/min")
    print(f"webhooks per instance: {spread}; SMS sent per worker: {' + '.join(map(str, f.sms_sent_per_worker))}")
    print(
        f"CPU per complete call: server {f.server_cpu_ms_per_call:.1f} ms, SMS workers "
        f"{f.sms_worker_cpu_ms_per_call:.1f} ms, PostgreSQL {f.database_cpu_ms_per_call:.1f} ms, the bench's "
        f"callers {f.client_cpu_ms_per_call:.1f} ms (over {f.window_seconds:.1f} s)"
    )
    print(
        f"idle (nobody calling): server + SMS workers {f.idle_cpu_ms_per_second:.1f} ms CPU per second; net of "
        f"that, server + SMS workers {f.server_and_sms_cpu_ms_per_call_net_of_idle:.1f} ms per complete call"
    )
    c = f.checks
    print(
        f"database (with {c['warmup_calls']} warm-up calls): {c['reports']} reports ({c['report_duplicates']} "
        f"duplicates, chain "
        f"{'intact' if c['chain_intact'] else 'BROKEN'}), {c['fault_tickets']} fault tickets; SMS: "
        f"{c['outbox_messages']} in the outbox, {c['outbox_sent']} sent, {c['sms_taken']} taken by Twilio "
        f"({c['sms_duplicates']} duplicates, {c['sms_beyond_outbox']} beyond the outbox, {c['sms_missing']} missing)"
    )
    for example in f.error_examples:
        print(f"error: {example}")
    for problem in f.problems:
        print(f"problem: {problem}")
