"""The `ivr` command: Flask's CLI integration loads the app once per command; every feature adds its group here."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException, ScriptInfo
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ivr.commands import OPENER, CommandContext
from ivr.config import ConfigError
from ivr.web.session import engine_of

DISPOSE = "ivr.dispose"
# Every feature's command group: `name -> (module, attribute, modules that add commands to it)`.
FEATURE_COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "directory": ("directory.cli", "directory", ()),
    "lines": ("ivr.lines.cli", "lines", ()),
    "schedule": ("ivr.schedule.cli", "schedule", ()),
    "outage": ("ivr.outages.cli", "outage", ("ivr.worklist.cli",)),  # `outage status` lists open worklists
    "tickets": ("ivr.faults.cli", "tickets", ()),
    "reports": ("ivr.reports.cli", "reports", ()),
    "audit": ("ivr.audit.cli", "audit", ("ivr.reports.cli",)),  # `audit verify` walks the report chain
    "access": ("ivr.audit.cli", "access", ()),
    "worker": ("ivr.outbox.cli", "worker", ()),
    "sms": ("ivr.outbox.cli", "sms", ()),
    "liability": ("ivr.liability.cli", "liability", ()),
    "worklist": ("ivr.worklist.cli", "worklist", ()),
    "staff": ("ivr.visits.cli", "staff", ()),
    "visits": ("ivr.visits.cli", "visits", ()),
    "users": ("ivr.users.cli", "users", ()),
    "retention": ("ivr.retention.cli", "retention", ()),
}
RETRY_SECONDS = 5


def _create_app() -> Flask:
    from ivr.app import create_app

    return create_app(purpose="command")


def load_app() -> Flask:
    """The command's app (made once by Flask's ScriptInfo); a bad setting becomes a one-line error, exit 1."""
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

    def _load_plugin_commands(self) -> None:
        """No third-party commands (Flask-Limiter's, say) under `ivr`: they are not ours, and cost start-up time."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A feature's command group, imported only when it is the one asked for (so each command starts quickly)."""
        if cmd_name in FEATURE_COMMANDS:
            return _feature_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *FEATURE_COMMANDS})

    def invoke(self, ctx: click.Context) -> object:
        ctx.meta[OPENER] = _open_command_context
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except ConfigError as exc:
            raise click.ClickException(f"configuration error: {exc}") from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(database_problem(exc)) from exc
        except OSError as exc:
            raise click.ClickException(f"{exc.strerror or type(exc).__name__}: {exc.filename or ''}".rstrip()) from exc
        except Exception as exc:  # a bug: say what and where to look, never a traceback on the operator's screen
            logging.getLogger("ivr.cli").debug("command failed", exc_info=exc)
            raise click.ClickException(f"unexpected error ({type(exc).__name__}): {_first_line(exc)}") from exc


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
@click.option("--wait", is_flag=True, help="If the database cannot be reached, try again every 5 s until it can.")
def db_upgrade(load_directory: bool, wait: bool) -> None:
    """Apply every migration (the release step); load the directory into an empty database."""
    import time

    app = load_app()
    while True:
        try:
            prepare_database(app, load_directory=load_directory)
            return
        except OperationalError as exc:
            if not wait:
                raise click.ClickException(database_problem(exc)) from exc
            click.echo(f"database not reachable yet ({_reason(exc)}); trying again in {RETRY_SECONDS} s", err=True)
            engine_of(app).dispose()
            time.sleep(RETRY_SECONDS)


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's first line, which names the host or file but never a statement or its parameters."""
    orig = getattr(exc, "orig", None)
    return _first_line(orig) if orig is not None else type(exc).__name__


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def database_problem(exc: SQLAlchemyError) -> str:
    """A database error as one line naming what is wrong and what to do (never the statement or its values)."""
    reason = _reason(exc)
    lowered = reason.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return f"the database has no tables yet ({reason}): run `ivr db upgrade` first"
    if "database" in lowered and "does not exist" in lowered:
        return f"DATABASE_URL: {reason}; create it (e.g. `createdb`) and run `ivr db upgrade`"
    if isinstance(exc, OperationalError) and _is_connection_problem(lowered):
        return f"DATABASE_URL: the database cannot be reached ({reason})"
    return f"database error ({type(exc).__name__}): {reason}"


def _is_connection_problem(reason: str) -> bool:
    words = ("connection", "could not connect", "unable to open", "timeout", "resolve", "refused", "password")
    return any(word in reason for word in words)


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
@click.option("--threads", default=16, show_default=True, type=int, help="Server threads per process.")
@click.option(
    "--sms-worker/--no-sms-worker",
    default=True,
    show_default=True,
    help="Also run `ivr worker` (SMS receipts) beside the web server; the Procfile runs them apart.",
)
def serve(host: str, port: int, workers: int, threads: int, sms_worker: bool) -> None:
    """Migrate, then run the service under gunicorn (and the SMS worker, unless --no-sms-worker)."""
    import subprocess

    from ivr.config import DEV_STAFF_SECRET_FILE, DEV_TOKEN_FILE
    from ivr.serve import run
    from ivr.web.context import runtime_of
    from ivr.web.session import engine_of

    app = load_app()
    migrating = None
    try:
        prepare_database(app)
    except OperationalError as exc:
        # Serve anyway: the fallback and the apology need no database, and webhooks recover when it returns.
        click.echo(f"the database cannot be reached ({_reason(exc)}): serving, and migrating once it is back", err=True)
        migrating = subprocess.Popen([sys.executable, "-m", "ivr", "db", "upgrade", "--wait"])
    config = runtime_of(app).config
    if config.auth_token_is_development:
        click.echo(
            "TWILIO_AUTH_TOKEN is not set: webhooks are validated with the development token in "
            f"{config.instance_path / DEV_TOKEN_FILE} (`ivr call` signs with it)"
        )
    if config.staff_code_secret_is_development:
        click.echo(
            "IVR_STAFF_CODE_SECRET is not set: staff codes are hashed with the development secret in "
            f"{config.instance_path / DEV_STAFF_SECRET_FILE} (set it in production, or every code stops working "
            "when that file is lost)"
        )
    engine_of(app).dispose()
    worker_process = subprocess.Popen([sys.executable, "-m", "ivr", "worker"]) if sms_worker else None
    click.echo(
        f"serving on http://{host}:{port} (the console at /; POST /voice, /voice/status, /voice/fallback; GET /healthz)"
    )
    try:
        run(host=host, port=port, workers=workers, threads=threads)
    finally:
        for process in (worker_process, migrating):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)


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


def _feature_command(name: str) -> click.Command:
    module, attribute, extras = FEATURE_COMMANDS[name]
    command: click.Command = getattr(import_module(module), attribute)
    for extra in extras:
        import_module(extra)
    if name == "audit" and isinstance(command, click.Group) and "verify" not in command.commands:
        from ivr.reports.cli import verify

        command.add_command(verify)  # `ivr audit verify`: the report chain (ivr/reports/chain.py)
    return command
