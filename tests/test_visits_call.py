"""Home-care visits by phone on the Linköping line: code, client, start or end, interventions, all read back."""

from __future__ import annotations

import logging
import threading
from urllib.parse import urljoin

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from ivr.caller import Call, FlaskTransport
from ivr.caller.transport import HttpResult
from ivr.clock import FrozenClock
from ivr.visits.models import END, START, VisitEntry
from tests.conftest import AUTH_TOKEN, LINKOPING_LINE, UNKNOWN_CALLER, Caller, stockholm
from tests.fixtures_visits import (
    ANNA_CODE,
    BO_CODE,
    CLIENT_4711_LANDLINE,
    COUPLE_LANDLINE,
    RYD,
    SKAGGETORP,
    STAFF_MOBILE,
    add_staff,
    register_start,
    visit_menu,
)
from tests.fixtures_voice_line import SWITCHBOARD_LINKOPING, ivr_json, resend, run_ivr

CLIENT_4711 = "fyra, sju, ett, ett"
CLIENT_4721 = "fyra, sju, två, ett"


@pytest.fixture
def anna(app: Flask) -> int:
    """Anna Andersson of Hemtjänsten Ryd, personal code 482916."""
    return add_staff(app, "Anna Andersson", RYD, ANNA_CODE)


@pytest.fixture
def bo(app: Flask) -> int:
    """Bo Berg of Hemtjänsten Skäggetorp, personal code 730518."""
    return add_staff(app, "Bo Berg", SKAGGETORP, BO_CODE)


def entries(db_session: Session) -> list[VisitEntry]:
    db_session.expire_all()
    return list(db_session.scalars(select(VisitEntry).order_by(VisitEntry.id)))


def test_from_the_clients_landline_a_visit_starts_and_ends_with_two_interventions_all_read_back(
    app: Flask, caller: Caller, clock: FrozenClock, db_session: Session, anna: int
) -> None:
    clock.set(stockholm(2026, 11, 23, 8, 5))
    call = caller.dial(CLIENT_4711_LANDLINE, LINKOPING_LINE)
    assert "Tidregistrering i hemtjänsten: tryck 1." in call.heard
    call.press("1")
    assert "Knappa in din personliga kod och avsluta med fyrkant." in call.heard
    call.press(ANNA_CODE + "#")
    assert f"Hej Anna Andersson. Du ringer från brukare {CLIENT_4711}. Tryck 1 om besöket börjar" in call.heard
    call.press("1")
    assert f"Besöket hos brukare {CLIENT_4711} började klockan åtta och noll fem. Det är registrerat." in call.heard
    assert call.ended

    clock.set(stockholm(2026, 11, 23, 9, 10))
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    call.press("2")
    assert "Knappa in en insatskod och avsluta med fyrkant. Tryck bara fyrkant när du är klar." in call.heard
    call.press("11#")
    assert call.heard.startswith("Personlig omvårdnad. Nästa insatskod")
    call.press("31#")
    assert call.heard.startswith("Medicinering. Nästa insatskod")
    call.press("#")
    assert call.heard == (
        f"Besöket hos brukare {CLIENT_4711} slutar klockan nio och tio. Det började klockan åtta och noll fem. "
        "Insatser: Personlig omvårdnad, Medicinering. "
        "Tryck 1 för att registrera, eller 2 för att knappa in insatserna igen."
    )
    call.press("1")
    assert call.uninterruptible == []  # every prompt before a question is inside it: a key interrupts it
    assert (
        f"Besöket hos brukare {CLIENT_4711} är registrerat, från klockan åtta och noll fem till klockan nio och tio."
        in call.heard
    )
    assert call.ended

    start, end = entries(db_session)
    assert (start.kind, end.kind, end.closes_id) == (START, END, start.id)
    assert (start.staff_id, start.client_code, start.client_source, start.team_code) == (anna, "4711", "caller_id", RYD)
    [visit] = ivr_json(app, "visits", "list")
    assert (visit["start"], visit["end"], visit["minutes"]) == (
        "2026-11-23T08:05:00+01:00",
        "2026-11-23T09:10:00+01:00",
        65,
    )
    assert visit["interventions"] == [
        {"code": "11", "name": "Personlig omvårdnad"},
        {"code": "31", "name": "Medicinering"},
    ]
    assert (visit["staff"], visit["client"], visit["flags"]) == ({"id": anna, "name": "Anna Andersson"}, "4711", [])


def test_from_an_unknown_number_the_client_code_is_keyed_and_the_teams_own_catalogue_applies(
    app: Flask, caller: Caller, clock: FrozenClock, db_session: Session, bo: int
) -> None:
    clock.set(stockholm(2026, 11, 23, 21, 30))
    call = visit_menu(caller, STAFF_MOBILE, BO_CODE)
    assert "Hej Bo Berg. Knappa in brukarens kod och avsluta med fyrkant." in call.heard
    call.press("4799#")
    assert "Brukarkoden fyra, sju, nio, nio finns inte." in call.heard
    call.press("4721#")
    assert f"Brukare {CLIENT_4721}. Tryck 1 om besöket börjar" in call.heard
    call.press("1")
    assert f"Besöket hos brukare {CLIENT_4721} började klockan tjugoett och trettio." in call.heard

    clock.set(stockholm(2026, 11, 23, 21, 52))
    call = visit_menu(caller, STAFF_MOBILE, BO_CODE)
    call.press("4721#")
    call.press("2")
    call.press("41#")  # Städning is in the default catalogue, not in Skäggetorp's
    assert "Insatskoden fyra, ett finns inte." in call.heard
    call.press("61#")
    assert call.heard.startswith("Nattillsyn.")
    call.press("911#")
    assert call.heard.startswith("Larmåtgärd.")
    call.press("#")
    assert "slutar klockan tjugoett och femtiotvå. Det började klockan tjugoett och trettio." in call.heard
    assert "Insatser: Nattillsyn, Larmåtgärd." in call.heard
    call.press("1")
    assert "från klockan tjugoett och trettio till klockan tjugoett och femtiotvå" in call.heard

    [visit] = ivr_json(app, "visits", "list")
    assert (visit["client"], visit["client_from"], visit["team"]["name"]) == (
        "4721",
        "keyed",
        "Hemtjänsten Skäggetorp",
    )
    assert [i["code"] for i in visit["interventions"]] == ["61", "911"]


def test_a_couple_sharing_a_landline_keys_the_client_code(caller: Caller, db_session: Session, anna: int) -> None:
    call = visit_menu(caller, COUPLE_LANDLINE)
    assert "Knappa in brukarens kod" in call.heard
    call.press("4713#")
    call.press("1")
    assert [(e.client_code, e.client_source) for e in entries(db_session)] == [("4713", "keyed")]


def refusal(call: Call, code: str) -> str:
    call.press(code + "#")
    return call.heard


def test_a_wrong_personal_code_is_refused_after_three_tries_and_locks_the_call(
    app: Flask, caller: Caller, db_session: Session, anna: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    call = caller.dial(CLIENT_4711_LANDLINE, LINKOPING_LINE)
    call.press("1")
    assert refusal(call, "111999") == (
        "Koden gäller inte. Tryck noll för växeln. Knappa in din personliga kod och avsluta med fyrkant."
    )
    assert refusal(call, "482917").startswith("Koden gäller inte. Tryck noll för växeln.")
    heard = refusal(call, "905172")
    assert heard.startswith(
        "Koden gäller inte. Koden godkändes inte. Du kan inte registrera besök i det här samtalet. "
        "Du kommer tillbaka till huvudmenyn. Tidregistrering i hemtjänsten: tryck 1."
    )
    call.press("1")
    assert call.heard.startswith("Du kan inte registrera besök i det här samtalet.")
    assert "personliga kod" not in call.heard
    call.press("1")
    assert "personliga kod" not in call.heard  # even the right code gets no further in this call
    assert entries(db_session) == []
    for code in ("111999", "482917", "905172"):
        assert code not in caplog.text
    assert "locked after three refused personal codes" in caplog.text


def test_every_wrong_code_is_answered_alike_so_none_reveals_which_codes_exist(
    app: Flask, caller: Caller, anna: int
) -> None:
    disabled_code = "650183"
    disabled = add_staff(app, "Cilla Ek", RYD, disabled_code)
    assert run_ivr(app, "staff", "disable", str(disabled)).exit_code == 0
    add_staff(app, "Dan Dahl", RYD, "61827394")
    answers = set()
    for code in (disabled_code, "999888", "12", "618273945", "4829160000000"):
        call = caller.dial(CLIENT_4711_LANDLINE, LINKOPING_LINE)
        call.press("1")
        answers.add(refusal(call, code))
    assert answers == {
        "Koden gäller inte. Tryck noll för växeln. Knappa in din personliga kod och avsluta med fyrkant."
    }


def test_an_end_without_a_start_is_registered_and_says_so(
    app: Flask, caller: Caller, clock: FrozenClock, anna: int
) -> None:
    clock.set(stockholm(2026, 11, 23, 8, 5))
    register_start(caller, CLIENT_4711_LANDLINE)
    clock.set(stockholm(2026, 11, 23, 12, 40))  # past the 3-hour rule: the morning start is no longer open
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    call.press("2")
    call.press("#")
    assert "Ingen start är registrerad för besöket. Inga insatser." in call.heard
    call.press("1")
    assert f"Besöket hos brukare {CLIENT_4711} är registrerat, slut klockan tolv och fyrtio." in call.heard

    morning, noon = ivr_json(app, "visits", "list")
    assert (morning["end"], morning["flags"], morning["remarks"]) == (None, ["no_end"], ["inget slut registrerat"])
    assert (noon["start"], noon["flags"], noon["remarks"]) == (None, ["no_start"], ["ingen start registrerad"])


def test_pressing_2_at_the_summary_keys_the_interventions_again(app: Flask, caller: Caller, anna: int) -> None:
    register_start(caller, CLIENT_4711_LANDLINE)
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    call.press("2")
    call.press("12#")
    call.press("12#")
    assert call.heard.startswith("Dusch är redan med.")
    call.press("#")
    assert "Insatser: Dusch." in call.heard
    call.press("2")
    assert "Knappa in en insatskod" in call.heard
    call.press("21#")
    call.press("#")
    assert "Insatser: Matdistribution." in call.heard
    call.press("1")
    [visit] = ivr_json(app, "visits", "list")
    assert visit["interventions"] == [{"code": "21", "name": "Matdistribution"}]


def test_zero_reaches_the_switchboard_from_inside_the_visit_flow(caller: Caller, anna: int) -> None:
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    call.press("0")
    assert call.dialled == [SWITCHBOARD_LINKOPING]


def test_a_caller_in_no_register_hears_the_code_question_like_anyone(caller: Caller) -> None:
    call = caller.dial(UNKNOWN_CALLER, LINKOPING_LINE)
    call.press("1")
    assert "Knappa in din personliga kod" in call.heard


# ---- Twilio retrying, also at the same moment --------------------------------------------------------------


def test_a_retried_registration_returns_the_same_answer_and_stores_one_entry(
    caller: Caller, db_session: Session, anna: int
) -> None:
    call = register_start(caller, CLIENT_4711_LANDLINE)
    assert call.ended and call.last is not None
    first_answer, retried = resend(call, "/voice/visits/choice")  # after the call has hung up, too
    assert first_answer.body == retried.body == call.last.body
    assert "Det är registrerat." in retried.body
    assert len(entries(db_session)) == 1


def press_at_once(app: Flask, call: Call, keys: str, times: int = 4) -> list[HttpResult]:
    """The request for pressing `keys` at the waiting <Gather>, sent `times` at once as Twilio retries do."""
    assert call.waiting is not None and call.waiting.verb.tag == "Gather"
    url = urljoin(call.waiting.url, call.waiting.verb.get("action", ""))
    params = {k: v for k, v in call.requests[-1][2].items() if k not in ("Digits", "FinishedOnKey")}
    params |= {"Digits": keys, "FinishedOnKey": ""}
    headers = {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params)}
    barrier = threading.Barrier(times)
    results: list[HttpResult] = []

    def send() -> None:
        transport = FlaskTransport(app.test_client())
        barrier.wait()
        results.append(transport.send("POST", url, params, headers))

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_identical_requests_at_the_same_moment_register_one_start_and_one_end(
    app: Flask, caller: Caller, clock: FrozenClock, db_session: Session, anna: int
) -> None:
    clock.set(stockholm(2026, 11, 23, 8, 5))
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    starts = press_at_once(app, call, "1")
    assert [r.status for r in starts] == [200] * 4
    assert len({r.body for r in starts}) == 1
    assert "började klockan åtta och noll fem. Det är registrerat." in starts[0].body

    clock.set(stockholm(2026, 11, 23, 9, 10))
    call = visit_menu(caller, CLIENT_4711_LANDLINE)
    call.press("2").press("11#").press("#")
    ends = press_at_once(app, call, "1")
    assert [r.status for r in ends] == [200] * 4
    assert len({r.body for r in ends}) == 1
    assert "från klockan åtta och noll fem till klockan nio och tio" in ends[0].body

    stored = entries(db_session)
    assert [(e.kind, e.closes_id) for e in stored] == [(START, None), (END, stored[0].id)]
    assert db_session.scalar(select(func.count()).select_from(VisitEntry)) == 2
