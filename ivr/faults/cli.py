"""`ivr tickets list`: fault tickets from the voice line."""

from __future__ import annotations

import click

from ivr.commands import command_context, emit_json
from ivr.lines.models import Line, Lines
from ivr.notes import shown


def _line(lines: Lines, key: str) -> Line:
    line = lines.by_key(key)
    if line is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(lines.keys)}", param_hint="--line")
    return line


@click.group()
def tickets() -> None:
    """Fault tickets from the voice line."""


@tickets.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tickets_list(as_json: bool) -> None:
    """Filed tickets, newest first: reference, time, unit, system, kind, routed to, outcome."""
    from ivr.faults.service import attempts_of, list_tickets, ticket_as_dict

    with command_context() as ctx:
        session, timezone = ctx.session, ctx.runtime.timezone
        data = [
            ticket_as_dict(t, attempts_of(session=session, ticket_id=t.id), timezone)
            for t in list_tickets(session=session)
        ]
    if as_json:
        emit_json(data)
        return
    for t in data:
        reporter = t["reporter"]["name"] or ("(name recorded)" if t["reporter"]["name_recorded"] else "-")
        click.echo(
            f"{t['reference']} {shown(t['time'])} {t['unit']['name'] or '-'} | {reporter} | "
            f"{t['system'] or 'other system'} | {t['kind_name']} | {t['routed_to']} | {t['outcome']}"
        )
