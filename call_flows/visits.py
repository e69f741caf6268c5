"""Home-care visits by phone while TES is down (a Linköping main-menu option): the personal code, the client (from
the client's landline, else keyed), then 1 the visit starts or 2 it ends with optional intervention codes, each read
back; 1 registers. From a client's landline a start is three key presses, an end with two interventions seven.

Who keyed a valid code, the client and the interventions are kept in the call's state, never in a URL or a log.
Each time registered is the call's first moment (the service's clock). Every wrong personal code gets the same
answer, so no caller learns which codes exist; after three tries the flow is locked for the rest of the call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from call_flows.gather import Ask, answer, ask, to_main_menu, try_again
from call_flows.prompts import prompt
from call_flows.speech import clock_time, digits
from call_flows.twiml import hang_up, redirect_to
from call_flows.webhook import Answered, CallParams, call_params, current_line, step, timezone, voice_blueprint
from ivr.calls.service import first_seen_at, record_call_seen
from ivr.calls.state import CallState, load_state, save_state
from ivr.lines.models import Line
from ivr.outages.service import current_outages
from ivr.visits.drafts import MAX_INTERVENTIONS, VisitDraft, put_visit_draft, visit_draft
from ivr.visits.models import CALLER_ID, END, KEYED, START, StaffMember, VisitEntry
from ivr.visits.register import Client, Intervention
from ivr.visits.service import closed_start, entry_of_call, open_start, register_end, register_start
from ivr.visits.staff import find_staff_by_code
from ivr.web.context import now, runtime
from ivr.web.session import get_session

bp = voice_blueprint("visits", "/voice/visits")
log = logging.getLogger("call_flows.visits")
CODE_TIMEOUT = 8
MAX_CLIENT_CODE = 6
MAX_INTERVENTION_CODE = 3


@dataclass
class VisitCall:
    """One request of the visit flow: Twilio's parameters, the line, the session, the call's state and draft."""

    params: CallParams
    line: Line
    session: Session
    state: CallState
    draft: VisitDraft

    def save(self) -> None:
        """Keep the draft in the call's state and commit: one unit of work per step."""
        put_visit_draft(self.state, self.draft)
        save_state(session=self.session, state=self.state, now=now())
        self.session.commit()

    def staff(self) -> StaffMember:
        """The staff member who keyed a valid code in this call; a step reached without one starts over."""
        member = None if self.draft.staff_id is None else self.session.get(StaffMember, self.draft.staff_id)
        if member is None or not member.active:
            raise Answered(redirect_to("visits.start"))
        return member

    def client(self) -> Client:
        """The client the call is about; a step reached without one asks for the client code."""
        found = None if self.draft.client_code is None else runtime().visits.client(self.draft.client_code)
        if found is None:
            raise Answered(ask(client_question(self.line)))
        return found

    def started_at(self) -> datetime:
        """The call's first moment: the time a start or end is registered at."""
        return first_seen_at(session=self.session, call_sid=self.params.call_sid) or now()


def visit_call() -> VisitCall:
    params, line, session = call_params(), current_line(), get_session()
    state = load_state(session=session, call_sid=params.call_sid, from_number=params.from_number, line_key=line.key)
    return VisitCall(params=params, line=line, session=session, state=state, draft=visit_draft(state))


# ---- the questions -----------------------------------------------------------------------------------------


def code_question(line: Line) -> Ask:
    return Ask(
        endpoint="visits.code",
        text=prompt("visit_ask_code"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
        give_up="visits.refused",
    )


def client_question(line: Line) -> Ask:
    return Ask(
        endpoint="visits.client",
        text=prompt("visit_ask_client"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
    )


def choice_question(line: Line, draft: VisitDraft) -> Ask:
    """The client read back (from the landline, or as keyed) with the choice: 1 starts, 2 ends, 3 another client."""
    readback = "visit_client_from_caller" if draft.client_source == CALLER_ID else "visit_client_keyed"
    text = f"{prompt(readback, client=digits(draft.client_code or ''))} {prompt('visit_ask_start_or_end')}"
    return Ask(endpoint="visits.choice", text=text, voice=line.voice)


def intervention_question(line: Line, *, first: bool) -> Ask:
    """An intervention code, or just # (or silence) when there are no more."""
    return Ask(
        endpoint="visits.intervention",
        text=prompt("visit_ask_intervention" if first else "visit_ask_next_intervention"),
        voice=line.voice,
        num_digits=None,
        finish_on_key="#",
        timeout=CODE_TIMEOUT,
        give_up="visits.summary",
    )


def summary_question(call: VisitCall, staff: StaffMember, client: Client) -> Ask:
    """Everything read back before the end is registered: the client, both times and the interventions."""
    end_at = call.started_at()
    start = open_start(
        session=call.session,
        staff_id=staff.id,
        client_code=client.code,
        at=end_at,
        within=runtime().visits.flag_open_after,
    )
    names = [i.name for i in _interventions(client, call.draft)]
    parts = [prompt("visit_summary_end", client=digits(client.code), time=_spoken(end_at))]
    parts.append(prompt("visit_summary_started", time=_spoken(start.at)) if start else prompt("visit_summary_no_start"))
    parts.append(
        prompt("visit_summary_interventions", interventions=", ".join(names))
        if names
        else prompt("visit_summary_no_interventions")
    )
    parts.append(prompt("visit_summary_choice"))
    return Ask(endpoint="visits.confirm", text=" ".join(parts), voice=call.line.voice)


# ---- the steps ---------------------------------------------------------------------------------------------


@step(bp, "")
def start() -> VoiceResponse:
    """Enter the flow: ask for the personal code (unless three wrong codes have locked it for this call)."""
    call = visit_call()
    if call.draft.refused:
        return to_main_menu(call.line.voice, before=("visit_locked", "to_main_menu"))
    call.draft = VisitDraft()
    call.save()
    before = [prompt("visit_intro")]
    if _is_drill(call):
        before.append(prompt("drill"))
    return ask(code_question(call.line), before=before)  # inside the question: a key interrupts it


@step(bp, "/code")
def code() -> VoiceResponse:
    """A keyed personal code: greet its owner, then the client from the landline (or ask for the client code)."""
    call = visit_call()
    if call.draft.refused:
        return to_main_menu(call.line.voice, before=("visit_locked", "to_main_menu"))
    question = code_question(call.line)
    reply = answer(question)
    secret = runtime().config.staff_code_secret
    # Never cut short: a longer entry must not match the code it starts with.
    member = find_staff_by_code(session=call.session, code=reply.digits, secret=secret)
    if member is None:
        # Never the keyed digits: they are a guess at somebody's code.
        log.info("visits: a personal code was refused on call %s (try %d)", call.params.call_sid, reply.attempt)
        return try_again(question, reply.attempt, reason="visit_code_refused")
    call.draft = VisitDraft(staff_id=member.id)
    at_home = runtime().visits.clients_at(call.params.from_number)
    if len(at_home) == 1:  # the client's own landline (a couple sharing one keys the client code)
        call.draft.client_code, call.draft.client_source = at_home[0].code, CALLER_ID
    call.save()
    before = [prompt("visit_hello", name=member.name)]
    if call.draft.client_code is None:
        return ask(client_question(call.line), before=before)
    return ask(choice_question(call.line, call.draft), before=before)


@step(bp, "/refused")
def refused() -> VoiceResponse:
    """Three wrong personal codes: lock the flow for the rest of the call and go back to the main menu."""
    call = visit_call()
    call.draft = VisitDraft(refused=True)
    call.save()
    log.warning("visits: call %s locked after three refused personal codes", call.params.call_sid)
    return to_main_menu(call.line.voice, before=("visit_refused", "to_main_menu"))


@step(bp, "/client")
def client() -> VoiceResponse:
    """A keyed client code, read back with the choice of start or end."""
    call = visit_call()
    call.staff()
    question = client_question(call.line)
    reply = answer(question)
    keyed = reply.digits[: MAX_CLIENT_CODE + 1]
    found = runtime().visits.client(keyed) if keyed.isdigit() else None
    if found is None:
        return try_again(question, reply.attempt, reason="visit_client_unknown", code=digits(keyed))
    call.draft.client_code, call.draft.client_source = found.code, KEYED
    call.save()
    return ask(choice_question(call.line, call.draft))


@step(bp, "/choice")
def choice() -> VoiceResponse:
    """1: the visit starts (registered now, read back); 2: it ends (interventions next); 3: another client code."""
    call = visit_call()
    done = entry_of_call(session=call.session, call_sid=call.params.call_sid)
    if done is not None and done.kind == START:  # Twilio retrying the registration, perhaps after the hang-up
        return _started(call, done)
    member, found = call.staff(), call.client()
    question = choice_question(call.line, call.draft)
    reply = answer(question)
    if reply.digits == "3":
        call.draft.client_code = call.draft.client_source = None
        call.save()
        return ask(client_question(call.line))
    if reply.digits == "2":
        call.draft.interventions = []
        call.save()
        return ask(intervention_question(call.line, first=True))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    moment = now()
    seen = _seen(call, moment)  # the first write: from here the request holds SQLite's write lock
    entry = register_start(
        session=call.session,
        call_sid=call.params.call_sid,
        line_key=call.line.key,
        staff_id=member.id,
        client=found,
        source=call.draft.client_source or KEYED,
        at=seen,
        drill=_is_drill(call),
        now=moment,
    )
    call.session.commit()
    log.info("visits: start %s registered on call %s", entry.reference, call.params.call_sid)
    return _started(call, entry)


@step(bp, "/intervention")
def intervention() -> VoiceResponse:
    """An intervention code from the team's catalogue, read back; just # (or silence) goes on to the summary."""
    call = visit_call()
    member, found = call.staff(), call.client()
    question = intervention_question(call.line, first=not call.draft.interventions)
    reply = answer(question, silence_ok=True)
    if not reply.digits:
        return ask(summary_question(call, member, found))
    keyed = reply.digits[: MAX_INTERVENTION_CODE + 1]
    chosen = runtime().visits.intervention(found.team_code, keyed) if keyed.isdigit() else None
    if chosen is None:
        return try_again(question, reply.attempt, reason="visit_intervention_unknown", code=digits(keyed))
    added = call.draft.add_intervention(chosen.code)
    call.save()
    heard = prompt("visit_intervention_readback" if added else "visit_intervention_again", intervention=chosen.name)
    if len(call.draft.interventions) >= MAX_INTERVENTIONS:
        return ask(summary_question(call, member, found), before=(heard,))
    return ask(intervention_question(call.line, first=False), before=(heard,))


@step(bp, "/summary")
def summary() -> VoiceResponse:
    """The summary (after repeated wrong intervention codes: with the codes accepted so far)."""
    call = visit_call()
    return ask(summary_question(call, call.staff(), call.client()))


@step(bp, "/confirm")
def confirm() -> VoiceResponse:
    """1 registers the end (closing the open start) and reads it back; 2 keys the interventions again."""
    call = visit_call()
    done = entry_of_call(session=call.session, call_sid=call.params.call_sid)
    if done is not None and done.kind == END:  # Twilio retrying the registration, perhaps after the hang-up
        return _ended(call, done, closed_start(session=call.session, entry=done))
    member, found = call.staff(), call.client()
    question = summary_question(call, member, found)
    reply = answer(question)
    if reply.digits == "2":
        call.draft.interventions = []
        call.save()
        return ask(intervention_question(call.line, first=True))
    if reply.digits != "1":
        return try_again(question, reply.attempt)
    moment = now()
    seen = _seen(call, moment)  # the first write: from here the request holds SQLite's write lock
    entry, started = register_end(
        session=call.session,
        call_sid=call.params.call_sid,
        line_key=call.line.key,
        staff_id=member.id,
        client=found,
        source=call.draft.client_source or KEYED,
        at=seen,
        interventions=_interventions(found, call.draft),
        drill=_is_drill(call),
        open_within=runtime().visits.flag_open_after,
        now=moment,
    )
    call.session.commit()
    log.info("visits: end %s registered on call %s", entry.reference, call.params.call_sid)
    return _ended(call, entry, started)


# ---- small helpers -----------------------------------------------------------------------------------------


def _started(call: VisitCall, entry: VisitEntry) -> VoiceResponse:
    """The read-back of a registered start, from what was stored."""
    client = digits(entry.client_code)
    return hang_up(call.line.voice, "visit_started", "visit_goodbye", client=client, time=_spoken(entry.at))


def _ended(call: VisitCall, entry: VisitEntry, started: VisitEntry | None) -> VoiceResponse:
    """The read-back of a registered end (and the start it closed), from what was stored."""
    client, end = digits(entry.client_code), _spoken(entry.at)
    if started is None:
        return hang_up(call.line.voice, "visit_ended_no_start", "visit_goodbye", client=client, end=end)
    return hang_up(call.line.voice, "visit_ended", "visit_goodbye", client=client, start=_spoken(started.at), end=end)


def _interventions(client: Client, draft: VisitDraft) -> list[Intervention]:
    register = runtime().visits
    found = (register.intervention(client.team_code, code) for code in draft.interventions)
    return [i for i in found if i is not None]


def _seen(call: VisitCall, moment: datetime) -> datetime:
    params = call.params
    seen = record_call_seen(
        session=call.session,
        call_sid=params.call_sid,
        from_number=params.from_number,
        to_number=params.to_number,
        status=params.status,
        now=moment,
    )
    return seen.first_seen_at


def _spoken(moment: datetime) -> str:
    return clock_time(moment.astimezone(timezone()))


def _is_drill(call: VisitCall) -> bool:
    """Visits phoned in on a drill line, or during a drill outage, are drills."""
    outages = current_outages(session=call.session, line_key=call.line.key, now=now())
    return call.line.drill or any(o.drill for o in outages)
