"""`ivr lines show`: each outage number and where its calls go."""

from __future__ import annotations

import click

from ivr.commands import command_context, emit_json
from ivr.lines.models import Line, Lines


def _line(lines: Lines, key: str) -> Line:
    line = lines.by_key(key)
    if line is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(lines.keys)}", param_hint="--line")
    return line


@click.group()
def lines() -> None:
    """The outage numbers this service answers."""


@lines.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def lines_show(as_json: bool) -> None:
    """Each line: number (E.164), organisation, systems, menu keys, help desk, standby and switchboard."""
    from ivr.lines.service import code_numbers, line_as_dict

    with command_context() as ctx:
        session, runtime = ctx.session, ctx.runtime
        data = [line_as_dict(line, code_numbers(session=session, line=line)) for line in runtime.lines]
    if as_json:
        emit_json(data)
        return
    for line in data:
        menu = ", ".join(f"{k}={v}" for k, v in line["menu"].items())
        click.echo(f"{line['key']}: {line['number']} {line['organisation']} ({', '.join(line['systems'])})")
        click.echo(f"  menu {menu}")
        for role in ("help_desk", "standby", "switchboard"):
            click.echo(f"  {role:<12} {line[role]['code']:>6} {line[role]['number'] or '(not in directory)'}")
