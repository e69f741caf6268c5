"""`ivr staff …` (the register of who may phone in visits) and `ivr visits …` (list, export, correct, hand over)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, CommandContext, command_context, emit_json, local_moment, write_private
from ivr.notes import VISIT_CLIENT, VISIT_CORRECTED_MARK, VISIT_WITHDRAWN_MARK

if TYPE_CHECKING:
    from ivr.visits.record import Visit

PER_CHOICE = click.Choice(["employee", "client"])


def _secret(ctx: CommandContext) -> str:
    return ctx.runtime.config.staff_code_secret


@click.group()
def staff() -> None:
    """The staff register: who may register home-care visits by phone (codes are stored only hashed)."""


@staff.command("add")
@click.option("--name", required=True, help="First and last name (spoken back to the staff member).")
@click.option("--team", "team_code", required=True, help="The home-care unit's directory code, e.g. 58101.")
@click.option("--code", default=None, help="A personal code of 4-8 digits (default: a new random 6-digit code).")
@click.option("--by", "actor", default=None, help=BY_HELP)
def staff_add(name: str, team_code: str, code: str | None, actor: str | None) -> None:
    """Add a staff member; a new random code is printed once, to be handed over in person."""
    from ivr.visits.staff import StaffError, add_staff

    with command_context() as ctx:
        session, runtime = ctx.session, ctx.runtime
        try:
            member, given = add_staff(
                session=session,
                name=name,
                team_code=team_code,
                code=code,
                secret=_secret(ctx),
                teams=runtime.visits.teams,
                by=current_actor(actor),
                now=runtime.now(),
            )
        except StaffError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        team = runtime.visits.team_name(member.team_code)
    click.echo(f"staff {member.id}: {member.name}, {team} ({member.team_code})")
    if code is None:
        click.echo(f"personal code {given} (shown only now: hand it over in person)")


@staff.command("list")
@click.option("--team", "team_code", default=None, help="One team (its directory code).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff_list(team_code: str | None, as_json: bool) -> None:
    """The register: id, name, team, whether the code works (never the code itself)."""
    from ivr.visits.staff import list_staff, staff_as_dict

    with command_context() as ctx:
        runtime = ctx.runtime
        members = list_staff(session=ctx.session, team_code=team_code)
        data = [staff_as_dict(m, runtime.visits.teams, runtime.timezone) for m in members]
    if as_json:
        emit_json(data)
        return
    for item in data:
        state = "active" if item["active"] else f"disabled {item['disabled']} by {item['disabled_by']}"
        click.echo(f"{item['id']:>5}  {item['name']:<30} {item['team']['name']} ({item['team']['code']})  {state}")
    if not data:
        click.echo("nobody in the staff register", err=True)


@staff.command("disable")
@click.argument("staff_id", type=int)
@click.option("--by", "actor", default=None, help=BY_HELP)
def staff_disable(staff_id: int, actor: str | None) -> None:
    """Stop STAFF_ID's code from working; the visits they registered stay theirs, and the code stays taken."""
    from ivr.visits.staff import StaffError, disable_staff

    with command_context() as ctx:
        try:
            member = disable_staff(
                session=ctx.session, staff_id=staff_id, by=current_actor(actor), now=ctx.runtime.now()
            )
        except StaffError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
    click.echo(f"staff {member.id} ({member.name}) disabled")


@staff.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "actor", default=None, help=BY_HELP)
def staff_import(path: Path, actor: str | None) -> None:
    """Add everyone in a CSV file (name,team,code; an empty code gets a random one), or nobody if a row is bad."""
    from ivr.visits.staff import StaffError, import_staff, read_staff_file

    with command_context() as ctx:
        session, runtime = ctx.session, ctx.runtime
        try:
            added = import_staff(
                session=session,
                rows=read_staff_file(path),
                secret=_secret(ctx),
                teams=runtime.visits.teams,
                by=current_actor(actor),
                now=runtime.now(),
                source=str(path),
            )
        except StaffError as exc:
            raise click.ClickException(f"{exc} (nobody was added)") from exc
        session.commit()
    for row, member, code in added:
        generated = "" if row.code else f", personal code {code} (shown only now)"
        click.echo(f"staff {member.id}: {member.name} ({member.team_code}){generated}")
    click.echo(f"{len(added)} staff member(s) added from {path}", err=True)


# ---- visits ------------------------------------------------------------------------------------------------


@click.group()
def visits() -> None:
    """Home-care visits phoned in while TES is down: list, export for TES, correct, hand over."""


def _visits(
    ctx: CommandContext,
    *,
    start: str | None,
    end: str | None,
    team_code: str | None = None,
    staff_id: int | None = None,
    client_code: str | None = None,
    include_withdrawn: bool = False,
) -> list[Visit]:
    from ivr.visits.record import list_visits

    timezone = ctx.runtime.timezone
    return list_visits(
        session=ctx.session,
        now=ctx.runtime.now(),
        flag_open_after=ctx.runtime.visits.flag_open_after,
        start=local_moment(start, timezone, end_of_day=False, option="--from"),
        end=local_moment(end, timezone, end_of_day=True, option="--to"),
        team_code=team_code,
        staff_id=staff_id,
        client_code=client_code,
        include_void=include_withdrawn,
    )


@visits.command("list")
@click.option("--from", "start", default=None, help="From this date or time (Swedish time; a date means 00:00).")
@click.option("--to", "end", default=None, help="Up to this date (inclusive) or time (exclusive).")
@click.option("--per", type=PER_CHOICE, default="employee", show_default=True, help="Group per employee or client.")
@click.option("--team", "team_code", default=None, help="One team (its directory code).")
@click.option("--staff", "staff_id", default=None, type=int, help="One staff member (their id).")
@click.option("--client", "client_code", default=None, help="One client (their code).")
@click.option("--all", "include_withdrawn", is_flag=True, help="Also withdrawn visits.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def visits_list(
    start: str | None,
    end: str | None,
    per: str,
    team_code: str | None,
    staff_id: int | None,
    client_code: str | None,
    include_withdrawn: bool,
    as_json: bool,
) -> None:
    """Visits per employee (or per client): date, start, end, interventions and what is missing."""
    from ivr.visits.export import clock, sort_visits
    from ivr.visits.record import visit_as_dict

    with command_context() as ctx:
        runtime = ctx.runtime
        found = sort_visits(
            _visits(
                ctx,
                start=start,
                end=end,
                team_code=team_code,
                staff_id=staff_id,
                client_code=client_code,
                include_withdrawn=include_withdrawn,
            ),
            per,
        )
        data = [visit_as_dict(v, runtime.visits, runtime.timezone) for v in found]
    if as_json:
        emit_json(data)
        return
    heading = None
    for visit, item in zip(found, data, strict=True):
        client = VISIT_CLIENT.format(client=visit.client_code)
        group = (
            f"{client} ({item['team']['name']})"
            if per == "client"
            else f"{visit.staff_name} (staff {visit.staff_id}, {item['team']['name']})"
        )
        if group != heading:
            click.echo(group)
            heading = group
        who = visit.staff_name if per == "client" else client
        times = f"{clock(visit.start_at, runtime.timezone)}–{clock(visit.end_at, runtime.timezone)}"
        interventions = ", ".join(f"{i['code']} {i['name']}" for i in item["interventions"]) or "-"
        notes = [
            *item["remarks"],
            *([VISIT_CORRECTED_MARK] if item["corrections"] else []),
            *([VISIT_WITHDRAWN_MARK] if visit.void else []),
        ]
        extra = f"  [{'; '.join(notes)}]" if notes else ""
        click.echo(f"  {visit.reference}  {item['date']}  {times}  {who}  {interventions}{extra}")
    if not data:
        click.echo("no visits", err=True)


@visits.command("export")
@click.option("--from", "start", default=None, help="From this date or time (Swedish time; a date means 00:00).")
@click.option("--to", "end", default=None, help="Up to this date (inclusive) or time (exclusive).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--per", type=PER_CHOICE, default="employee", show_default=True, help="Order per employee or client.")
@click.option("--team", "team_code", default=None, help="One team (its directory code).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to a file.")
def visits_export(
    start: str | None, end: str | None, fmt: str, per: str, team_code: str | None, output: Path | None
) -> None:
    """One row per visit, ready to copy into TES: employee, client, date, start, end, interventions, remarks."""
    from ivr.visits.export import export_rows, rows_as_csv, rows_as_json

    with command_context() as ctx:
        found = _visits(ctx, start=start, end=end, team_code=team_code)
        rows = export_rows(found, ctx.runtime.visits, ctx.runtime.timezone, per)
    text = rows_as_json(rows) if fmt == "json" else rows_as_csv(rows)
    if output is None:
        click.echo(text, nl=fmt == "json")
    else:
        write_private(output, text + ("\n" if fmt == "json" else ""))
        click.echo(f"{len(rows)} visit(s) written to {output}", err=True)


@visits.command("correct")
@click.argument("reference")
@click.option("--reason", required=True, help="Why (stored with the correction and audited).")
@click.option("--start", "start_at", default=None, help="The right start, Swedish time (e.g. '2026-11-23 08:00').")
@click.option("--end", "end_at", default=None, help="The right end, Swedish time.")
@click.option("--client", "client_code", default=None, help="The right client code.")
@click.option("--interventions", default=None, help="The right intervention codes, e.g. 11,31 ('' for none).")
@click.option("--withdraw", is_flag=True, help="The visit never happened (registered by mistake).")
@click.option("--by", "actor", default=None, help=BY_HELP)
def visits_correct(
    reference: str,
    reason: str,
    start_at: str | None,
    end_at: str | None,
    client_code: str | None,
    interventions: str | None,
    withdraw: bool,
    actor: str | None,
) -> None:
    """Correct visit REFERENCE with a new entry that restates it; what was phoned in stays as it was."""
    from ivr.visits.record import correct_visit
    from ivr.visits.service import VisitError

    with command_context() as ctx:
        runtime, timezone = ctx.runtime, ctx.runtime.timezone
        codes = None if interventions is None else [c for c in interventions.split(",") if c.strip()]
        try:
            visit = correct_visit(
                session=ctx.session,
                reference=reference,
                by=current_actor(actor),
                reason=reason,
                register=runtime.visits,
                now=runtime.now(),
                start_at=local_moment(start_at, timezone, end_of_day=False, option="--start"),
                end_at=local_moment(end_at, timezone, end_of_day=False, option="--end"),
                client_code=client_code,
                intervention_codes=codes,
                void=withdraw,
            )
        except VisitError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
    click.echo(f"visit {visit.reference} {'withdrawn' if withdraw else 'corrected'}")


@visits.command("handover")
@click.option("--outage", "outage_id", required=True, type=int, help="The outage (its id, see ivr outage status).")
@click.option("--staff", "staff_id", required=True, type=int, help="The staff member (their id, see ivr staff list).")
@click.option("--back", is_flag=True, help="Undo: the staff member post-registers after all.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def visits_handover(outage_id: int, staff_id: int, back: bool, actor: str | None) -> None:
    """An employee who cannot post-register an outage's visits (e.g. a day off): the administrator's list has them."""
    from ivr.visits.service import VisitError, hand_over

    with command_context() as ctx:
        try:
            hand_over(
                session=ctx.session,
                outage_id=outage_id,
                staff_id=staff_id,
                by=current_actor(actor),
                now=ctx.runtime.now(),
                back=back,
            )
        except VisitError as exc:
            raise click.ClickException(str(exc)) from exc
        ctx.session.commit()
    where = "back with the employee" if back else "on the administrator's list"
    click.echo(f"staff {staff_id}'s visits of outage {outage_id} are {where}")
