"""The application factory: the one place the service is put together."""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from pathlib import Path

from flask import Flask

from directory.loader import DirectoryError, read_directory
from ivr.clock import Clock, SystemClock
from ivr.config import Config, ConfigError
from ivr.liability.rates import RatesError, load_rates
from ivr.liability.rules import LiabilityRulesError, load_rules
from ivr.lines.loader import load_lines
from ivr.persistence import make_engine
from ivr.runtime import Runtime
from ivr.web.context import init_runtime
from ivr.web.session import init_session

MAX_BODY_BYTES = 64 * 1024


def create_app(config: Config | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the service from a config (default: the environment) and a clock (default: the system's)."""
    from call_flows.menus import OPTIONS
    from call_flows.routes import register_voice
    from console import init_console
    from ivr.web.health import bp as health_bp
    from ivr.web.sms_status import bp as sms_status_bp

    app = Flask("ivr")
    if config is None:
        config = Config.from_env(os.environ, instance_path=Path(app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    init_runtime(app, load_runtime(config, clock or SystemClock(), menu_options=OPTIONS.keys()))
    init_session(app, make_engine(config.database_url))
    register_voice(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(sms_status_bp)
    init_console(app, config)
    _configure_logging()
    return app


def load_runtime(config: Config, clock: Clock, *, menu_options: Collection[str]) -> Runtime:
    """Read and check every data file once; a bad one stops start-up with ConfigError naming its variable."""
    try:
        rows = tuple(read_directory(config.directory_path))
    except DirectoryError as exc:
        raise ConfigError("IVR_DIRECTORY", f"invalid directory file:\n{exc}") from exc
    if not any(row.kind == "switchboard" and row.voice for row in rows):
        raise ConfigError("IVR_DIRECTORY", "the directory has no switchboard with a voice number")
    try:
        rules = load_rules(config.liability_rules_path)
    except LiabilityRulesError as exc:
        raise ConfigError("IVR_LIABILITY_RULES", str(exc)) from exc
    try:
        rates = load_rates(config.liability_rates_path)
    except RatesError as exc:
        raise ConfigError("IVR_LIABILITY_RATES", str(exc)) from exc
    return Runtime(
        config=config,
        clock=clock,
        directory_rows=rows,
        lines=load_lines(config.lines_path, rows, menu_options=set(menu_options)),
        liability_rules=rules,
        rates=rates,
    )


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
