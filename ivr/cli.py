"""The `ivr` command: database, serving, directory and test calls."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from ivr.config import ConfigError


def make_app() -> Flask:
    """Create the app from the environment, turning a bad setting into a clear message and exit code 2."""
    from ivr.app import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from exc
    context = click.get_current_context(silent=True)
    if context is not None:  # close pooled connections when the command ends
        context.call_on_close(app.extensions["ivr.engine"].dispose)
    return app


def emit_json(data: Any) -> None:
    """Print JSON the way every `--json` option does: UTF-8, indented."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
def main() -> None:
    """The outage line: a Swedish voice line for care while IT systems are down."""


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
    prepare_database(make_app(), load_directory=load_directory)


def prepare_database(app: Flask, *, load_directory: bool = True) -> None:
    """Migrate to head and, if no directory is stored, load IVR_DIRECTORY."""
    from directory.loader import directory_is_empty, load_directory_file
    from ivr.migrate import upgrade

    engine = app.extensions["ivr.engine"]
    upgrade(engine)
    click.echo("database schema is up to date")
    if load_directory:
        with app.app_context():
            from ivr.db import get_session

            session = get_session()
            if directory_is_empty(session=session):
                path = app.extensions["ivr.config"].directory_path
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

    from ivr.serve import run

    app = make_app()
    prepare_database(app)
    config = app.extensions["ivr.config"]
    if config.auth_token_is_development:
        click.echo(f"development auth token (for `ivr call`): {config.instance_path / 'dev-twilio-auth-token'}")
    app.extensions["ivr.engine"].dispose()
    worker = subprocess.Popen([sys.executable, "-m", "ivr", "worker"]) if sms_worker else None
    click.echo(f"serving on http://{host}:{port} (POST /voice, /voice/status, /voice/fallback; GET /healthz)")
    try:
        run(host=host, port=port, workers=workers, threads=threads)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)


# ---- directory ----------------------------------------------------------------------------------------


@main.group()
def directory() -> None:
    """The directory of units and numbers."""


@directory.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def directory_load(file: Path) -> None:
    """Replace the whole directory with FILE; any bad row rejects the file and keeps the old one."""
    from directory.loader import DirectoryError, load_directory_file
    from ivr.db import get_session

    app = make_app()
    with app.app_context():
        try:
            count = load_directory_file(session=get_session(), path=file)
        except DirectoryError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.ClickException("directory not loaded; the stored directory is unchanged") from exc
    click.echo(f"loaded {count} units from {file}")


@directory.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def directory_show(as_json: bool) -> None:
    """Print every unit: kind, name, code, numbers (E.164), SMS number, hours."""
    from sqlalchemy import select

    from directory.lookup import unit_as_dict
    from directory.models import Unit
    from ivr.db import get_session

    app = make_app()
    with app.app_context():
        units = [unit_as_dict(u) for u in get_session().scalars(select(Unit).order_by(Unit.source_line))]
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def directory_lookup(query: str, as_json: bool) -> None:
    """Find a unit by phone number in any common format, or by its code."""
    from directory.lookup import lookup, unit_as_dict
    from ivr.db import get_session

    app = make_app()
    with app.app_context():
        unit = lookup(session=get_session(), query=query)
        found = unit_as_dict(unit) if unit is not None else None
    if found is None:
        if as_json:
            emit_json(None)
        click.echo(f"no unit found for {query!r}", err=True)
        sys.exit(1)
    if as_json:
        emit_json(found)
    else:
        click.echo(f"{found['name']} ({found['kind']}, code {found['code']}): {' '.join(found['numbers'])}")


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
    from ivr.callcli import place_call

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


def _attach_feature_commands() -> None:
    from ivr.commands import feature_commands

    for command in feature_commands():
        main.add_command(command)


_attach_feature_commands()
