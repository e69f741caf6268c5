"""How the console writes things: times as "2026-11-23 11.58" in Stockholm time, numbers as Swedes write them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from console.texts import label, text
from directory.numbers import national
from ivr.notes import event_name, fault_kind_name

TIME_FORMAT = "%Y-%m-%d %H.%M"


def local_time(moment: datetime | None, timezone: ZoneInfo) -> str:
    """A moment as the console shows it, in local time: 2026-11-23 11.58 (a dash for none)."""
    if moment is None:
        return text("none")
    return moment.astimezone(timezone).strftime(TIME_FORMAT)


def iso_local_time(value: str | None) -> str:
    """An ISO time that a service already put in local time, as the console shows it."""
    if not value:
        return text("none")
    return datetime.fromisoformat(value).strftime(TIME_FORMAT)


def phone(e164: str | None) -> str:
    """A number as Swedes write it (0920-28 40 00)."""
    if not e164:
        return text("none")
    try:
        return national(e164)
    except Exception:
        return e164


def init_templates(app: Flask, timezone: ZoneInfo) -> None:
    """The template helpers every page uses."""
    app.jinja_env.globals.update(t=text, label=label)
    app.jinja_env.filters.update(
        when=lambda moment: local_time(moment, timezone),
        iso_when=iso_local_time,
        event=event_name,
        fault_kind=fault_kind_name,
        phone=phone,
        day=lambda d: d.isoformat() if isinstance(d, date) else text("none"),
        yesno=lambda v: text("yes") if v else text("no"),
    )
