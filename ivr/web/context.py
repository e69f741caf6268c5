"""Typed access to the current app's runtime (config, clock, lines, rules) from views and CLI commands."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from ivr.runtime import Runtime

RUNTIME = "ivr.runtime"


def init_runtime(app: Flask, runtime: Runtime) -> None:
    """Keep the runtime on the app (the factory calls this once)."""
    app.extensions[RUNTIME] = runtime


def runtime_of(app: Flask) -> Runtime:
    """An app's runtime."""
    found: Runtime = app.extensions[RUNTIME]
    return found


def runtime() -> Runtime:
    """The current app's runtime."""
    return runtime_of(current_app)


def now() -> datetime:
    """Now, from the current app's clock."""
    return runtime().now()
