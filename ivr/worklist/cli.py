"""`ivr worklist …`: what to enter once the system is back, who entered it, and an export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ivr.audit.service import current_actor
from ivr.commands import CommandContext, command_context, emit_json, write_private
from ivr.lines.models import Lines
from ivr.notes import shown
from ivr.outages.cli import outage
from ivr.outages.models import Outage

if TYPE_CHECKING:
    from ivr.worklist.service import OutageWorklist

SOURCE_CHOICE = click.Choice(["report", "fault_ticket", "visit"])


def _worklists(
    ctx: CommandContext, *, line_key: str | None = None, outage_id: int | None = None
) -> list[OutageWorklist]:
    from ivr.worklist.service import build_worklists

    if line_key is not None:
        _known_line(ctx.runtime.lines, line_key)
    if outage_id is not None and ctx.session.get(Outage, outage_id) is None:
        raise click.BadParameter(f"no outage {outage_id}", param_hint="--outage")

    return build_worklists(
        session=ctx.session,
        now=ctx.runtime.now(),
        timezone=ctx.runtime.timezone,
        lines=ctx.runtime.lines,
        visits=ctx.runtime.visits,
        line_key=line_key,
        outage_id=outage_id,
    )


@click.group()
def worklist() -> None:
    """After an outage: every report and fault ticket made during it, with the note to enter."""


@worklist.command("list")
@click.option("--open", "only_open", is_flag=True, help="Only items not yet marked done.")
@click.option("--line", "line_key", default=None, help="One line, e.g. norrbotten.")
@click.option("--outage", "outage_id", default=None, type=int, help="One outage (its id).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(only_open: bool, line_key: str | None, outage_id: int | None, as_json: bool) -> None:
    """The worklist per ended outage; look a patient up with `ivr reports show REF` (the read is logged)."""
    from ivr.worklist.export import worklist_as_dict

    with command_context() as ctx:
        lists = _worklists(ctx, line_key=line_key, outage_id=outage_id)
        data = [worklist_as_dict(w, ctx.runtime.timezone, only_open=only_open) for w in lists]
    if only_open:
        data = [d for d in data if d["items"] or _visit_groups(d)]
    if as_json:
        emit_json(data)
        return
    if not data:
        click.echo("nothing to enter" if only_open else "no ended outage yet")
    for group in data:
        _echo_group(group)


def _echo_group(group: dict[str, Any]) -> None:
    outage = group["outage"]
    if outage is None:
        click.echo(f"{group['line']}: reports outside any recorded outage ({group['open']} of {group['total']} open)")
    else:
        drill = " (drill)" if outage["drill"] else ""
        click.echo(
            f"outage {outage['id']} {outage['line']} {outage['system']}{drill}: {shown(outage['from'])} – "
            f"{shown(outage['to'])} ({group['open']} of {group['total']} open)"
        )
    routine = group["post_registration"]
    if routine is not None:
        click.echo(f"  {_against_threshold(routine)}")
        click.echo(f"  {routine['instruction']}")
    for item in group["items"]:
        _echo_item(item)
    for part in ("per_employee", "administrator"):
        staff = group["visits"][part]["staff"]
        if staff:
            click.echo(f"  {group['visits'][part]['heading']}:")
        for employee in staff:
            click.echo(
                f"    {employee['staff']['name']} (staff {employee['staff']['id']}, {employee['team']['name']}):"
            )
            for item in employee["items"]:
                _echo_item(item, indent="      ")


def _echo_item(item: dict[str, Any], indent: str = "  ") -> None:
    done = f"done by {item['done_by']} {shown(item['done_at'])}" if item["state"] == "done" else "OPEN"
    cancelled = f" (cancelled by {item['cancelled_by']}: correct the entry)" if item["cancelled_by"] else ""
    drill = " (drill)" if item.get("drill") else ""
    click.echo(f"{indent}{item['reference']}  {shown(item['made_at'])}  {item['title']}{cancelled}{drill}  [{done}]")
    click.echo(f"{indent}    {item['note']}")


def _visit_groups(group: dict[str, Any]) -> list[dict[str, Any]]:
    return [*group["visits"]["per_employee"]["staff"], *group["visits"]["administrator"]["staff"]]


@worklist.command("done")
@click.argument("reference")
@click.option("--by", "actor", default=None, help="Who entered it; audited beside the OS user.")
@click.option("--source", type=SOURCE_CHOICE, default=None, help="When a report and a ticket share the reference.")
def done_command(reference: str, actor: str | None, source: str | None) -> None:
    """Mark item REFERENCE as entered; only a new, audited `reopen` can undo it."""
    from ivr.worklist.marking import mark_done
    from ivr.worklist.service import WorklistError

    with command_context() as ctx:
        session = ctx.session
        lists = _worklists(ctx)
        try:
            item = mark_done(
                session=session,
                lists=lists,
                reference=reference,
                by=current_actor(actor),
                now=ctx.runtime.now(),
                source=source,
            )
        except WorklistError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"{item.source} {item.reference} marked done")


@worklist.command("reopen")
@click.argument("reference")
@click.option("--reason", required=True, help="Why it must be entered again (stored and audited).")
@click.option("--by", "actor", default=None, help="Who reopens it; audited beside the OS user.")
@click.option("--source", type=SOURCE_CHOICE, default=None, help="When a report and a ticket share the reference.")
def reopen_command(reference: str, reason: str, actor: str | None, source: str | None) -> None:
    """Open a done item again with a new marking; the earlier marking stays."""
    from ivr.worklist.marking import reopen
    from ivr.worklist.service import WorklistError

    with command_context() as ctx:
        session = ctx.session
        lists = _worklists(ctx)
        try:
            item = reopen(
                session=session,
                lists=lists,
                reference=reference,
                by=current_actor(actor),
                reason=reason,
                now=ctx.runtime.now(),
                source=source,
            )
        except WorklistError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"{item.source} {item.reference} is open again")


@worklist.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--open", "only_open", is_flag=True, help="Only items not yet marked done.")
@click.option("--line", "line_key", default=None, help="One line, e.g. norrbotten.")
@click.option("--outage", "outage_id", default=None, type=int, help="One outage (its id).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to a file.")
def export_command(fmt: str, only_open: bool, line_key: str | None, outage_id: int | None, output: Path | None) -> None:
    """Every item, one row each, with its note and who marked it done (no patient data)."""
    from ivr.worklist.export import export_rows, rows_as_csv, rows_as_json

    with command_context() as ctx:
        rows = export_rows(_worklists(ctx, line_key=line_key, outage_id=outage_id), ctx.runtime.timezone)
    if only_open:
        rows = [row for row in rows if row["state"] == "open"]
    text = rows_as_json(rows) if fmt == "json" else rows_as_csv(rows)
    if output is None:
        click.echo(text, nl=fmt == "json")
    else:
        write_private(output, text + ("\n" if fmt == "json" else ""))
        click.echo(f"{len(rows)} item(s) written to {output}", err=True)


def _against_threshold(routine: dict[str, Any]) -> str:
    """Hours of outage against the post-registration threshold, e.g. "post-registration: 6 h 0 min of 10 h"."""
    past = " (past it: the administration decides how)" if routine["over_threshold"] else ""
    return f"post-registration: {routine['lasted']} of {routine['threshold_hours']} h{past}"


def _outage_line(item: dict[str, Any]) -> str:
    """One outage as `ivr outage status` prints it: planned window or how long it has lasted, drill, routine."""
    what = f"{item['id']} {item['line']} {item['system']}"
    drill = " (drill)" if item["drill"] else ""
    if item["state"] == "planned":
        return f"{what}: planned {shown(item['from'])} – {shown(item['to'])}{drill}"
    planned_end = f", planned to end {shown(item['to'])}" if item["to"] else ""
    routine = ", the phone routine applies" if item["routine_applies"] else ""
    return f"{what}: in progress since {shown(item['from'])} ({item['lasted']}){planned_end}{drill}{routine}"


def _known_line(lines: Lines, key: str) -> None:
    if lines.by_key(key) is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(lines.keys)}", param_hint="--line")


@outage.command("status")
@click.option("--line", "line_key", default=None, help="One line (default: every line).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def outage_status(line_key: str | None, as_json: bool) -> None:
    """Outages in progress (and how long they have lasted) and planned ones."""
    from ivr.outages.service import current_outages, outage_as_dict, upcoming_outages
    from ivr.worklist.export import open_worklists  # ended outages with items still to enter

    with command_context() as ctx:
        session, timezone, runtime = ctx.session, ctx.runtime.timezone, ctx.runtime
        if line_key is not None:
            _known_line(runtime.lines, line_key)
        now = runtime.now()
        found = [*current_outages(session=session, line_key=line_key, now=now)]
        found += upcoming_outages(session=session, line_key=line_key, now=now)
        data = [outage_as_dict(o, line=runtime.lines.by_key(o.line_key), now=now, timezone=timezone) for o in found]
        worklists = open_worklists(
            session=session, now=now, timezone=timezone, lines=runtime.lines, visits=runtime.visits, line_key=line_key
        )
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
        click.echo(_outage_line(item))
        if item["post_registration"] is not None:
            click.echo(f"  {_against_threshold(item['post_registration'])}")
            click.echo(f"  {item['post_registration']['instruction']}")
    for group in worklists:
        ended = f"outage {group['outage']} ended {shown(group['ended_at'])}"
        what = ended if group["outage"] else "outside any outage"
        click.echo(
            f"{what}, {group['line']} {group['system']}: {group['open']} of {group['total']} worklist item(s) "
            "still to enter (ivr worklist list --open)"
        )
