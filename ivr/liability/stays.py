"""Payment liability for one patient stay, as pure functions over plain values.

A stay is the ordered reports about one patient towards one municipality, from admission to discharge.
Liability runs from the first liable day of the latest discharge-ready report that still stands, until the
discharge (or, for a patient still admitted, until the last day of the report). A withdrawn assessment
(event 5, "no longer discharge-ready") stops the clock; a new discharge-ready report starts it again, with
its own grace days. Cancelled and drill reports never count. Every day is a Europe/Stockholm calendar date,
so a stay across a change to or from summer time, or across New Year, counts the days a person would.

Lag (2017:612) 5 kap. 3 §: the municipality is liable only if it got an admission notice, a discharge-ready
notice and, where a SIP is to be held, the outpatient care's SIP invitation. A stay where that is not
shown by the reports is kept apart for checking, never silently charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from ivr.liability.rates import RateSpan, RateTable
from ivr.liability.rules import LiabilityRule, liability_start


class StayEventKind(StrEnum):
    """What a report means for liability."""

    ADMISSION = "admission"
    DISCHARGE_READY = "discharge_ready"
    WITHDRAWN = "withdrawn"  # event 5: no longer discharge-ready
    DISCHARGE = "discharge"
    SIP_INVITATION = "sip_invitation"  # the outpatient unit's report (fast vårdkontakt, SIP meeting)
    OTHER = "other"


class PeriodEnd(StrEnum):
    """How a liable period ended."""

    DISCHARGE = "discharge"
    WITHDRAWN = "withdrawn"
    STILL_ADMITTED = "still_admitted"


class AdmissionCondition(StrEnum):
    """5 kap. 3 § 1: was the admission notified?"""

    REPORTED = "reported"  # phoned in through the line
    CHECK_IN_LIFECARE = "check_in_lifecare"  # not phoned in: before the outage it went through Lifecare SP


class DischargeReadyCondition(StrEnum):
    """5 kap. 3 § 2: was the discharge-ready notice sent?"""

    REPORTED = "reported"
    MISSING = "missing"


class SipCondition(StrEnum):
    """5 kap. 3 § 3: did the outpatient care send the SIP invitation (where a SIP is to be held)?"""

    SENT = "sent"  # the outpatient unit reported it
    UNKNOWN = "unknown"  # no report shows it; whether a SIP was required is not known either


@dataclass(frozen=True)
class StayEvent:
    """One report about the stay: what it means, its official time (aware), its reference."""

    kind: StayEventKind
    at: datetime
    reference: str
    drill: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class Stay:
    """Every report about one patient towards one municipality during one stay."""

    patient_number: str
    municipality_code: str
    events: tuple[StayEvent, ...]


@dataclass(frozen=True)
class Conditions:
    """The 5 kap. 3 § conditions as the reports show them."""

    admission: AdmissionCondition
    admission_reference: str | None
    discharge_ready: DischargeReadyCondition
    discharge_ready_reference: str | None
    sip_invitation: SipCondition
    sip_reference: str | None

    @property
    def shown_met(self) -> bool:
        """True only when every condition is shown by a report; otherwise the stay is kept apart for checking."""
        return (
            self.admission is AdmissionCondition.REPORTED
            and self.discharge_ready is DischargeReadyCondition.REPORTED
            and self.sip_invitation is SipCondition.SENT
        )


@dataclass(frozen=True)
class LiablePeriod:
    """From one standing discharge-ready report to the discharge, the withdrawal, or the end of the report."""

    discharge_ready_reference: str
    discharge_ready_at: datetime
    after_cutoff: bool
    first_liable_day: date
    end: PeriodEnd
    end_reference: str | None
    end_day: date  # the discharge or withdrawal date, or the report's last day for a patient still admitted
    last_liable_day: date | None  # None when liability ended before it started
    days: int


@dataclass(frozen=True)
class StayLiability:
    """The outcome for one stay within a report window."""

    stay: Stay
    rule: LiabilityRule
    periods: tuple[LiablePeriod, ...]
    conditions: Conditions
    liable_days: tuple[date, ...]  # inside the report window
    spans: tuple[RateSpan, ...]
    still_admitted: bool

    @property
    def days(self) -> int:
        """Liable days inside the report window."""
        return len(self.liable_days)

    @property
    def amount_sek(self) -> int:
        """The amount of the days that have a rate (see rate_missing_days for the rest)."""
        return sum(span.amount_sek or 0 for span in self.spans)

    @property
    def rate_missing_days(self) -> int:
        """Liable days for which the rate table has no rate."""
        return sum(span.days for span in self.spans if span.rate is None)

    @property
    def chargeable(self) -> bool:
        """Shown to meet 5 kap. 3 § (so it may be charged); otherwise listed separately."""
        return self.conditions.shown_met

    @property
    def references(self) -> tuple[str, ...]:
        """Every report that counted, in order."""
        return tuple(event.reference for event in counted_events(self.stay))


def counted_events(stay: Stay) -> list[StayEvent]:
    """The stay's reports that count: no drills, no cancelled reports, in official-time order."""
    return sorted((e for e in stay.events if not e.drill and not e.cancelled), key=lambda e: e.at)


def stay_liability(
    stay: Stay, *, rule: LiabilityRule, rates: RateTable, timezone: tzinfo, until: date, since: date | None = None
) -> StayLiability:
    """Liability for one stay, counting liable days from `since` (if given) to `until`, both inclusive."""
    # Reports after the report's last day have not happened yet as far as this report is concerned.
    events = [e for e in counted_events(stay) if e.at.astimezone(timezone).date() <= until]
    periods = _periods(events, rule=rule, timezone=timezone, until=until)
    days = sorted(
        {
            day
            for period in periods
            if period.last_liable_day is not None
            for day in _dates(period.first_liable_day, period.last_liable_day)
            if since is None or day >= since
        }
    )
    return StayLiability(
        stay=stay,
        rule=rule,
        periods=tuple(periods),
        conditions=_conditions(events),
        liable_days=tuple(days),
        spans=tuple(rates.spans(days)),
        still_admitted=not any(e.kind is StayEventKind.DISCHARGE for e in events),
    )


def _periods(events: list[StayEvent], *, rule: LiabilityRule, timezone: tzinfo, until: date) -> list[LiablePeriod]:
    periods: list[LiablePeriod] = []
    standing: StayEvent | None = None
    for event in events:
        if event.kind is StayEventKind.DISCHARGE_READY:
            # The latest standing discharge-ready report is the one that counts: a repeated notice restarts
            # the grace days rather than being charged twice.
            standing = event
        elif event.kind in (StayEventKind.WITHDRAWN, StayEventKind.DISCHARGE) and standing is not None:
            end = PeriodEnd.DISCHARGE if event.kind is StayEventKind.DISCHARGE else PeriodEnd.WITHDRAWN
            end_day = event.at.astimezone(timezone).date()
            last = end_day if rule.discharge_day_counts else end_day - timedelta(days=1)
            periods.append(_period(standing, end, event.reference, end_day, min(last, until), rule, timezone))
            standing = None
        if event.kind is StayEventKind.DISCHARGE:
            break
    if standing is not None:
        periods.append(_period(standing, PeriodEnd.STILL_ADMITTED, None, until, until, rule, timezone))
    return periods


def _period(
    ready: StayEvent,
    end: PeriodEnd,
    end_reference: str | None,
    end_day: date,
    last: date,
    rule: LiabilityRule,
    timezone: tzinfo,
) -> LiablePeriod:
    start = liability_start(ready.at, rule=rule, timezone=timezone)
    liable = last >= start.first_liable_day
    return LiablePeriod(
        discharge_ready_reference=ready.reference,
        discharge_ready_at=ready.at,
        after_cutoff=start.after_cutoff,
        first_liable_day=start.first_liable_day,
        end=end,
        end_reference=end_reference,
        end_day=end_day,
        last_liable_day=last if liable else None,
        days=(last - start.first_liable_day).days + 1 if liable else 0,
    )


def _conditions(events: list[StayEvent]) -> Conditions:
    def first(kind: StayEventKind) -> str | None:
        return next((e.reference for e in events if e.kind is kind), None)

    admission, ready, sip = (
        first(StayEventKind.ADMISSION),
        first(StayEventKind.DISCHARGE_READY),
        first(StayEventKind.SIP_INVITATION),
    )
    return Conditions(
        admission=AdmissionCondition.CHECK_IN_LIFECARE if admission is None else AdmissionCondition.REPORTED,
        admission_reference=admission,
        discharge_ready=DischargeReadyCondition.MISSING if ready is None else DischargeReadyCondition.REPORTED,
        discharge_ready_reference=ready,
        sip_invitation=SipCondition.UNKNOWN if sip is None else SipCondition.SENT,
        sip_reference=sip,
    )


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def split_stays(patient_number: str, municipality_code: str, events: list[StayEvent]) -> list[Stay]:
    """Split one patient's reports towards one municipality into stays: a discharge ends a stay."""
    stays: list[list[StayEvent]] = [[]]
    for event in sorted(events, key=lambda e: e.at):
        stays[-1].append(event)
        if event.kind is StayEventKind.DISCHARGE and not event.drill and not event.cancelled:
            stays.append([])
    return [Stay(patient_number, municipality_code, tuple(group)) for group in stays if group]
