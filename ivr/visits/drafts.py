"""A call's visit registration in progress: its part of the call's state (ivr.calls.state), never a URL or a log.

It holds who keyed a valid personal code, which client the call is about, the intervention codes keyed so far,
and whether the call was refused after three wrong codes (then it cannot try again).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ivr.calls.state import CallState

FLOW = "visit"
MAX_INTERVENTIONS = 9


@dataclass
class VisitDraft:
    """What the call has answered so far in the visit flow."""

    staff_id: int | None = None
    client_code: str | None = None
    client_source: str | None = None
    interventions: list[str] = field(default_factory=list)
    refused: bool = False

    def add_intervention(self, code: str) -> bool:
        """Add a keyed code once (a retried request adds nothing); False if it was already there."""
        if code in self.interventions:
            return False
        self.interventions.append(code)
        return True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VisitDraft:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def visit_draft(state: CallState) -> VisitDraft:
    """The call's visit draft (a fresh one if the call has none)."""
    return VisitDraft.from_dict(state.flows.get(FLOW, {}))


def put_visit_draft(state: CallState, draft: VisitDraft) -> None:
    """Keep the draft in the call's state (the caller saves the state)."""
    state.flows[FLOW] = draft.to_dict()
