"""The application factory: the one place the service is put together."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from flask import Flask, Request

from ivr.clock import Clock, SystemClock
from ivr.config import Config
from ivr.persistence import make_engine
from ivr.runtime import Runtime
from ivr.web.context import init_runtime, runtime_of
from ivr.web.deadline import Answer, OnTimeout, RequestBudget
from ivr.web.session import init_session

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

MAX_BODY_BYTES = 2 * 1024 * 1024  # a directory file imported in the console; a webhook gets far less (call_flows)
FALLBACK_PATH = "/voice/fallback"
TIMEOUT_HEALTH = b'{"status": "unhealthy", "database": "timeout"}'
TIMEOUT_TEXT = "Tjänsten svarar inte just nu. Försök igen om en stund.".encode()


def create_app(config: Config | None = None, *, clock: Clock | None = None, purpose: str = "web") -> Flask:
    """Build the service from a config (default: the environment) and a clock (default: the system's).

    `purpose` "command" (the `ivr` CLI) serves no web requests: no routes are registered (so a command starts
    quickly) and the statement timeout that keeps webhooks inside Twilio's 15 s is lifted, so a migration or a
    long export is not cut short. Every data file is checked either way.
    """
    app = Flask("ivr")
    if config is None:
        config = Config.from_env(os.environ, instance_path=Path(app.instance_path))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    from call_flows.menus import OPTIONS  # the one registry of menu options, which the lines file must name

    runtime = Runtime(config, clock or SystemClock(), menu_options=OPTIONS.keys())
    init_runtime(app, runtime.load_all() if purpose == "web" else runtime)
    init_session(
        app,
        make_engine(
            config.database_url,
            wait_seconds=config.db_wait_seconds,
            statement_seconds=config.request_budget_seconds if purpose == "web" else None,
            pool_size=config.db_threads,
        ),
    )
    if purpose == "web":
        from call_flows.routes import register_voice
        from console import init_console
        from ivr.web.health import bp as health_bp
        from ivr.web.sms_status import bp as sms_status_bp

        register_voice(app)
        app.register_blueprint(health_bp)
        app.register_blueprint(sms_status_bp)
        init_console(app, config)
        app.wsgi_app = RequestBudget(  # type: ignore[method-assign]
            app.wsgi_app,
            budget=config.request_budget_seconds,
            threads=config.db_threads,
            exempt=_needs_no_database,
            on_timeout=_timeout_answer(runtime_of(app)),
        )
    _configure_logging()
    return app


def _needs_no_database(environ: WSGIEnvironment) -> bool:
    """The fallback URL answers on the server's own thread, whatever the request threads are doing."""
    return str(environ.get("PATH_INFO", "")) == FALLBACK_PATH


def _timeout_answer(runtime: Runtime) -> OnTimeout:
    """What a request gets when its budget runs out: a voice webhook hears the apology and the switchboard."""
    from call_flows.webhook import apology_for

    def answer(environ: WSGIEnvironment, body: bytes) -> Answer:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/voice"):
            if not _signed(runtime, environ, body):
                return Answer("403 FORBIDDEN", [("Content-Type", "text/plain")], b"forbidden")
            to_number = parse_qs(body.decode("utf-8", "replace")).get("To", [None])[0]
            twiml = str(apology_for(runtime.lines, to_number)).encode("utf-8")
            return Answer("200 OK", [("Content-Type", "text/xml; charset=utf-8")], twiml)
        if path == "/healthz":
            return Answer("503 SERVICE UNAVAILABLE", [("Content-Type", "application/json")], TIMEOUT_HEALTH)
        return Answer("503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain; charset=utf-8")], TIMEOUT_TEXT)

    return answer


def _signed(runtime: Runtime, environ: WSGIEnvironment, body: bytes) -> bool:
    from ivr.web.security import is_signed_by_twilio

    fresh = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    return is_signed_by_twilio(Request(fresh), runtime.config)


def load_runtime(config: Config, clock: Clock, *, menu_options: Collection[str]) -> Runtime:
    """Read and check every data file once; a bad one raises ConfigError naming its variable."""
    return Runtime(config, clock, menu_options=menu_options).load_all()


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
