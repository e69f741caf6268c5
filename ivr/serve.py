"""Run the app factory under gunicorn from `ivr serve`."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Each worker builds its own app, so no database connection crosses a fork.
        from ivr.app import create_app

        return create_app()


def run(*, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "timeout": 30,
            "worker_class": "gthread",
            "accesslog": "-",
            # Several instances may run on one host (one per port): none needs gunicorn's control socket.
            "control_socket_disable": True,
        }
    ).run()
