"""The Swedish prompt catalogue: every sentence a caller hears lives here."""

from __future__ import annotations

PROMPTS: dict[str, str] = {
    "greeting": "Välkommen till reservlinjen.",
    "greeting_unit": "Du ringer från {unit}.",
    "connecting_switchboard": "Du kopplas nu till växeln.",
    "switchboard_unavailable": "Växeln svarar inte just nu. Ring gärna igen om en stund. Hej då.",
    "apology": "Förlåt, något gick fel hos oss. Du kopplas till växeln.",
    # --- voice line: menus, routing, fault reports, connect by code, outages (issue 3) ---
    "greeting_line": "Välkommen till reservlinjen för {organisation}.",
    "menu_intro": "Huvudmeny.",
    "menu_option": "{label}, tryck {digit}.",
    "menu_repeat_hint": "Tryck stjärna för att höra valen igen.",
    "option_report": "För att rapportera inskrivning eller utskrivning",
    "option_fault": "För felanmälan och IT-stöd",
    "option_connect": "För att kopplas till en kommun eller enhet med kod",
    "option_switchboard": "För växeln",
    "report_not_available": "Rapportering av inskrivning och utskrivning finns inte i telefonlinjen ännu.",
    "no_input": "Jag hörde inget.",
    "wrong_key": "Det valet finns inte.",
    "ask_again_hint": "Du kan alltid trycka noll för växeln.",
    "to_main_menu": "Du kommer tillbaka till huvudmenyn.",
    "drill": "Det här är en övning.",
    "outage_now": "Just nu fungerar inte {system}, sedan {since}.",
    "outage_planned_now": "Just nu pågår ett planerat avbrott i {system}, sedan {since}, till {until}.",
    "outage_routine_active": "Avbrottet har pågått i mer än {hours} timmar. Telefonrutinen gäller.",
    "outage_routine_pending": "Telefonrutinen gäller när avbrottet har pågått i {hours} timmar, från {at}.",
    "outage_planned": "Planerat avbrott i {system} från {start} till {end}.",
    "fault_intro": "Felanmälan.",
    "fault_ask_name": "Säg ditt för- och efternamn.",
    "fault_name_readback": "Jag uppfattade {name}. Tryck 1 om det stämmer, eller 2 för att säga det igen.",
    "fault_name_not_heard": "Jag uppfattade inte namnet.",
    "fault_record_name": "Säg ditt namn efter tonen och tryck fyrkant när du är klar.",
    "fault_unit_from_caller": (
        "Du ringer från {unit}. Tryck 1 om det stämmer, eller 2 för att knappa in en annan enhet."
    ),
    "fault_ask_unit_code": "Knappa in din enhets kod och avsluta med fyrkant.",
    "fault_unit_readback": "Du angav {unit}. Tryck 1 om det stämmer, eller 2 för att knappa in en annan kod.",
    "fault_ask_system": "Vilket system gäller felet?",
    "fault_system_option": "För {system}",
    "fault_system_other": "För ett annat system",
    "fault_ask_kind": "Vad är felet?",
    "fault_kind_option_login": "Om du inte kan logga in",
    "fault_kind_option_unreachable": "Om systemet inte går att nå",
    "fault_kind_option_slow": "Om systemet är långsamt",
    "fault_kind_option_other": "För ett annat fel",
    "fault_kind_login": "kan inte logga in",
    "fault_kind_unreachable": "går inte att nå",
    "fault_kind_slow": "långsamt",
    "fault_kind_other": "annat fel",
    "fault_system_other_name": "annat system",
    "fault_ticket_created": "Din felanmälan är registrerad. Referens {reference}. Jag upprepar: {reference}.",
    "fault_already_filed": "Din felanmälan är redan registrerad med referens {reference}.",
    "fault_connecting_help_desk": "Du kopplas nu till {name}.",
    "fault_connecting_standby": "Användarstödet har stängt. Du kopplas till beredskapen, {name}.",
    "fault_trying_next": "Ingen tog samtalet. Jag försöker {name}.",
    "fault_voicemail": "Ingen kunde ta samtalet. Lämna ett meddelande efter tonen och tryck fyrkant när du är klar.",
    "fault_voicemail_saved": "Tack. Meddelandet är sparat med din felanmälan, och beredskapen får ett SMS. Hej då.",
    "fault_no_voicemail": (
        "Jag fick inget meddelande. Din felanmälan är ändå registrerad med referens {reference}. Hej då."
    ),
    "fault_call_done": "Tack för samtalet. Hej då.",
    "whisper_summary": "Felanmälan från reservlinjen, referens {reference}. {unit}: {system}, {kind}.",
    "whisper_press_1": "Tryck 1 för att ta samtalet.",
    "connect_ask_code": "Knappa in kommunens eller enhetens kod och avsluta med fyrkant.",
    "connect_readback": "{unit}. Tryck 1 för att koppla, eller 2 för att knappa in en annan kod.",
    "connect_connecting": "Du kopplas till {unit}.",
    "connect_closed": "{unit} har stängt just nu. De öppnar {when}.",
    "connect_closed_offer": "Tryck 0 för växeln, eller 1 för huvudmenyn.",
    "connect_no_answer": "{unit} svarar inte just nu.",
    "connect_no_number": "{unit} går inte att koppla till härifrån.",
    "unknown_code": "Koden {code} finns inte.",
    "unknown_unit_name": "okänd enhet",
    # --- care-transition reports (issue 4) ---
}


def prompt(key: str, **values: object) -> str:
    """A prompt from the catalogue with its placeholders filled in."""
    return PROMPTS[key].format(**values)
