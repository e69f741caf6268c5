"""The main menu as a table: one function speaks it, one dispatches the key."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from call_flows.lines import Line
from call_flows.navigation import SWITCHBOARD, Ask, to_main_menu
from call_flows.prompts import prompt


@dataclass(frozen=True)
class Option:
    """One main-menu option: the words that name it and the step it leads to."""

    label: str
    endpoint: str
    blueprint: str


# Keys are per line (lines.toml); what each option is and where it leads is here.
OPTIONS: dict[str, Option] = {
    "report": Option(label="option_report", endpoint="report.start", blueprint="report"),
    "fault": Option(label="option_fault", endpoint="fault.start", blueprint="fault"),
    "connect": Option(label="option_connect", endpoint="connect.start", blueprint="connect"),
    "switchboard": Option(label="option_switchboard", endpoint=SWITCHBOARD, blueprint="voice"),
}


def choices_text(choices: list[tuple[str, str]]) -> str:
    """Spoken choices from (key, label text) pairs: "För felanmälan och IT-stöd, tryck 2. …"."""
    return " ".join(prompt("menu_option", label=label, digit=digit) for digit, label in choices)


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
    if name is None:
        return None
    option = OPTIONS[name]
    if option.blueprint not in current_app.blueprints:
        # Built by a later feature (care-transition reports): say so instead of failing.
        return to_main_menu(line.voice, before=("report_not_available",))
    response = VoiceResponse()
    response.redirect(url_for(option.endpoint), method="POST")
    return response
