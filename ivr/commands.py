"""Feature command groups attached to `ivr`: each feature adds its group here."""

from __future__ import annotations

import click


def feature_commands() -> list[click.Command]:
    """Every feature's command group."""
    from call_flows.cli import COMMANDS as VOICE_LINE_COMMANDS
    from ivr.liability.cli import liability
    from ivr.outbox.cli import sms, worker
    from ivr.reports.cli import audit, reports
    from ivr.worklist.cli import worklist

    return [worker, sms, reports, audit, *VOICE_LINE_COMMANDS, liability, worklist]
