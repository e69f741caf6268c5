"""`ivr directory load|show|lookup`: the directory of units and numbers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ivr.commands import BY_HELP, command_context, emit_json


@click.group()
def directory() -> None:
    """The directory of units and numbers."""


@directory.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", "actor", default=None, help=BY_HELP)
def directory_load(file: Path, actor: str | None) -> None:
    """Replace the whole directory with FILE; a bad row, or a file that would leave a line without its help desk,
    standby or switchboard, rejects the file and keeps the old one. Audited."""
    from directory.loader import DirectoryError, load_directory_file
    from ivr.audit.service import current_actor, record_audit

    with command_context() as ctx:
        lines = ctx.runtime.lines
        try:
            count = load_directory_file(session=ctx.session, path=file, refuse=lines.problems_with)
        except DirectoryError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.ClickException("directory not loaded; the stored directory is unchanged") from exc
        record_audit(
            session=ctx.session,
            actor=current_actor(actor),
            action="directory.load",
            subject=str(file),
            detail={"units": count},
            now=ctx.runtime.now(),
        )
        ctx.session.commit()
    click.echo(f"loaded {count} units from {file}")


@directory.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def directory_show(as_json: bool) -> None:
    """Print every unit: kind, name, code, numbers (E.164), SMS number, hours."""
    from directory.lookup import all_units, unit_as_dict

    with command_context() as ctx:
        units = [unit_as_dict(u) for u in all_units(session=ctx.session)]
    if as_json:
        emit_json(units)
        return
    for unit in units:
        click.echo(
            f"{unit['code']:>6}  {unit['kind']:<16} {unit['name']:<48} "
            f"{' '.join(unit['numbers']) or '-':<14} sms {unit['sms'] or '-':<13} {unit['hours']}"
        )


@directory.command("lookup")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a name prints a list, best match first).")
def directory_lookup(query: str, as_json: bool) -> None:
    """Find a unit by its code or by phone number in any common format, or units by name ("Luleå", "Hertsön"),
    best match first."""
    from directory.lookup import find_units_by_name, lookup, unit_as_dict

    by_name = any(c.isalpha() for c in query)  # a code or a phone number has no letters
    with command_context() as ctx:
        if by_name:
            found = [unit_as_dict(u) for u in find_units_by_name(session=ctx.session, text=query)]
        else:
            unit = lookup(session=ctx.session, query=query)
            found = [unit_as_dict(unit)] if unit is not None else []
    if not found:
        if as_json:
            emit_json([] if by_name else None)
        click.echo(f"no unit found for {query!r}", err=True)
        sys.exit(1)
    if as_json:
        emit_json(found if by_name else found[0])
        return
    for row in found:
        click.echo(f"{row['name']} ({row['kind']}, code {row['code']}): {' '.join(row['numbers'])}")
