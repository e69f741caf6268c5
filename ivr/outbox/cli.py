"""`ivr worker` sends the outbox; `ivr sms list` shows every message and how it went."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

import click

from ivr.commands import command_context, emit_json
from ivr.notes import shown


@click.command()
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option("--interval", default=2.0, show_default=True, type=float, help="Seconds between polls when idle.")
@click.option("--timeout", default=10.0, show_default=True, type=float, help="Seconds to wait for Twilio.")
@click.option("--lease", default=300, show_default=True, type=int, help="Seconds before an unfinished claim expires.")
def worker(once: bool, interval: float, timeout: float, lease: int) -> None:
    """Send the SMS outbox (printed on the console when no Twilio credentials are set)."""
    from datetime import timedelta

    from ivr.outbox.sender import ConsoleSender, sender_from_config
    from ivr.outbox.worker import Worker

    # twilio logs every request at INFO; the worker logs each message's outcome itself.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    with command_context() as ctx:
        sender = sender_from_config(ctx.runtime.config, timeout=timeout)
        if isinstance(sender, ConsoleSender):
            click.echo("no Twilio credentials: SMS are printed here instead of sent", err=True)
        runner = Worker(
            session_factory=ctx.session_factory,
            sender=sender,
            clock=ctx.runtime.clock,
            lease=timedelta(seconds=lease),
        )
        if once:
            outcomes = runner.run_once()
            summary = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) or "nothing due"
            click.echo(f"outbox: {summary}")
            return
        stop = threading.Event()

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()  # finish the message in hand, then exit (Procfile platforms send SIGTERM)

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        click.echo(f"outbox worker {runner.worker_id} running", err=True)
        runner.run(stop=stop, interval=interval)


@click.group()
def sms() -> None:
    """The SMS outbox: receipts and notices."""


@sms.command("list")
@click.option("--failed", is_flag=True, help="Only messages that will not arrive (failed or undelivered).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sms_list(failed: bool, as_json: bool) -> None:
    """Every message: recipient, template, status, attempts, last error, Twilio SID, subject, skip reason."""
    from ivr.outbox.service import list_messages, message_as_dict

    with command_context() as ctx:
        timezone, session = ctx.runtime.timezone, ctx.session
        rows = [message_as_dict(m, timezone=timezone) for m in list_messages(session=session, failed_only=failed)]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(_line(row))
    if not rows:
        click.echo("no messages", err=True)


def _line(row: dict[str, Any]) -> str:
    error = f" error {row['last_error_code'] or '-'}: {row['last_error']}" if row["last_error"] else ""
    skip = f" skipped: {row['skip_reason']}" if row["skip_reason"] else ""
    return (
        f"{row['id']:>6}  {shown(row['created_at'])}  {row['to'] or '-':<15} {row['template']:<24} {row['status']:<11} "
        f"attempts {row['attempts']}  sid {row['twilio_sid'] or '-'}  {row['subject']}{skip}{error}"
    )
