"""The events a unit reports while Lifecare SP is down, which units report which, and what data each carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Event(StrEnum):
    """A reportable care-transition event."""

    ADMISSION = "admission"
    ESTIMATED_DISCHARGE = "estimated_discharge"
    DISCHARGE_READY = "discharge_ready"
    DISCHARGE = "discharge"
    CHANGED_ASSESSMENT = "changed_assessment"
    CARE_CONTACT = "care_contact"
    SIP_MEETING = "sip_meeting"
    READY_FOR_HOME = "ready_for_home"


class Assessment(StrEnum):
    """What a changed discharge-ready assessment (event 5) says."""

    NO_LONGER_READY = "no_longer_ready"
    NEW_DATE = "new_date"


@dataclass(frozen=True)
class EventSpec:
    """The data an event asks for (its names are in each medium's catalogue)."""

    date_field: str | None = None  # the event-data key of the date it asks for, if any
    date_required: bool = False
    asks_doctor: bool = False


EVENTS: dict[Event, EventSpec] = {
    Event.ADMISSION: EventSpec(date_field="estimated_discharge_date"),
    Event.ESTIMATED_DISCHARGE: EventSpec(date_field="estimated_discharge_date", date_required=True),
    Event.DISCHARGE_READY: EventSpec(),
    Event.DISCHARGE: EventSpec(),
    Event.CHANGED_ASSESSMENT: EventSpec(date_field="new_date", asks_doctor=True),
    Event.CARE_CONTACT: EventSpec(),
    Event.SIP_MEETING: EventSpec(date_field="sip_date", date_required=True),
    Event.READY_FOR_HOME: EventSpec(),
}

# What each kind of reporting unit can report, in the order of its menu keys (1, 2, …).
EVENTS_BY_REPORTER: dict[str, tuple[Event, ...]] = {
    "ward": (
        Event.ADMISSION,
        Event.ESTIMATED_DISCHARGE,
        Event.DISCHARGE_READY,
        Event.DISCHARGE,
        Event.CHANGED_ASSESSMENT,
    ),
    "outpatient_unit": (Event.CARE_CONTACT, Event.SIP_MEETING),
    "municipality": (Event.READY_FOR_HOME,),
}
REPORTER_KINDS = tuple(EVENTS_BY_REPORTER)


@dataclass(frozen=True)
class ReceiverPlan:
    """Who a kind of reporting unit reports to: one required receiver kind and an optional extra one."""

    primary: str
    extra: str | None


RECEIVERS_BY_REPORTER: dict[str, ReceiverPlan] = {
    "ward": ReceiverPlan(primary="municipality", extra="outpatient_unit"),
    "outpatient_unit": ReceiverPlan(primary="municipality", extra="ward"),
    "municipality": ReceiverPlan(primary="ward", extra="outpatient_unit"),
}
# Kinds of unit that receive reports (and so may call to hear and acknowledge the ones they missed).
RECEIVER_KINDS = tuple(
    dict.fromkeys(k for plan in RECEIVERS_BY_REPORTER.values() for k in (plan.primary, plan.extra) if k)
)
