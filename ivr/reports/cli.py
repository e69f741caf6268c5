"""`ivr reports …` (cancel, unacknowledged, export, show, list) and `ivr audit verify` (the report chain)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ivr.audit.service import current_actor
from ivr.commands import command_context, emit_json, period, write_private
from ivr.notes import event_name, local_iso, shown


@click.group()
def reports() -> None:
    """Care-transition reports: cancel, follow up, export."""


@reports.command("cancel")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the report is cancelled (stored with the cancellation).")
@click.option("--by", "by", default=None, help="Who cancels it (default: the logged-in user).")
def cancel(reference: str, reason: str, by: str | None) -> None:
    """Cancel report REFERENCE with a new entry that references it; the original stays intact."""
    from ivr.reports.service import ReportError, cancel_report

    with command_context() as ctx:
        session = ctx.session
        try:
            entry = cancel_report(
                session=session,
                reference=reference,
                reason=reason,
                by=current_actor(by),
                timezone=ctx.runtime.timezone,
                now=ctx.runtime.now(),
            )
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
        click.echo(f"report {reference} cancelled by entry {entry.reference}")


@reports.command("unacknowledged")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--no-drill", is_flag=True, help="Leave out drill reports.")
def unacknowledged(as_json: bool, no_drill: bool) -> None:
    """Receivers that have not acknowledged a report that still stands (no patient numbers shown)."""
    from ivr.reports.service import list_unacknowledged

    with command_context() as ctx:
        timezone = ctx.runtime.timezone
        pairs = list_unacknowledged(session=ctx.session, include_drill=not no_drill)
        rows: list[dict[str, Any]] = [
            {
                "reference": report.reference,
                "event": report.event,
                "official_time": local_iso(report.official_at, timezone),
                "reporting_unit": report.reporter_name,
                "reporting_unit_phone": report.reporter_phone,
                "receiver_code": row.receiver_code,
                "receiver": row.receiver_name,
                "dialled_time": local_iso(row.dialled_at, timezone) if row.dialled_at else None,
                "connected_time": local_iso(row.connected_at, timezone) if row.connected_at else None,
                "outcome": row.outcome,
                "drill": report.drill,
            }
            for report, row in pairs
        ]
    if as_json:
        emit_json(rows)
        return
    for item in rows:
        click.echo(
            f"{item['reference']}  {shown(item['official_time'])}  {event_name(item['event']):<32} "
            f"{item['reporting_unit']} → {item['receiver']} ({item['outcome'] or 'not reached'})"
            f"{'  (drill)' if item['drill'] else ''}"
        )
    if not rows:
        click.echo("every receiver has acknowledged", err=True)


@reports.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--from", "start", default=None, help="From this date or time (local; a date means 00:00).")
@click.option("--to", "end", default=None, help="Up to this date (inclusive) or time (exclusive), local.")
@click.option("--receiver", default=None, help="Only reports to this receiver code (e.g. 2580).")
@click.option("--by", "by", default=None, help="Who exports (default: the logged-in user); logged.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to a file.")
def export(
    fmt: str, start: str | None, end: str | None, receiver: str | None, by: str | None, output: Path | None
) -> None:
    """The authorised export with full patient numbers; every export is written to the access log."""
    from ivr.reports.export import export_rows, record_export, to_csv, to_json
    from ivr.reports.service import is_known_receiver

    with command_context() as ctx:
        timezone = ctx.runtime.timezone
        since, until = period(start, end, timezone)
        session = ctx.session
        if receiver is not None and not is_known_receiver(session=session, code=receiver):
            raise click.BadParameter(f"no unit or receiver with code {receiver}", param_hint="--receiver")
        rows = export_rows(session=session, timezone=timezone, start=since, end=until, receiver=receiver)
        filters = {"format": fmt, "from": start, "to": end, "receiver": receiver, "output": str(output or "stdout")}
        record_export(session=session, actor=current_actor(by), rows=rows, filters=filters, now=ctx.runtime.now())
        session.commit()
    text = to_json(rows) if fmt == "json" else to_csv(rows)
    if output is None:
        click.echo(text, nl=fmt == "json")
    else:
        write_private(output, text + ("\n" if fmt == "json" else ""))
        click.echo(f"{len(rows)} row(s) written to {output}", err=True)


@reports.command("list")
@click.option("--from", "start", default=None, help="From this date or time (local; a date means 00:00).")
@click.option("--to", "end", default=None, help="Up to this date (inclusive) or time (exclusive), local.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_reports(start: str | None, end: str | None, as_json: bool) -> None:
    """Every entry (reports and cancellations) without patient numbers: reference, time, event, units, status."""
    from ivr.reports.service import list_entries

    with command_context() as ctx:
        timezone = ctx.runtime.timezone
        since, until = period(start, end, timezone)
        rows = list_entries(session=ctx.session, timezone=timezone, start=since, end=until)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        if row["kind"] == "cancellation":
            when = shown(row["official_time"])
            click.echo(f"{row['reference']}  {when}  cancels {row['cancels']} ({row['made_by']})")
            continue
        status = f"cancelled by {row['cancelled_by']}" if row["cancelled_by"] else "stands"
        click.echo(
            f"{row['reference']}  {shown(row['official_time'])}  {event_name(row['event']):<32} "
            f"{row['reporting_unit']} → {', '.join(row['receivers'])}  {status}{'  (drill)' if row['drill'] else ''}"
        )
    if not rows:
        click.echo("no reports", err=True)


@reports.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by", "by", default=None, help="Who reads it (default: the logged-in user); logged.")
def show(reference: str, as_json: bool, by: str | None) -> None:
    """One report with its patient number and deliveries; the read is written to the access log."""
    from ivr.reports.export import export_rows
    from ivr.reports.service import find_report, record_patient_number_read

    with command_context() as ctx:
        session = ctx.session
        report = find_report(session=session, reference=reference)
        if report is None:
            raise click.ClickException(f"no report with reference {reference}")
        timezone = ctx.runtime.timezone
        rows = export_rows(session=session, timezone=timezone, reference=report.reference)
        if report.patient_number is not None:
            record_patient_number_read(session=session, report=report, actor=current_actor(by), now=ctx.runtime.now())
        session.commit()
        data: dict[str, Any] = {
            "reference": report.reference,
            "kind": report.kind,
            "cancels": report.cancels,
            "reason": report.reason,
            "made_by": report.made_by,
            "receivers": rows,
        }
    if as_json:
        emit_json(data)
        return
    if report.kind != "report":
        click.echo(f"{data['reference']}: cancels {data['cancels']} ({data['made_by']}: {data['reason']})")
        return
    first = rows[0]
    click.echo(f"{first['reference']} {first['event_name']}, official time {shown(first['official_time'])}")
    click.echo(f"  patient {first['patient_number']} ({first['patient_number_kind']})")
    click.echo(f"  from {first['reporting_unit']} ({first['reporting_unit_phone']}), caller {first['caller_name']}")
    for row in rows:
        acknowledged = shown(row["acknowledged_time"]) if row["acknowledged_time"] else "no"
        click.echo(f"  to {row['receiver']}: acknowledged {acknowledged}")
    if first["cancelled_by_reference"]:
        click.echo(
            f"  CANCELLED by {first['cancelled_by_reference']} ({first['cancelled_by']}: {first['cancel_reason']})"
        )


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(as_json: bool) -> None:
    """Walk the report chain; exit 1 naming the first entry that was altered, removed or inserted."""
    from ivr.reports.chain import verify_chain

    with command_context() as ctx:
        check = verify_chain(ctx.session)
    if as_json:
        emit_json(
            {
                "ok": check.ok,
                "entries": check.entries,
                "head": check.head,
                "first_bad_seq": check.first_bad_seq,
                "first_bad_reference": check.first_bad_reference,
                "problem": check.problem,
            }
        )
    elif check.ok:
        click.echo(f"report chain intact: {check.entries} entries, head {check.head}")
    else:
        click.echo(
            f"report chain BROKEN at entry {check.first_bad_seq} (reference {check.first_bad_reference}): "
            f"{check.problem}",
            err=True,
        )
    if not check.ok:
        sys.exit(1)
