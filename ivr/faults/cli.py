"""`ivr tickets list`: fault tickets from the voice line."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context, emit_json
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


@tickets.command("voicemail")
@click.argument("reference")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The MP3 file.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def tickets_voicemail(reference: str, output: Path, actor: str | None) -> None:
    """Fetch ticket REFERENCE's voicemail from Twilio into a file only you can read; the listening is logged."""
    from ivr.audit.service import record_audit
    from ivr.faults.recordings import RecordingError, fetch_recording
    from ivr.faults.service import find_ticket

    with command_context() as ctx:
        ticket = find_ticket(session=ctx.session, reference=reference)
        if ticket is None:
            raise click.BadParameter(f"no ticket {reference}", param_hint="REFERENCE")
        if not ticket.voicemail_url:
            raise click.ClickException(f"ticket {reference} has no voicemail")
        config = ctx.runtime.config
        try:
            recording = fetch_recording(
                url=ticket.voicemail_url,
                account_sid=config.twilio_account_sid,
                auth_token=config.twilio_auth_token,
                api_base_url=config.twilio_api_base_url,
            )
        except RecordingError as exc:
            raise click.ClickException(f"the voicemail of ticket {reference} cannot be fetched: {exc}") from exc
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(recording.content)
        record_audit(
            session=ctx.session,
            actor=current_actor(actor),
            action="tickets.voicemail",
            subject=f"ticket:{reference}",
            detail={"output": str(output)},
            now=ctx.runtime.now(),
        )
        ctx.session.commit()
    click.echo(f"voicemail of ticket {reference} written to {output} ({len(recording.content)} bytes)")
