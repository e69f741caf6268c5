"""The main menu's options, in one registry: the spoken menu, the key dispatch and the routes all come from it.

Which keys a line offers is data (ivr/lines/data/lines.toml: `menu = { "2" = "fault", … }`); what each option
is called, where it leads and which modules serve it (each a `bp` of steps) is here. The flows themselves are
imported only when the app registers them, so a command that only checks a lines file stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: reading OPTIONS (to check a lines file) costs nothing
    from flask import Blueprint
    from twilio.twiml.voice_response import VoiceResponse

    from call_flows.gather import Ask
    from ivr.lines.models import Line

from call_flows.endpoints import SWITCHBOARD


@dataclass(frozen=True)
class Option:
    """One main-menu option: the words that name it, the step it starts at and the modules whose `bp` serve it."""

    label: str
    start: str
    modules: tuple[str, ...] = ()

    def blueprints(self) -> tuple[Blueprint, ...]:
        """The option's blueprints (importing its flow)."""
        return tuple(blueprint_of(module) for module in self.modules)


OPTIONS: dict[str, Option] = {
    "report": Option(
        label="option_report",
        start="report.start",
        modules=("call_flows.report_flow", "call_flows.report_details", "call_flows.report_delivery"),
    ),
    "fault": Option(label="option_fault", start="fault.start", modules=("call_flows.faults", "call_flows.fault_dial")),
    "connect": Option(label="option_connect", start="connect.start", modules=("call_flows.connect",)),
    "inbox": Option(label="option_inbox", start="inbox.start", modules=("call_flows.inbox",)),
    "visits": Option(label="option_visits", start="visits.start", modules=("call_flows.visits",)),
    "switchboard": Option(label="option_switchboard", start=SWITCHBOARD),
}
# Steps shared by several options (the caller's name, the caller's unit), registered once.
SHARED_MODULES = ("call_flows.caller_name", "call_flows.caller_unit")


def blueprint_of(module: str) -> Blueprint:
    """The blueprint of steps a flow module serves."""
    blueprint: Blueprint = import_module(module).bp
    return blueprint


@dataclass(frozen=True)
class MenuCaller:
    """What the main menu knows about the caller: the unit's kind from caller ID and its unacknowledged reports."""

    unit_kind: str | None = None
    inbox_count: int = 0


def spoken_options(line: Line, caller: MenuCaller) -> list[tuple[str, str]]:
    """The (key, label) pairs the menu says to this caller. The inbox is said to a unit with unacknowledged
    reports and to an unknown caller (who keys the unit's code); its key works for everyone."""
    from call_flows.prompts import PROMPTS, prompt

    spoken = []
    for digit, name in line.menu:
        label = OPTIONS[name].label
        if name == "inbox":
            if caller.unit_kind is not None and caller.inbox_count == 0:
                continue
            label = "option_inbox" if caller.unit_kind is not None else "option_inbox_unknown"
        elif name == "report" and f"option_report_{caller.unit_kind}" in PROMPTS:
            label = f"option_report_{caller.unit_kind}"
        spoken.append((digit, prompt(label)))
    return spoken


def only_option(line: Line, caller: MenuCaller) -> str | None:
    """The one option of a menu that offers nothing else but the switchboard (always on 0): it is started at once."""
    offered = [name for digit, name in line.menu if name != "switchboard" and _is_spoken(line, caller, digit)]
    return offered[0] if len(offered) == 1 else None


def _is_spoken(line: Line, caller: MenuCaller, digit: str) -> bool:
    return any(key == digit for key, _ in spoken_options(line, caller))


def menu_text(line: Line, caller: MenuCaller) -> str:
    """The main menu as spoken, generated from the line's keys, the option table and who is calling."""
    from call_flows.gather import choices_text

    return choices_text(spoken_options(line, caller))


def main_menu(line: Line, caller: MenuCaller) -> Ask:
    """The main-menu question; after repeated silence or wrong keys it gives up to the switchboard."""
    from call_flows.gather import Ask

    return Ask(endpoint="voice.menu_choice", text=menu_text(line, caller), voice=line.voice, give_up=SWITCHBOARD)


def dispatch(line: Line, digit: str) -> VoiceResponse | None:
    """Where a main-menu key leads (a <Redirect>), or None for a key the line does not offer."""
    from call_flows.twiml import redirect_to

    name = line.option_for(digit)
    return None if name is None else redirect_to(OPTIONS[name].start)


def start_of(option: str) -> str:
    """The endpoint an option starts at."""
    return OPTIONS[option].start
