"""`ivr outage start|end|status`: the outages callers hear announced."""

from __future__ import annotations

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context, local_moment
from ivr.lines.models import Line, Lines
from ivr.notes import local_text


def _line(lines: Lines, key: str) -> Line:
    line = lines.by_key(key)
    if line is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(lines.keys)}", param_hint="--line")
    return line


@click.group()
def outage() -> None:
    """System outages: what callers hear first."""


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
                line=_line(runtime.lines, line_key),
                system=system,
                actor=current_actor(actor),
                now=runtime.now(),
                starts_at=local_moment(starts, timezone, end_of_day=False, option="--from"),
                ends_at=local_moment(ends, timezone, end_of_day=False, option="--to"),
                planned=planned,
                drill=drill,
                timezone=timezone,
            )
        except OutageError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        since = local_text(record.starts_at, timezone)
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
                line=_line(runtime.lines, line_key),
                actor=current_actor(actor),
                now=runtime.now(),
                system=system,
                outage_id=outage_id,
            )
        except OutageError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        names = ", ".join(f"{o.id} ({o.system})" for o in ended)
    click.echo(f"ended outage {names}")


# `ivr outage status` is defined in ivr/worklist/cli.py: beside the outages it lists the worklists they left open.
