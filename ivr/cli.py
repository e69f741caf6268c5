"""The `ivr` command: Flask's CLI integration loads the app once per command; every feature adds its group here."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException, ScriptInfo

from directory.cli import directory
from ivr.commands import OPENER, CommandContext
from ivr.config import ConfigError
from ivr.faults.cli import tickets
from ivr.liability.cli import liability
from ivr.lines.cli import lines
from ivr.outages.cli import outage
from ivr.outbox.cli import sms, worker
from ivr.reports.cli import audit, reports
from ivr.schedule.cli import schedule
from ivr.users.cli import users
from ivr.worklist.cli import worklist

DISPOSE = "ivr.dispose"


def _create_app() -> Flask:
    from ivr.app import create_app

    return create_app()


def load_app() -> Flask:
    """The command's app (made once by Flask's ScriptInfo); a bad setting becomes a one-line error, exit 1."""
    from ivr.web.session import engine_of

    ctx = click.get_current_context()
    info = ctx.ensure_object(ScriptInfo)
    try:
        app = info.load_app()
    except (ConfigError, NoAppException) as exc:
        raise click.ClickException(f"configuration error: {exc}") from exc
    root = ctx.find_root()
    if info.create_app is _create_app and not root.meta.get(DISPOSE):  # an app this command made: close its pool
        root.meta[DISPOSE] = True
        root.call_on_close(engine_of(app).dispose)
    return app


@contextmanager
def _open_command_context() -> Iterator[CommandContext]:
    from ivr.web.context import runtime_of
    from ivr.web.session import get_session, session_factory

    app = load_app()
    with app.app_context():
        yield CommandContext(session=get_session(), runtime=runtime_of(app), session_factory=session_factory(app))


class _IvrGroup(FlaskGroup):
    """Flask's group, handing every feature command the one way to its session and runtime."""

    def invoke(self, ctx: click.Context) -> object:
        ctx.meta[OPENER] = _open_command_context
        return super().invoke(ctx)


main = _IvrGroup(
    name="ivr",
    help="The outage line: a Swedish voice line for care while IT systems are down.",
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)


# ---- database -----------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option(
    "--load-directory/--no-load-directory", default=True, help="Load IVR_DIRECTORY when no directory is stored yet."
)
def db_upgrade(load_directory: bool) -> None:
    """Apply every migration (the release step); load the directory into an empty database."""
    prepare_database(load_app(), load_directory=load_directory)


def prepare_database(app: Flask, *, load_directory: bool = True) -> None:
    """Migrate to head and, if no directory is stored, load IVR_DIRECTORY."""
    from directory.loader import directory_is_empty, load_directory_file
    from ivr.migrate import upgrade
    from ivr.web.context import runtime_of
    from ivr.web.session import engine_of, get_session

    upgrade(engine_of(app))
    click.echo("database schema is up to date")
    if load_directory:
        with app.app_context():
            session = get_session()
            if directory_is_empty(session=session):
                path = runtime_of(app).config.directory_path
                count = load_directory_file(session=session, path=path)
                click.echo(f"loaded {count} units from {path}")


# ---- serving ------------------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--sms-worker/--no-sms-worker",
    default=True,
    show_default=True,
    help="Also run `ivr worker` (SMS receipts) beside the web server; the Procfile runs them apart.",
)
def serve(host: str, port: int, workers: int, threads: int, sms_worker: bool) -> None:
    """Migrate, then run the service under gunicorn (and the SMS worker, unless --no-sms-worker)."""
    import subprocess

    from ivr.config import DEV_TOKEN_FILE
    from ivr.serve import run
    from ivr.web.context import runtime_of
    from ivr.web.session import engine_of

    app = load_app()
    prepare_database(app)
    config = runtime_of(app).config
    if config.auth_token_is_development:
        click.echo(
            "TWILIO_AUTH_TOKEN is not set: webhooks are validated with the development token in "
            f"{config.instance_path / DEV_TOKEN_FILE} (`ivr call` signs with it)"
        )
    engine_of(app).dispose()
    worker_process = subprocess.Popen([sys.executable, "-m", "ivr", "worker"]) if sms_worker else None
    click.echo(
        f"serving on http://{host}:{port} (the console at /; POST /voice, /voice/status, /voice/fallback; GET /healthz)"
    )
    try:
        run(host=host, port=port, workers=workers, threads=threads)
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=15)


# ---- test calls ---------------------------------------------------------------------------------------


@main.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="The running service.")
@click.option("--from", "from_number", default="+46980319202", show_default=True, help="Caller ID.")
@click.option("--to", "to_number", default="+46846500400", show_default=True, help="The outage number.")
@click.option(
    "--keys",
    default=None,
    help='Scripted input, e.g. "1,191212121212#,1"; "" is silence, "say:words" speaks, "rec" records.',
)
@click.option(
    "--dial-status",
    default="completed",
    show_default=True,
    type=click.Choice(["completed", "busy", "no-answer", "failed"]),
    help="How each <Dial> ends.",
)
@click.option("--token", default=None, help="Auth token (default: TWILIO_AUTH_TOKEN or the dev token).")
def call(url: str, from_number: str, to_number: str, keys: str | None, dial_status: str, token: str | None) -> None:
    """Place a call against a running service the way Twilio does, printing what the caller hears."""
    from ivr.caller.cli import place_call

    if token is None:
        token = os.environ.get("TWILIO_AUTH_TOKEN") or _dev_token()
    script = None if keys is None else keys.split(",")
    code = place_call(
        url=url, token=token, from_number=from_number, to_number=to_number, script=script, dial_status=dial_status
    )
    sys.exit(code)


def _dev_token() -> str:
    from ivr.config import ensure_development_token

    instance = Path(os.environ.get("IVR_INSTANCE_PATH") or Flask("ivr").instance_path)
    return ensure_development_token(instance)


for _command in (directory, lines, schedule, outage, tickets, reports, audit, worker, sms, liability, worklist, users):
    main.add_command(_command)
