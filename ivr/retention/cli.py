"""`ivr retention run`: delete callers' recordings and drop unfinished drafts once their time is up."""

from __future__ import annotations

import click

from ivr.audit.service import current_actor
from ivr.commands import BY_HELP, command_context


@click.group()
def retention() -> None:
    """How long recordings and drafts are kept (IVR_RECORDING_RETENTION_DAYS, IVR_DRAFT_RETENTION_HOURS)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what is due.")
@click.option("--by", "actor", default=None, help=BY_HELP)
def retention_run(dry_run: bool, actor: str | None) -> None:
    """Delete at Twilio every recording older than the retention period, and drop stale drafts; audited.

    Run it daily (cron, a scheduler of the platform). Safe to run again: what was deleted is not asked for twice.
    """
    from ivr.faults.recordings import delete_recording
    from ivr.retention.service import due_recordings, run_retention

    with command_context() as ctx:
        config, now = ctx.runtime.config, ctx.runtime.now()
        if dry_run:
            due = due_recordings(session=ctx.session, now=now, recording_days=config.recording_retention_days)
            for held in due:
                click.echo(f"due: {held.source}")
            click.echo(f"{len(due)} recording(s) older than {config.recording_retention_days} days")
            return

        def deleter(url: str) -> None:
            delete_recording(
                url=url,
                account_sid=config.twilio_account_sid,
                auth_token=config.twilio_auth_token,
                api_base_url=config.twilio_api_base_url,
            )

        outcome = run_retention(
            session=ctx.session,
            delete_recording=deleter if config.twilio_credentials_present else None,
            now=now,
            recording_days=config.recording_retention_days,
            draft_hours=config.draft_retention_hours,
            actor=current_actor(actor),
        )
        ctx.session.commit()
    click.echo(f"{len(outcome.deleted)} recording(s) deleted, {outcome.drafts_removed} draft(s) removed")
    for held, problem in outcome.failed:
        click.echo(f"not deleted (tried again next run): {held.source}: {problem}", err=True)
    if outcome.left:
        raise click.ClickException(
            f"{len(outcome.left)} recording(s) are due but no Twilio account is configured to delete them "
            "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)"
        )
    if outcome.failed:
        raise click.ClickException(f"{len(outcome.failed)} recording(s) could not be deleted")
