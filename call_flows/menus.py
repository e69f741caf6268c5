"""The main menu's options, in one registry: the spoken menu, the key dispatch and the routes all come from it.

Which keys a line offers is data (ivr/lines/data/lines.toml: `menu = { "2" = "fault", … }`); what each option
is called, where it leads and which blueprints serve it is here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from twilio.twiml.voice_response import VoiceResponse

from call_flows import caller_name, caller_unit, connect, fault_dial, faults, report_flow, visits
from call_flows.gather import SWITCHBOARD, Ask, choices_text
from call_flows.prompts import prompt
from call_flows.twiml import redirect_to
from ivr.lines.models import Line


@dataclass(frozen=True)
class Option:
    """One main-menu option: the words that name it, the step it starts at and the blueprints that serve it."""

    label: str
    start: str
    blueprints: tuple[Blueprint, ...] = ()


OPTIONS: dict[str, Option] = {
    "report": Option(label="option_report", start="report.start", blueprints=report_flow.BLUEPRINTS),
    "fault": Option(label="option_fault", start="fault.start", blueprints=(faults.bp, fault_dial.bp)),
    "connect": Option(label="option_connect", start="connect.start", blueprints=(connect.bp,)),
    "visits": Option(label="option_visits", start="visits.start", blueprints=(visits.bp,)),
    "switchboard": Option(label="option_switchboard", start=SWITCHBOARD),
}
# Steps shared by several options (the caller's name, the caller's unit), registered once.
SHARED_BLUEPRINTS: tuple[Blueprint, ...] = (caller_name.bp, caller_unit.bp)


def menu_text(line: Line) -> str:
    """The main menu as spoken, generated from the line's keys and the option table."""
    choices = [(digit, prompt(OPTIONS[option].label)) for digit, option in line.menu]
    return " ".join((prompt("menu_intro"), choices_text(choices), prompt("menu_repeat_hint")))


def main_menu(line: Line) -> Ask:
    """The main-menu question; after repeated silence or wrong keys it gives up to the switchboard."""
    return Ask(endpoint="voice.menu_choice", text=menu_text(line), voice=line.voice, give_up=SWITCHBOARD)


def dispatch(line: Line, digit: str) -> VoiceResponse | None:
    """Where a main-menu key leads (a <Redirect>), or None for a key the line does not offer."""
    name = line.option_for(digit)
    return None if name is None else redirect_to(OPTIONS[name].start)
