"""`ivr schedule status|override|reset`: where fault reports go now, and manual overrides."""

from __future__ import annotations

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context, emit_json
from ivr.lines.models import Line, Lines
from ivr.notes import local_text, shown


def _line(lines: Lines, key: str) -> Line:
    line = lines.by_key(key)
    if line is None:
        raise click.BadParameter(f"no line {key!r}; lines: {', '.join(lines.keys)}", param_hint="--line")
    return line


@click.group()
def schedule() -> None:
    """Where fault reports go: the help desk (opening hours) or the standby line."""


@schedule.command("status")
@click.option("--line", "line_key", default=None, help="One line (default: every line).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def schedule_status(line_key: str | None, as_json: bool) -> None:
    """The current target of each line, why, and until when."""
    from ivr.lines.service import code_numbers
    from ivr.schedule.service import decide, decision_as_dict

    with command_context() as ctx:
        session, timezone, runtime = ctx.session, ctx.runtime.timezone, ctx.runtime
        keys = [line_key] if line_key else list(runtime.lines.keys)
        data = []
        for key in keys:
            line = _line(runtime.lines, key)
            decision = decide(session=session, line=line, now=runtime.now(), timezone=timezone)
            data.append(
                decision_as_dict(line, decision, numbers=code_numbers(session=session, line=line), timezone=timezone)
            )
    if as_json:
        emit_json(data if line_key is None else data[0])
        return
    for item in data:
        until = shown(item["until"]) if item["until"] else "reset"
        click.echo(f"{item['line']}: {item['target']} {item['number']} ({item['why_text']}) until {until}")


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
    from ivr.schedule.service import set_override

    with command_context() as ctx:
        session, timezone, runtime = ctx.session, ctx.runtime.timezone, ctx.runtime
        line = _line(runtime.lines, line_key)
        override = set_override(
            session=session,
            line=line,
            target=target.replace("-", "_"),
            until_reset=until_reset,
            actor=current_actor(actor),
            now=runtime.now(),
            timezone=timezone,
            note=note,
        )
        session.commit()
        until = local_text(override.until, timezone) if override.until else "reset"
    click.echo(f"{line_key}: {target} until {until}")


@schedule.command("reset")
@click.option("--line", "line_key", required=True, help="The line, e.g. norrbotten.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def schedule_reset(line_key: str, actor: str | None) -> None:
    """Drop any override: back to the schedule."""
    from ivr.schedule.service import reset_override

    with command_context() as ctx:
        session, runtime = ctx.session, ctx.runtime
        count = reset_override(
            session=session, line=_line(runtime.lines, line_key), actor=current_actor(actor), now=runtime.now()
        )
        session.commit()
    click.echo(f"{line_key}: back to the schedule ({count} override(s) ended)")
