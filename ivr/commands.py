"""What every `ivr` command of a feature gets: a database session and the runtime, without knowing Flask.

The `ivr` entry point (ivr.cli) loads the app once per command through Flask's CLI integration and opens the
session; feature commands only say `with command_context() as ctx:`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # a command only reads the runtime the entry point made; this module stays in the core
    from ivr.runtime import Runtime

OPENER = "ivr.open"
BY_HELP = "Who this is done for (audited beside the operating-system user, which is always recorded)."


@dataclass(frozen=True)
class CommandContext:
    """A command's unit of work: the session (the command commits) and the runtime."""

    session: Session
    runtime: Runtime
    session_factory: sessionmaker[Session]


Opener = Callable[[], AbstractContextManager[CommandContext]]


@contextmanager
def command_context() -> Iterator[CommandContext]:
    """The running command's session and runtime; the session is closed when the block ends."""
    opener: Opener = click.get_current_context().find_root().meta[OPENER]
    with opener() as context:
        yield context


def write_private(path: Path, text: str) -> None:
    """Write an export to a file only its owner can read (mode 0600): it may hold personnummer."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there before, with looser rights
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def emit_json(data: Any) -> None:
    """Print JSON the way every `--json` option does: UTF-8, indented."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def period(
    start: str | None, end: str | None, timezone: ZoneInfo, *, end_of_day: bool = True
) -> tuple[datetime | None, datetime | None]:
    """A --from/--to pair as moments (dates are whole days, local time); --to before --from is refused."""
    since = local_moment(start, timezone, end_of_day=False, option="--from")
    until = local_moment(end, timezone, end_of_day=end_of_day, option="--to")
    if since is not None and until is not None and until <= since:
        raise click.BadParameter(f"{end} is not after --from {start}", param_hint="--to")
    return since, until


def local_moment(value: str | None, timezone: ZoneInfo, *, end_of_day: bool, option: str) -> datetime | None:
    """A --from/--to value: a date (the day's start, or with `end_of_day` the next day's) or a local time."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date (2026-11-23) or time (2026-11-23 12:00)", param_hint=option
        ) from exc
    if len(value.strip()) == 10:  # a date: the whole day, in local time
        day = parsed.date() + (timedelta(days=1) if end_of_day else timedelta())
        return datetime.combine(day, time(0), tzinfo=timezone)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone)
