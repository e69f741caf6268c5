"""The main menu as this caller hears it: its report option named for the caller's kind of unit, its inbox
option said when reports wait for the caller's unit (ivr.reports.inbox), a menu of one option started at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows.gather import ask
from call_flows.menus import MenuCaller, main_menu, only_option, start_of
from call_flows.prompts import prompt
from call_flows.twiml import redirect_to, say_text
from call_flows.webhook import call_params, current_line
from directory.lookup import UnitRecord
from ivr.lines.models import Line
from ivr.reports.inbox import unacknowledged_count
from ivr.web.context import now
from ivr.web.session import get_session


def menu_caller(*, session: Session, line: Line, unit: UnitRecord | None) -> MenuCaller:
    """What the menu needs to know about the caller's unit (None: the number is not in the directory)."""
    if unit is None:
        return MenuCaller()
    waiting = unacknowledged_count(session=session, code=unit.code, now=now()) if line.key_for("inbox") else 0
    return MenuCaller(unit_kind=unit.kind, inbox_count=waiting)


def inbox_news(caller: MenuCaller) -> list[str]:
    """ "Du har två okvitterade rapporter." for a unit with reports waiting."""
    if caller.inbox_count == 0:
        return []
    if caller.inbox_count == 1:
        return [prompt("inbox_waiting_one")]
    from call_flows.speech import number_words

    return [prompt("inbox_waiting_many", count=number_words(min(caller.inbox_count, 9999)))]


def menu_for(line: Line, caller: MenuCaller, *, before: Sequence[str] = ()) -> VoiceResponse:
    """The main menu after `before` (all inside its <Gather>), or straight into a menu's only option."""
    only = only_option(line, caller)
    if only is not None:
        response = VoiceResponse()
        for text in before:
            say_text(response, line.voice, text)
        return redirect_to(start_of(only), before=response)
    return ask(main_menu(line, caller), before=before)


def main_menu_response(*, before: Sequence[str] = ()) -> VoiceResponse:
    """The main menu for the current call (its caller looked up again: the web tier keeps nothing)."""
    from directory.lookup import find_unit_by_number

    session, line = get_session(), current_line()
    unit = find_unit_by_number(session=session, number=call_params().from_number)
    return menu_for(line, menu_caller(session=session, line=line, unit=unit), before=before)
