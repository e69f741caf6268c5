"""Time-of-day routing: the help desk in its hours on working days, the standby otherwise, and overrides."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from ivr.audit.service import list_audit
from ivr.clock import FrozenClock
from ivr.lines.models import Line
from ivr.schedule.service import next_scheduled_change, scheduled_target
from ivr.web.context import runtime_of
from tests.conftest import LINKOPING_LINE, STOCKHOLM, WARD_61, Caller, stockholm, via
from tests.fixtures_voice_line import (
    HELP_DESK_LINKOPING,
    HELP_DESK_NORRBOTTEN,
    STANDBY_LINKOPING,
    STANDBY_NORRBOTTEN,
    ivr_json,
    report_fault,
    run_ivr,
)


@pytest.mark.parametrize(
    ("moment", "number"),
    [
        pytest.param(stockholm(2026, 11, 23, 10, 0), HELP_DESK_NORRBOTTEN, id="weekday 10:00"),
        pytest.param(stockholm(2026, 11, 23, 16, 30), STANDBY_NORRBOTTEN, id="weekday 16:30"),
        pytest.param(stockholm(2026, 11, 23, 7, 59), STANDBY_NORRBOTTEN, id="weekday 07:59"),
        pytest.param(stockholm(2026, 11, 28, 10, 0), STANDBY_NORRBOTTEN, id="Saturday"),
        pytest.param(stockholm(2026, 6, 19, 10, 0), STANDBY_NORRBOTTEN, id="midsommarafton"),
        pytest.param(stockholm(2026, 12, 24, 10, 0), STANDBY_NORRBOTTEN, id="julafton"),
        pytest.param(stockholm(2026, 4, 6, 10, 0), STANDBY_NORRBOTTEN, id="Easter Monday"),
        pytest.param(stockholm(2026, 3, 30, 8, 5), HELP_DESK_NORRBOTTEN, id="first Monday of summer time 08:05"),
        pytest.param(stockholm(2026, 10, 26, 15, 55), HELP_DESK_NORRBOTTEN, id="first Monday of winter time 15:55"),
        pytest.param(stockholm(2026, 10, 26, 16, 5), STANDBY_NORRBOTTEN, id="first Monday of winter time 16:05"),
    ],
)
def test_a_fault_report_rings_the_help_desk_in_its_hours_and_the_standby_otherwise(
    caller: Caller, clock: FrozenClock, moment: datetime, number: str
) -> None:
    clock.set(moment)
    call = report_fault(caller.dial(WARD_61))
    assert call.dialled == [number]


def test_the_linkoping_line_routes_to_its_own_help_desk_and_lkdata(caller: Caller, clock: FrozenClock) -> None:
    assert report_fault(caller.dial(WARD_61, LINKOPING_LINE)).dialled == [HELP_DESK_LINKOPING]
    clock.set(stockholm(2026, 12, 31, 10, 0))  # nyårsafton
    assert report_fault(caller.dial(WARD_61, LINKOPING_LINE)).dialled == [STANDBY_LINKOPING]


def test_the_schedule_follows_the_wall_clock_across_daylight_saving_changes(app: Flask) -> None:
    line: Line = runtime_of(app).lines.first
    # Friday before summer time starts (Sunday 29 March 2026): the next change is Monday 08:00 local.
    friday = stockholm(2026, 3, 27, 17, 0)
    change = next_scheduled_change(line, friday, STOCKHOLM)
    assert change.astimezone(STOCKHOLM) == stockholm(2026, 3, 30, 8, 0)
    assert change.utcoffset() is not None
    assert change.hour == 6  # UTC+2 in summer time
    assert scheduled_target(line, stockholm(2026, 3, 30, 8, 0))[0] == "help_desk"


def test_extra_closed_dates_of_a_line_are_standby_all_day(app: Flask) -> None:
    line: Line = runtime_of(app).lines.first
    monday = stockholm(2026, 11, 23, 10, 0)
    closed = dataclasses.replace(line, extra_closed_dates=(date(2026, 11, 23),))
    assert scheduled_target(line, monday)[0] == "help_desk"
    assert scheduled_target(closed, monday) == ("standby", "extra closed date")
    assert scheduled_target(line, stockholm(2026, 12, 24, 10, 0)) == ("standby", "Julafton")


def test_status_tells_the_target_why_and_until_when(app: Flask, clock: FrozenClock) -> None:
    status = ivr_json(app, "schedule", "status", "--line", "norrbotten")
    assert status["target"] == "help_desk"
    assert status["number"] == HELP_DESK_NORRBOTTEN
    assert status["why"] == "opening hours"
    assert status["until"] == stockholm(2026, 11, 23, 16, 0).isoformat()
    clock.set(stockholm(2026, 12, 24, 10, 0))
    status = ivr_json(app, "schedule", "status", "--line", "norrbotten")
    assert (status["target"], status["why"]) == ("standby", "Julafton")
    assert status["until"] == stockholm(2026, 12, 28, 8, 0).isoformat()  # after juldagen, annandag and the weekend


def test_a_temporary_override_reverts_at_the_next_scheduled_change(
    app: Flask, caller: Caller, clock: FrozenClock, db_session: Session
) -> None:
    result = run_ivr(app, "schedule", "override", "--line", "norrbotten", "--to", "standby", "--by", "anna")
    assert result.exit_code == 0, result.output
    status = ivr_json(app, "schedule", "status", "--line", "norrbotten")
    assert status["target"] == "standby"
    assert status["reason"] == "override"
    assert status["until"] == stockholm(2026, 11, 23, 16, 0).isoformat()
    assert report_fault(caller.dial(WARD_61)).dialled == [STANDBY_NORRBOTTEN]

    clock.set(stockholm(2026, 11, 24, 9, 0))  # the evening's change has passed: back on the schedule
    status = ivr_json(app, "schedule", "status", "--line", "norrbotten")
    assert (status["target"], status["reason"]) == ("help_desk", "schedule")
    assert report_fault(caller.dial(WARD_61)).dialled == [HELP_DESK_NORRBOTTEN]

    entries = list_audit(session=db_session, action="schedule.override")
    assert [(e.actor, e.subject) for e in entries] == [(via("anna"), "line:norrbotten")]
    assert '"target": "standby"' in entries[0].detail


def test_an_override_until_reset_outlasts_scheduled_changes_until_reset(app: Flask, clock: FrozenClock) -> None:
    clock.set(stockholm(2026, 11, 28, 10, 0))  # Saturday: standby by the schedule
    args = ("schedule", "override", "--line", "linkoping", "--to", "help-desk", "--until-reset", "--by", "bo")
    assert run_ivr(app, *args).exit_code == 0
    clock.set(stockholm(2026, 11, 30, 20, 0))  # Monday evening
    status = ivr_json(app, "schedule", "status", "--line", "linkoping")
    assert (status["target"], status["until"]) == ("help_desk", None)
    assert status["override"]["set_by"] == via("bo")
    assert run_ivr(app, "schedule", "reset", "--line", "linkoping", "--by", "bo").exit_code == 0
    status = ivr_json(app, "schedule", "status", "--line", "linkoping")
    assert (status["target"], status["why"]) == ("standby", "outside opening hours")


def test_an_unknown_line_is_refused_by_name(app: Flask) -> None:
    result = run_ivr(app, "schedule", "override", "--line", "umea", "--to", "standby")
    assert result.exit_code != 0
    assert "no line 'umea'" in result.output
