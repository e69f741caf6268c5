"""The Swedish catalogue of written records (worklist notes and titles, routines), and the one home of the
Swedish names of domain things (events, fault kinds) that every medium uses. (Sentences a caller hears are in
call_flows/prompts.py; SMS texts in ivr/outbox/templates.py.)

Norrbotten's routine: once Lifecare SP is back, each entry is made with the date it is made, plus a note that
the date differs from the reported one because of the outage; backdating (redatering) is not allowed.
Linköping's TES routine: up to 10 hours (the line's post_registration threshold), each employee post-registers
times and interventions in the TES app; over it, the administrations decide how it is done.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# What each line's routine calls an outage ("driftstörning" in Norrbotten, "driftstopp" in Linköping).
OUTAGE_WORD = {"linkoping": "driftstopp"}
DEFAULT_OUTAGE_WORD = "driftstörning"

PRODUCT = "reservlinjen"

EVENT_NAMES = {
    "admission": "Inskrivning",
    "estimated_discharge": "Nytt beräknat utskrivningsdatum",
    "discharge_ready": "Utskrivningsklar",
    "discharge": "Utskrivning",
    "changed_assessment": "Ändrad bedömning",
    "care_contact": "Fast vårdkontakt utsedd",
    "sip_meeting": "SIP-möte",
    "ready_for_home": "Redo för hemtagning",
}
FAULT_KIND_NAMES = {
    "login": "kan inte logga in",
    "unreachable": "går inte att nå",
    "slow": "långsamt",
    "other": "annat fel",
}
OTHER_SYSTEM = "annat system"
UNKNOWN_UNIT = "okänd enhet"
REPORT_TITLE = "{event}: {unit} till {receivers}"
REPEAT_SUFFIX = " (upprepning av ref {reference})"
TICKET_TITLE = "Felanmälan: {unit}, {system}, {kind}"
CANCELLED_MARK = "makulerad, ref {reference}: rätta posten"
DRILL_MARK = "ÖVNING"

REPORT_NOTE = (
    "Rapporterad per telefon via reservlinjen {date} kl. {time}, ref {reference}, under {outage_word} i {system}. "
    "Datum avviker från rapporterat datum på grund av {outage_word}."
)
TICKET_NOTE = (
    "Felanmäld per telefon via reservlinjen {date} kl. {time}, ref {reference}, under {outage_word} i {system}."
)


# Linköping's TES routine after an outage; the threshold is line data (post_registration in ivr/lines/data/lines.toml).
POST_REGISTRATION_WITHIN = (
    "Driftstopp upp till {hours} timmar: varje medarbetare efterregistrerar sina tider och insatser i TES-appen, "
    "det kan göras dagen efter. Den som inte själv kan efterregistrera (t.ex. vid ledig dag) meddelar "
    "administratör, som efterregistrerar i TES Webb."
)
POST_REGISTRATION_BEYOND = (
    "Driftstopp längre än {hours} timmar: Socialförvaltningen och Vård- och omsorgsförvaltningen meddelar hur "
    "efterregistrering av tider och insatser ska hanteras."
)


def note_text(
    template: str, *, line_key: str, made_at: datetime, reference: str, system: str, timezone: ZoneInfo
) -> str:
    """The exact note to enter with an item: the reported date and time (Swedish), the reference, the system."""
    local = made_at.astimezone(timezone)
    return template.format(
        date=local.date().isoformat(),
        time=local.strftime("%H.%M"),
        reference=reference,
        outage_word=OUTAGE_WORD.get(line_key, DEFAULT_OUTAGE_WORD),
        system=system,
    )


def event_name(event: str | None) -> str:
    """An event code's Swedish name ("Utskrivningsklar")."""
    return EVENT_NAMES.get(event or "", event or "")


def fault_kind_name(kind: str | None) -> str:
    """A fault kind in words ("kan inte logga in")."""
    return FAULT_KIND_NAMES.get(kind or "other", FAULT_KIND_NAMES["other"])


def post_registration_instruction(hours: int, *, beyond: bool) -> str:
    """Who post-registers after an outage that lasted up to (or beyond) the line's threshold of `hours`."""
    return (POST_REGISTRATION_BEYOND if beyond else POST_REGISTRATION_WITHIN).format(hours=hours)


# ---- home-care visits by phone (Linköping, while TES is down) ----------------------------------------------

VISIT_REMARKS = {
    "no_end": "inget slut registrerat",
    "no_start": "ingen start registrerad",
}
VISIT_TITLE = "Besök hos brukare {client}: {staff}, {team}"
VISIT_NOTE = (
    "Efterregistrera i TES: brukare {client}, {date} kl. {start}–{end}, insatser: {interventions}. "
    "Registrerat per telefon via reservlinjen, ref {reference}."
)
VISIT_REMARK_NOTE = " Obs: {remarks}."
VISIT_NO_INTERVENTIONS = "inga"
VISIT_NO_TIME = "?"
VISIT_YES, VISIT_NO = "ja", "nej"
VISIT_CLIENT = "brukare {client}"
VISIT_CORRECTED_MARK = "rättad"
VISIT_WITHDRAWN_MARK = "makulerad"
VISITS_PER_EMPLOYEE = "Besök per medarbetare: var och en efterregistrerar sina egna"
VISITS_FOR_ADMINISTRATOR = "Administratörens lista: medarbetare som inte själva kan efterregistrera (TES Webb)"
# The export's column headings, in the order of the columns (JSON keys are the English names on the left).
VISIT_EXPORT_HEADINGS = {
    "reference": "Referens",
    "staff": "Medarbetare",
    "staff_id": "Medarbetar-id",
    "team": "Team",
    "client": "Brukare",
    "date": "Datum",
    "start": "Start",
    "end": "Slut",
    "minutes": "Minuter",
    "interventions": "Insatser",
    "remarks": "Anmärkning",
    "corrected": "Rättad",
    "drill": "Övning",
}


def visit_remark(flag: str) -> str:
    """What is missing from a visit, in words ("inget slut registrerat")."""
    return VISIT_REMARKS.get(flag, flag)


def local_iso(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    """A moment for JSON and exports: ISO 8601 in local time, to the second ("2026-11-23T11:58:04+01:00")."""
    return None if moment is None else moment.astimezone(timezone).isoformat(timespec="seconds")


def local_text(moment: datetime | None, timezone: ZoneInfo) -> str:
    """A moment as staff read it: "2026-11-23 11.58" in local time ("" for none)."""
    return "" if moment is None else moment.astimezone(timezone).strftime("%Y-%m-%d %H.%M")


def shown(iso: str | None) -> str:
    """An ISO moment from plain data (local_iso) as staff read it: "2026-11-23 11.58"; "-" for none."""
    if not iso:
        return "-"
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%Y-%m-%d %H.%M") if "T" in iso else iso
