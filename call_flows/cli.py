"""`ivr lines`, `ivr schedule`, `ivr outage` and `ivr tickets`: the voice line's operator commands.

Each command works on the app in click's context object when one is given (tests pass the app they built,
with its frozen clock), else on the app made from the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask
from sqlalchemy.orm import Session

from call_flows.lines import Line
from ivr.audit import current_actor

BY_HELP = "Who does this (for the audit log); default: the operating-system user."


@contextmanager
def _context() -> Iterator[tuple[Session, ZoneInfo]]:
    from ivr.cli import make_app
    from ivr.db import get_session

    obj = click.get_current_context().find_root().obj
    app: Flask = obj if isinstance(obj, Flask) else make_app()
    with app.app_context():
        yield get_session(), app.extensions["ivr.config"].timezone


def _line(key: str) -> Line:
    from call_flows.lines import all_lines, line_by_key

    line = line_by_key(key)
    if line is None:
        raise click.BadParameter(
            f"no line {key!r}; lines: {', '.join(x.key for x in all_lines())}", param_hint="--line"
        )
    return line


def _keys() -> list[str]:
    from call_flows.lines import all_lines

    return [line.key for line in all_lines()]


# ---- lines --------------------------------------------------------------------------------------------


@click.group()
def lines() -> None:
    """The outage numbers this service answers."""


@lines.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def lines_show(as_json: bool) -> None:
    """Each line: number (E.164), organisation, systems, menu keys, help desk, standby and switchboard."""
    from call_flows.destinations import code_numbers
    from call_flows.lines import all_lines, line_as_dict

    with _context() as (session, _):
        data = [line_as_dict(line, code_numbers(session=session, line=line)) for line in all_lines()]
    if as_json:
        from ivr.cli import emit_json

        emit_json(data)
        return
    for line in data:
        menu = ", ".join(f"{k}={v}" for k, v in line["menu"].items())
        click.echo(f"{line['key']}: {line['number']} {line['organisation']} ({', '.join(line['systems'])})")
        click.echo(f"  menu {menu}")
        for role in ("help_desk", "standby", "switchboard"):
            click.echo(f"  {role:<12} {line[role]['code']:>6} {line[role]['number'] or '(not in directory)'}")


# ---- schedule -----------------------------------------------------------------------------------------


@click.group()
def schedule() -> None:
    """Where fault reports go: the help desk (opening hours) or the standby line."""


@schedule.command("status")
@click.option("--line", "line_key", default=None, help="One line (default: every line).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def schedule_status(line_key: str | None, as_json: bool) -> None:
    """The current target of each line, why, and until when."""
    from call_flows.destinations import code_numbers
    from call_flows.schedule import decide, decision_as_dict
    from ivr.clock import utcnow

    with _context() as (session, timezone):
        keys = [line_key] if line_key else _keys()
        data = []
        for key in keys:
            line = _line(key)
            decision = decide(session=session, line=line, now=utcnow(), timezone=timezone)
            data.append(
                decision_as_dict(line, decision, numbers=code_numbers(session=session, line=line), timezone=timezone)
            )
    if as_json:
        from ivr.cli import emit_json

        emit_json(data if line_key is None else data[0])
        return
    for item in data:
        until = item["until"] or "reset"
        click.echo(f"{item['line']}: {item['target']} {item['number']} ({item['why']}) until {until}")


@schedule.command("override")
@click.option("--line", "line_key", required=True, help="The line, e.g. norrbotten.")
@click.option("--to", "target", required=True, type=click.Choice(["help-desk", "standby"]), help="Force this target.")
@click.option(
    "--until-reset", is_flag=True, help="Keep it until `ivr schedule reset` (default: until the next change)."
)
@click.option("--note", default="", help="Why (kept in the audit log).")
@click.option("--by", "actor", default=None, help=BY_HELP)
def schedule_override(line_key: str, target: str, until_reset: bool, note: str, actor: str | None) -> None:
    """Force help desk or standby: until the next scheduled change, or with --until-reset until reset."""
    from call_flows.schedule import set_override
    from ivr.clock import utcnow

    with _context() as (session, timezone):
        line = _line(line_key)
        override = set_override(
            session=session,
            line=line,
            target=target.replace("-", "_"),
            until_reset=until_reset,
            actor=actor or current_actor(),
            now=utcnow(),
            timezone=timezone,
            note=note,
        )
        session.commit()
        until = override.until.astimezone(timezone).isoformat() if override.until else "reset"
    click.echo(f"{line_key}: {target} until {until}")


@schedule.command("reset")
@click.option("--line", "line_key", required=True, help="The line, e.g. norrbotten.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def schedule_reset(line_key: str, actor: str | None) -> None:
    """Drop any override: back to the schedule."""
    from call_flows.schedule import reset_override
    from ivr.clock import utcnow

    with _context() as (session, _):
        count = reset_override(session=session, line=_line(line_key), actor=actor or current_actor(), now=utcnow())
        session.commit()
    click.echo(f"{line_key}: back to the schedule ({count} override(s) ended)")


# ---- outages ------------------------------------------------------------------------------------------


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
    from call_flows.outages import OutageError, start_outage
    from ivr.clock import utcnow

    with _context() as (session, timezone):
        try:
            record = start_outage(
                session=session,
                line=_line(line_key),
                system=system,
                actor=actor or current_actor(),
                now=utcnow(),
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
    from call_flows.outages import OutageError, end_outages
    from ivr.clock import utcnow

    with _context() as (session, _):
        try:
            ended = end_outages(
                session=session,
                line=_line(line_key),
                actor=actor or current_actor(),
                now=utcnow(),
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
    from call_flows.lines import line_by_key
    from call_flows.outages import current_outages, outage_as_dict, upcoming_outages
    from ivr.clock import utcnow

    with _context() as (session, timezone):
        if line_key is not None:
            _line(line_key)
        now = utcnow()
        found = [*current_outages(session=session, line_key=line_key, now=now)]
        found += upcoming_outages(session=session, line_key=line_key, now=now)
        data = [outage_as_dict(o, line=line_by_key(o.line_key), now=now, timezone=timezone) for o in found]
        from ivr.worklist.export import open_worklists  # ended outages with items still to enter (issue 6)

        worklists = open_worklists(session=session, now=now, timezone=timezone, line_key=line_key)
    if as_json:
        from ivr.cli import emit_json

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


# ---- tickets ------------------------------------------------------------------------------------------


@click.group()
def tickets() -> None:
    """Fault tickets from the voice line."""


@tickets.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tickets_list(as_json: bool) -> None:
    """Filed tickets, newest first: reference, time, unit, system, kind, routed to, outcome."""
    from call_flows.tickets import attempts_of, list_tickets, ticket_as_dict

    with _context() as (session, timezone):
        data = [
            ticket_as_dict(t, attempts_of(session=session, ticket_id=t.id), timezone)
            for t in list_tickets(session=session)
        ]
    if as_json:
        from ivr.cli import emit_json

        emit_json(data)
        return
    for t in data:
        click.echo(
            f"{t['reference']} {t['time']} {t['unit']['name'] or '-'} | {t['system'] or 'annat'} | {t['kind']} | "
            f"{t['routed_to']} | {t['outcome']}"
        )


COMMANDS: list[click.Command] = [lines, schedule, outage, tickets]
