"""The unfinished report of a call: its part of the call's state, until the caller confirms it with 1.

A draft holds what the caller has keyed and confirmed about the patient being reported; the reporting unit and
the caller's name are the call's (ivr.calls.state), shared with every flow of the call. Nothing is stored as a
report until the caller presses 1 at the summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from directory.snapshot import UnitSnapshot
from ivr.calls.state import DOCTOR, CallState

FLOW = "report"
Receiver = UnitSnapshot  # a receiving unit, snapshotted from the directory when the caller confirmed it


@dataclass
class Draft:
    """The patient being reported in this call, and the references registered earlier in it."""

    position: int = 1
    event: str | None = None
    patient_number: str | None = None
    patient_number_kind: str | None = None
    patient_confirmed: bool = False
    receivers: list[Receiver] = field(default_factory=list)
    pending_receiver: Receiver | None = None
    extra_asked: bool = False  # whether the optional second receiver was offered
    event_data: dict[str, str] = field(default_factory=dict)
    pending_date: str | None = None
    duplicate_of: str | None = None
    registered: list[str] = field(default_factory=list)

    def next_patient(self) -> None:
        """Clear everything about the patient just reported; keep the position count and what was registered."""
        keep = {"position", "registered"}
        for f in fields(self):
            if f.name not in keep:
                setattr(self, f.name, getattr(Draft(), f.name))
        self.position += 1

    def start_over(self) -> None:
        """Forget this patient's report (the summary's "2"), keeping the position."""
        position = self.position
        self.next_patient()
        self.position = position

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        data = dict(data)
        if data.get("pending_receiver") is not None:
            data["pending_receiver"] = Receiver(**data["pending_receiver"])
        data["receivers"] = [Receiver(**r) for r in data.get("receivers", [])]
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def draft_of(state: CallState) -> Draft:
    """The call's report draft (a fresh one if the call has none)."""
    return Draft.from_dict(state.flows.get(FLOW, {}))


def put_draft(state: CallState, draft: Draft) -> None:
    """Write the draft back into the call's state (saved with it)."""
    state.flows[FLOW] = draft.to_dict()


def next_patient(state: CallState, draft: Draft) -> None:
    """Go on to the next patient of the call: a new draft, and the assessing doctor asked again."""
    draft.next_patient()
    state.forget_name(DOCTOR)


def start_over(state: CallState, draft: Draft) -> None:
    """Forget this patient's report, including the assessing doctor's name."""
    draft.start_over()
    state.forget_name(DOCTOR)


def unfinished(state: CallState) -> Draft | None:
    """The call's report that was begun (an event chosen) but not registered, if any."""
    if FLOW not in state.flows:
        return None
    draft = draft_of(state)
    return draft if draft.event is not None and len(draft.registered) < draft.position else None


def resume(into: CallState, left: CallState) -> Draft:
    """Carry an ended call's unfinished report into this call: the unit, the assessing doctor and the draft.

    The caller's own name is asked again (a shared phone: someone else may be calling back). The official time
    becomes this call's, the one in which the report is registered.
    """
    draft = unfinished(left)
    if draft is None:
        raise ValueError("nothing to resume")
    draft.position, draft.registered, draft.duplicate_of = 1, [], None
    into.unit = left.unit
    for source, target in ((left.names, into.names), (left.recordings, into.recordings)):
        if DOCTOR in source:
            target[DOCTOR] = source[DOCTOR]
    put_draft(into, draft)
    return draft
