"""`ivr audit log` and `ivr access log`: who did what, and who read whose patient data (PDL 4 kap. 3 §)."""

from __future__ import annotations

import json
from typing import Any

import click

from ivr.commands import command_context, emit_json, period


@click.group()
def audit() -> None:
    """The audit trail: read it, and check that the report store is intact."""


@click.group()
def access() -> None:
    """The access log: every read of a personnummer or a caller's recording."""


def _entries(
    *, action: str | None, actor: str | None, subject: str | None, start: str | None, end: str | None, access_only: bool
) -> list[dict[str, Any]]:
    from ivr.audit.service import ACCESS_ACTIONS, list_audit
    from ivr.notes import local_iso

    with command_context() as ctx:
        timezone = ctx.runtime.timezone
        since, until = period(start, end, timezone)
        entries = list_audit(
            session=ctx.session,
            action=action,
            actions=ACCESS_ACTIONS if access_only else None,
            actor=actor,
            subject=subject,
            since=since,
            until=until,
        )
        return [
            {
                "at": local_iso(e.at, timezone),
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "detail": json.loads(e.detail or "{}"),
            }
            for e in entries
        ]


def _echo(rows: list[dict[str, Any]], as_json: bool) -> None:
    from ivr.notes import shown

    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{shown(row['at'])}  {row['actor']:<24} {row['action']:<28} {row['subject']}")
    if not rows:
        click.echo("no entries", err=True)


_FILTERS = (
    click.option("--action", default=None, help="Only this action, e.g. outage.start."),
    click.option("--actor", default=None, help='Only this person, also as "NAME (via OS user)".'),
    click.option("--subject", default=None, help="Only this subject, e.g. report:482913."),
    click.option("--from", "start", default=None, help="From this date or time (local)."),
    click.option("--to", "end", default=None, help="Up to this date (inclusive) or time (exclusive), local."),
    click.option("--json", "as_json", is_flag=True, help="Print JSON."),
)


def _with_filters(command: Any) -> Any:
    for option in reversed(_FILTERS):
        command = option(command)
    return command


@audit.command("log")
@_with_filters
def audit_log(
    action: str | None, actor: str | None, subject: str | None, start: str | None, end: str | None, as_json: bool
) -> None:
    """Every audited action, oldest first: overrides, outages, cancellations, loads, exports, reads."""
    _echo(_entries(action=action, actor=actor, subject=subject, start=start, end=end, access_only=False), as_json)


@access.command("log")
@_with_filters
def access_log(
    action: str | None, actor: str | None, subject: str | None, start: str | None, end: str | None, as_json: bool
) -> None:
    """Who read which report's patient number (or export, liability report, recording), and when."""
    _echo(_entries(action=action, actor=actor, subject=subject, start=start, end=end, access_only=True), as_json)
