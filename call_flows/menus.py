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
    "visits": Option(label="option_visits", start="visits.start", modules=("call_flows.visits",)),
    "switchboard": Option(label="option_switchboard", start=SWITCHBOARD),
}
# Steps shared by several options (the caller's name, the caller's unit), registered once.
SHARED_MODULES = ("call_flows.caller_name", "call_flows.caller_unit")


def blueprint_of(module: str) -> Blueprint:
    """The blueprint of steps a flow module serves."""
    blueprint: Blueprint = import_module(module).bp
    return blueprint


def menu_text(line: Line) -> str:
    """The main menu as spoken, generated from the line's keys and the option table."""
    from call_flows.gather import choices_text
    from call_flows.prompts import prompt

    choices = [(digit, prompt(OPTIONS[option].label)) for digit, option in line.menu]
    return " ".join((prompt("menu_intro"), choices_text(choices), prompt("menu_repeat_hint")))


def main_menu(line: Line) -> Ask:
    """The main-menu question; after repeated silence or wrong keys it gives up to the switchboard."""
    from call_flows.gather import Ask

    return Ask(endpoint="voice.menu_choice", text=menu_text(line), voice=line.voice, give_up=SWITCHBOARD)


def dispatch(line: Line, digit: str) -> VoiceResponse | None:
    """Where a main-menu key leads (a <Redirect>), or None for a key the line does not offer."""
    from call_flows.twiml import redirect_to

    name = line.option_for(digit)
    return None if name is None else redirect_to(OPTIONS[name].start)
