"""Read-mostly data comes from each process's snapshot, and a change made anywhere is seen at the next request.

Two apps on one database stand for two processes (each has its own engine and its own snapshots). Changes
are made the way an operator makes them: by the CLI, and by plain SQL as psql would (no code of ours runs).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from directory.lookup import find_unit_by_code, find_unit_by_number
from ivr.app import create_app
from ivr.clock import FrozenClock
from ivr.config import Config
from ivr.snapshot import VERSIONED_TABLES, data_version
from tests.conftest import WARD_61, Caller
from tests.fixtures_voice_line import run_ivr

WARD_61_NAME = "Avdelning 61 medicin, Sunderby sjukhus"


@pytest.fixture
def second_process(app: Flask, config: Config, clock: FrozenClock) -> Iterator[Flask]:
    """Another instance of the service on the same database (its own engine, its own snapshots)."""
    other = create_app(config, clock=clock)
    yield other
    other.extensions["ivr.engine"].dispose()


def _psql(engine: Engine, sql: str) -> None:
    """A change made outside the service, as an operator in psql would."""
    with engine.begin() as connection:
        connection.execute(text(sql))


def _greeting(app: Flask) -> str:
    call = Caller(app.test_client()).dial(WARD_61)
    heard = call.heard
    call.hangup()
    return heard


def test_a_unit_renamed_in_the_database_is_heard_by_every_process_at_its_next_call(
    app: Flask, second_process: Flask
) -> None:
    assert WARD_61_NAME in _greeting(app) and WARD_61_NAME in _greeting(second_process)  # both snapshots filled
    _psql(app.extensions["ivr.engine"], "UPDATE units SET name = 'Avdelning 61 hjärta' WHERE code = '101'")
    for process in (app, second_process):
        heard = _greeting(process)
        assert "Avdelning 61 hjärta" in heard and WARD_61_NAME not in heard


def test_an_outage_started_and_ended_by_the_cli_is_announced_and_then_not_by_every_process(
    app: Flask, second_process: Flask
) -> None:
    assert "Lifecare SP" not in _greeting(app) + _greeting(second_process)
    started = run_ivr(app, "outage", "start", "--line", "norrbotten", "--system", "Lifecare SP", "--by", "bo")
    assert started.exit_code == 0, started.output
    assert "Lifecare SP" in _greeting(app) and "Lifecare SP" in _greeting(second_process)
    assert run_ivr(app, "outage", "end", "--line", "norrbotten", "--by", "bo").exit_code == 0
    assert "Lifecare SP" not in _greeting(app) + _greeting(second_process)


def test_a_number_moved_to_another_unit_finds_that_unit_at_once(app: Flask, second_process: Flask) -> None:
    engine = second_process.extensions["ivr.engine"]
    with Session(engine) as session:
        assert (found := find_unit_by_number(session=session, number=WARD_61)) is not None and found.code == "101"
    _psql(
        app.extensions["ivr.engine"],
        "UPDATE unit_numbers SET unit_id = (SELECT id FROM units WHERE code = '2580') WHERE e164 = '+46980319202'",
    )
    with Session(engine) as session:
        assert (found := find_unit_by_number(session=session, number=WARD_61)) is not None and found.code == "2580"


@pytest.mark.parametrize("table", VERSIONED_TABLES)
def test_every_change_of_a_read_mostly_table_bumps_the_version(app: Flask, table: str) -> None:
    engine: Engine = app.extensions["ivr.engine"]
    with Session(engine) as session:
        before = data_version(session)
    assert before is not None
    changes = {
        "units": "UPDATE units SET hours = hours WHERE code = '101'",
        "unit_numbers": "UPDATE unit_numbers SET position = position WHERE e164 = '+46980319202'",
        "outages": "INSERT INTO outages (line_key, system, planned, drill, starts_at, created_at, created_by) "
        "VALUES ('norrbotten', 'Lifecare SP', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'psql')",
    }
    _psql(engine, changes[table])
    with Session(engine) as session:
        after = data_version(session)
    assert after is not None and after > before


def test_a_lost_version_row_is_made_again_and_nothing_is_served_from_before(app: Flask) -> None:
    engine: Engine = app.extensions["ivr.engine"]
    with Session(engine) as session:
        assert find_unit_by_code(session=session, code="101") is not None  # the snapshot is filled
    _psql(engine, "DELETE FROM data_versions")
    with Session(engine) as session:
        assert data_version(session) is None  # no version: every read goes to the database
    _psql(engine, "UPDATE units SET name = 'Avdelning 61 hjärta' WHERE code = '101'")
    with Session(engine) as session:
        assert data_version(session) is not None
        assert (unit := find_unit_by_code(session=session, code="101")) is not None
        assert unit.name == "Avdelning 61 hjärta"


def test_the_entry_webhook_reads_the_version_once_and_neither_units_nor_outages(app: Flask) -> None:
    statements: list[str] = []
    engine: Engine = app.extensions["ivr.engine"]

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    _greeting(app)  # the snapshots are filled
    event.listen(engine, "before_cursor_execute", seen)
    try:
        call = Caller(app.test_client()).dial(WARD_61)  # the caller's unit, its inbox, outages: one request
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    call.hangup()
    assert WARD_61_NAME in call.heard
    assert len([s for s in statements if "data_versions" in s]) == 1
    assert not any("FROM units" in s or "FROM outages" in s or "FROM unit_numbers" in s for s in statements)
