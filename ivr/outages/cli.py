"""`ivr outage start|end|status`: the outages callers hear announced."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context, emit_json
from ivr.lines.models import Line
from ivr.runtime import Runtime


def _line(runtime: Runtime, key: str) -> Line:
    line = runtime.lines.by_key(key)
    if line is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(runtime.lines.keys)}", param_hint="--line")
    return line


@click.group()
def outage() -> None:
    """System outages: what callers hear first."""


def _moment(text: str | None, timezone: ZoneInfo, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a time such as 2026-12-01 08:00", param_hint=name) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)


@outage.command("start")
@click.option("--line", "line_key", required=True, help="The line, e.g. norrbotten.")
@click.option("--system", required=True, help="The system that is down, e.g. 'Lifecare SP'.")
@click.option("--planned", is_flag=True, help="A planned service window (needs --from and --to).")
@click.option("--from", "starts", default=None, help="Start, Swedish time (e.g. '2026-12-01 08:00'); default now.")
@click.option("--to", "ends", default=None, help="Planned end, Swedish time.")
@click.option("--drill", is_flag=True, help="An exercise: callers hear that it is a drill.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def outage_start(
    line_key: str, system: str, planned: bool, starts: str | None, ends: str | None, drill: bool, actor: str | None
) -> None:
    """Start (or plan) an outage; callers to the line hear it announced."""
    from ivr.outages.service import OutageError, start_outage

    with command_context() as ctx:
        session, timezone, runtime = ctx.session, ctx.runtime.timezone, ctx.runtime
        try:
            record = start_outage(
                session=session,
                line=_line(runtime, line_key),
                system=system,
                actor=actor or current_actor(),
                now=runtime.now(),
                starts_at=_moment(starts, timezone, "--from"),
                ends_at=_moment(ends, timezone, "--to"),
                planned=planned,
                drill=drill,
            )
        except OutageError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        since = record.starts_at.astimezone(timezone).isoformat()
        click.echo(
            f"outage {record.id}: {record.system} on {line_key} {'planned from' if planned else 'since'} {since}"
        )


@outage.command("end")
@click.option("--line", "line_key", required=True, help="The line, e.g. norrbotten.")
@click.option("--system", default=None, help="Only this system.")
@click.option("--id", "outage_id", default=None, type=int, help="Only this outage (also cancels a planned one).")
@click.option("--by", "actor", default=None, help=BY_HELP)
def outage_end(line_key: str, system: str | None, outage_id: int | None, actor: str | None) -> None:
    """End the outage(s) in progress on a line."""
    from ivr.outages.service import OutageError, end_outages

    with command_context() as ctx:
        session, runtime = ctx.session, ctx.runtime
        try:
            ended = end_outages(
                session=session,
                line=_line(runtime, line_key),
                actor=actor or current_actor(),
                now=runtime.now(),
                system=system,
                outage_id=outage_id,
            )
        except OutageError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        names = ", ".join(f"{o.id} ({o.system})" for o in ended)
    click.echo(f"ended outage {names}")


@outage.command("status")
@click.option("--line", "line_key", default=None, help="One line (default: every line).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def outage_status(line_key: str | None, as_json: bool) -> None:
    """Outages in progress (and how long they have lasted) and planned ones."""
    from ivr.outages.service import current_outages, outage_as_dict, upcoming_outages

    with command_context() as ctx:
        session, timezone, runtime = ctx.session, ctx.runtime.timezone, ctx.runtime
        if line_key is not None:
            _line(runtime, line_key)
        now = runtime.now()
        found = [*current_outages(session=session, line_key=line_key, now=now)]
        found += upcoming_outages(session=session, line_key=line_key, now=now)
        data = [outage_as_dict(o, line=runtime.lines.by_key(o.line_key), now=now, timezone=timezone) for o in found]
        from ivr.worklist.export import open_worklists  # ended outages with items still to enter (issue 6)

        worklists = open_worklists(session=session, now=now, timezone=timezone, line_key=line_key)
    if as_json:
        emit_json(
            {
                "in_progress": [d for d in data if d["state"] == "in_progress"],
                "planned": [d for d in data if d["state"] == "planned"],
                **({"worklist_open": worklists} if worklists else {}),
            }
        )
        return
    if not data:
        click.echo("no outage in progress or planned")
    for item in data:
        extra = " (phone routine applies)" if item["routine_applies"] else ""
        what = f"{item['id']} {item['line']} {item['system']}: {item['state']}"
        click.echo(f"{what} from {item['from']}, {item['lasted']}{extra}")
    for group in worklists:
        what = f"outage {group['outage']} ended {group['ended_at']}" if group["outage"] else "outside any outage"
        click.echo(
            f"{what}, {group['line']} {group['system']}: {group['open']} of {group['total']} worklist item(s) "
            "still to enter (ivr worklist list --open)"
        )
