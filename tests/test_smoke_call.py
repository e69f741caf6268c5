"""A whole call: greeting, caller's unit, main menu, 0 for the switchboard."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.calls.models import Call as CallRecord
from tests.conftest import SWITCHBOARD, WARD_61, Caller


def test_a_ward_hears_its_name_and_is_connected_to_the_switchboard(caller: Caller, db_session: Session) -> None:
    call = caller.dial(WARD_61)
    assert "Avdelning 61 medicin, Sunderby sjukhus" in call.heard
    call.press("0")
    assert call.dialled == [SWITCHBOARD]
    call.dial_outcome("completed", seconds=30)
    assert call.ended
    assert "svarar inte" not in call.heard_all
    record = db_session.scalars(select(CallRecord)).one()
    assert record.call_sid == call.call_sid
    assert record.status == "completed"
