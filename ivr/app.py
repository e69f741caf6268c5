"""The application factory: the one place the service is put together."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from directory.loader import DirectoryError, Row, read_directory
from ivr import db
from ivr.clock import Clock, SystemClock
from ivr.config import DEV_TOKEN_FILE, Config, ConfigError

MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("ivr")


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the service from a config (default: the environment) and a clock (default: the system's)."""
    app = Flask("ivr")
    if config is None:
        config = Config.from_env(os.environ, instance_path=Path(app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["ivr.config"] = config
    app.extensions["ivr.clock"] = clock or SystemClock()
    rows = _read_directory_file(config)  # read once: the lines and the database-free fallback both need it
    app.extensions["ivr.switchboard"] = _first_switchboard(rows)
    from call_flows.lines import init_lines

    init_lines(app, rows)  # the outage lines (call_flows/data/lines.toml or IVR_LINES)
    db.init_app(app, config.database_url)
    _configure_logging()

    from call_flows.voice import bp as voice_bp
    from ivr.health import bp as health_bp

    app.register_blueprint(voice_bp)
    from call_flows.connect import bp as connect_bp
    from call_flows.fault_dial import bp as fault_dial_bp
    from call_flows.faults import bp as fault_bp

    app.register_blueprint(fault_bp)
    app.register_blueprint(fault_dial_bp)
    app.register_blueprint(connect_bp)
    app.register_blueprint(health_bp)

    from ivr.outbox.views import bp as sms_status_bp

    app.register_blueprint(sms_status_bp)

    from call_flows.report_flow import bp as report_bp

    app.register_blueprint(report_bp)  # care-transition reports (main-menu key 1)

    if config.auth_token_is_development:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: webhooks are validated with the development token in %s",
            config.instance_path / DEV_TOKEN_FILE,
        )
    return app


def get_config(app: Flask) -> Config:
    """The app's typed config."""
    config: Config = app.extensions["ivr.config"]
    return config


def _read_directory_file(config: Config) -> list[Row]:
    try:
        return read_directory(config.directory_path)
    except DirectoryError as exc:
        raise ConfigError("IVR_DIRECTORY", f"invalid directory file:\n{exc}") from exc


def _first_switchboard(rows: list[Row]) -> str:
    # The fallback URL must answer without the database, so the switchboard comes from the file at start.
    for row in rows:
        if row.kind == "switchboard" and row.voice:
            return row.voice[0]
    raise ConfigError("IVR_DIRECTORY", "the directory has no switchboard with a voice number")


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
