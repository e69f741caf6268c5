"""`ivr liability …`: the agreements, the daily-rate table, and the liability report per municipality."""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import click

from ivr.audit.service import current_actor
from ivr.commands import command_context, emit_json, write_private
from ivr.liability.rates import RatesError, RateTable, load_rates, rate_as_dict


def _rates(path: Path | None, configured: RateTable) -> RateTable:
    """The configured table (IVR_LIABILITY_RATES, read at start-up), or another file given with --file/--rates."""
    if path is None:
        return configured
    try:
        return load_rates(path)
    except RatesError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def liability() -> None:
    """Payment liability for discharge-ready patients (lag 2017:612 5 kap.)."""


@liability.command("rates")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Another table.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rates_command(path: Path | None, as_json: bool) -> None:
    """Check and show the daily-rate table (SEK per vårddygn); days outside every period have no rate."""
    with command_context() as ctx:
        table = _rates(path, ctx.runtime.rates)
    source = table.source
    if as_json:
        emit_json({"file": source, "rates": [rate_as_dict(rate) for rate in table.rates]})
        return
    click.echo(f"rates from {source}")
    if not table.rates:
        click.echo("no rate entered: every day is reported as 'rate missing'")
    for rate in table.rates:
        click.echo(f"{rate.first_day} – {rate.last_day}  {rate.sek:>7} SEK per vårddygn  ({rate.source})")
    for first, last in _gaps(table):
        click.echo(f"rate missing {first} – {last}")


def _gaps(table: RateTable) -> list[tuple[date, date]]:
    return [
        (earlier.last_day + timedelta(days=1), later.first_day - timedelta(days=1))
        for earlier, later in pairwise(table.rates)
        if (later.first_day - earlier.last_day).days > 1
    ]


@liability.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rules_command(as_json: bool) -> None:
    """Show the agreements: per line and per region-municipality pair."""
    from ivr.liability.report import rule_as_dict

    with command_context() as ctx:
        table = ctx.runtime.liability_rules
    data = {key or "default": rule_as_dict(rule) for key, rule in table.items()}
    if as_json:
        emit_json(data)
        return
    for key, rule in data.items():
        click.echo(
            f"{key:<20} {rule['grace_days']} days, cut-off {rule['cutoff']}, {rule['counting']}, "
            f"discharge day {'counts' if rule['discharge_day_counts'] else 'does not count'}: {rule['name']}"
        )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a date such as 2026-11-30", param_hint=option) from exc


@liability.command("report")
@click.option("--municipality", "codes", multiple=True, help="Municipality code, e.g. 2580 (repeatable; default all).")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (Swedish date).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD, inclusive.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option(
    "--rates", "rates_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Another rate table."
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to a file.")
@click.option("--by", "actor", default=None, help="Who reads the report; access-logged beside the OS user.")
def report_command(
    codes: tuple[str, ...],
    start: str,
    end: str,
    fmt: str,
    rates_file: Path | None,
    output: Path | None,
    actor: str | None,
) -> None:
    """Liability per stay (with patient numbers) and totals per municipality; the read is access-logged."""
    from ivr.liability.report import build_liability_report, record_liability_read, report_as_dict, report_to_csv
    from ivr.reports.service import is_known_receiver

    since, until = _day(start, "--from"), _day(end, "--to")
    if until < since:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    with command_context() as ctx:
        session, timezone = ctx.session, ctx.runtime.timezone
        for code in codes:
            if not is_known_receiver(session=session, code=code, kind="municipality"):
                raise click.BadParameter(f"no municipality with code {code}", param_hint="--municipality")
        table = _rates(rates_file, ctx.runtime.rates)
        built = build_liability_report(
            session=session,
            municipality_codes=codes or None,
            since=since,
            until=until,
            timezone=timezone,
            rates=table,
            rules=ctx.runtime.liability_rules,
            today=ctx.runtime.now().astimezone(timezone).date(),
        )
        filters = {
            "municipalities": list(codes) or "all",
            "from": start,
            "to": end,
            "format": fmt,
            "output": str(output or "stdout"),
        }
        record_liability_read(
            session=session, actor=current_actor(actor), report=built, filters=filters, now=ctx.runtime.now()
        )
        session.commit()
    data = report_as_dict(built, rates_source=table.source)
    text = json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json" else report_to_csv(data)
    if output is None:
        click.echo(text, nl=fmt == "json")
    else:
        write_private(output, text + ("\n" if fmt == "json" else ""))
        click.echo(f"liability report written to {output}", err=True)
