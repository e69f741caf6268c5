"""The Swedish voice catalogue: every sentence a caller hears lives here (SMS: ivr/outbox/templates.py; written
records: ivr/notes.py)."""

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
    # --- shared steps: the caller's unit and names ---
    "unit_from_caller": "Du ringer från {unit}. Tryck 1 om det stämmer, eller 2 för att knappa in en annan enhet.",
    "ask_unit_code": "Knappa in din enhets kod och avsluta med fyrkant.",
    "unit_readback": "Du angav {unit}. Tryck 1 om det stämmer, eller 2 för att knappa in en annan kod.",
    "unit_cannot_report": (
        "{unit} kan inte rapportera här. Knappa in koden för en avdelning, en öppenvårdsenhet eller en kommun."
    ),
    "name_ask_caller": "Säg ditt för- och efternamn.",
    "name_ask_doctor": "Säg för- och efternamn på läkaren som gjorde bedömningen.",
    "name_readback": "Jag uppfattade {name}. Tryck 1 om det stämmer, eller 2 för att säga det igen.",
    "name_not_heard": "Jag uppfattade inte namnet.",
    "name_record_caller": "Säg ditt namn efter tonen och tryck fyrkant när du är klar.",
    "name_record_doctor": "Säg läkarens namn efter tonen och tryck fyrkant när du är klar.",
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
    "fault_ask_system": "Vilket system gäller felet?",
    "fault_system_option": "För {system}",
    "fault_system_other": "För ett annat system",
    "fault_ask_kind": "Vad är felet?",
    "fault_kind_option_login": "Om du inte kan logga in",
    "fault_kind_option_unreachable": "Om systemet inte går att nå",
    "fault_kind_option_slow": "Om systemet är långsamt",
    "fault_kind_option_other": "För ett annat fel",
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
    # --- care-transition reports (issue 4) ---
    "report_intro": "Rapport om inskrivning och utskrivning.",
    "report_ask_event": "Vad vill du rapportera?",
    "report_event_admission": "För inskrivning",
    "report_event_estimated_discharge": "För nytt beräknat utskrivningsdatum",
    "report_event_discharge_ready": "För utskrivningsklar",
    "report_event_discharge": "För utskrivning",
    "report_event_changed_assessment": "För ändrad bedömning av utskrivningsklar",
    "report_event_care_contact": "För fast vårdkontakt utsedd",
    "report_event_sip_meeting": "För datum för SIP-möte",
    "report_event_ready_for_home": "För redo för hemtagning",
    "report_ask_patient": (
        "Knappa in patientens personnummer eller samordningsnummer med tolv siffror och avsluta med fyrkant. "
        "För ett reservnummer, tryck stjärna och sedan numret."
    ),
    "report_patient_readback": "Du angav {kind} {number}. Tryck 1 om det stämmer, eller 2 för att knappa in det igen.",
    "report_refused_format": "Numret ska ha tolv siffror.",
    "report_refused_date": "Numret innehåller inget giltigt datum.",
    "report_refused_future": "Födelsedatumet i numret har inte inträffat än.",
    "report_refused_serial": "Numret är inte ett giltigt personnummer.",
    "report_refused_checksum": "Kontrollsiffran stämmer inte. Numret är felskrivet.",
    "report_refused_reserve": "Ett reservnummer ska ha mellan fyra och sexton siffror efter stjärnan.",
    "report_kind_municipality": "en kommun",
    "report_kind_ward": "en avdelning",
    "report_kind_outpatient_unit": "en öppenvårdsenhet",
    "report_ask_receiver_municipality": "Knappa in den mottagande kommunens kod med fyra siffror.",
    "report_ask_receiver_ward": "Knappa in den mottagande avdelningens kod och avsluta med fyrkant.",
    "report_ask_receiver_outpatient_unit": "Knappa in öppenvårdsenhetens kod och avsluta med fyrkant.",
    "report_receiver_readback": "{unit}. Tryck 1 om det stämmer, eller 2 för att knappa in en annan kod.",
    "report_receiver_not_kind": "{unit} är inte {kind}.",
    "report_ask_extra_receiver": "Ska rapporten också gå till {kind}? Tryck 1 för ja, eller 2 för nej.",
    "report_ask_has_date": "Finns det ett beräknat utskrivningsdatum? Tryck 1 för ja, eller 2 för nej.",
    "report_ask_date_estimated_discharge_date": (
        "Knappa in det beräknade utskrivningsdatumet med åtta siffror: år, månad och dag."
    ),
    "report_ask_date_new_date": "Knappa in det nya datumet med åtta siffror: år, månad och dag.",
    "report_ask_date_sip_date": "Knappa in datumet för SIP-mötet med åtta siffror: år, månad och dag.",
    "report_date_readback": "Du angav {date}. Tryck 1 om det stämmer, eller 2 för att knappa in ett annat datum.",
    "report_date_invalid": "Det är inget giltigt datum.",
    "report_date_past": "Datumet har redan passerat.",
    "report_date_far": "Datumet ligger mer än ett år fram i tiden.",
    "report_ask_assessment": (
        "Om patienten inte längre är utskrivningsklar, tryck 1. Om det finns ett nytt datum, tryck 2."
    ),
    "report_summary": "Sammanfattning. {event}. {kind} {number}. Till {receivers}. Från {unit}.",
    "report_summary_estimated_discharge_date": "Beräknat utskrivningsdatum {date}.",
    "report_summary_new_date": "Nytt datum {date}.",
    "report_summary_sip_date": "SIP-möte {date}.",
    "report_summary_no_longer_ready": "Patienten är inte längre utskrivningsklar.",
    "report_summary_doctor": "Bedömd av {name}.",
    "report_summary_doctor_recorded": "Läkarens namn är inspelat.",
    "report_summary_caller": "Rapporterad av {name}.",
    "report_summary_caller_recorded": "Ditt namn är inspelat.",
    "report_summary_choice": "Tryck 1 för att registrera rapporten, eller 2 för att börja om.",
    "report_duplicate": (
        "{event} för den här patienten till {receiver} är redan rapporterad {time}, referens {reference}."
    ),
    "report_duplicate_choice": "Tryck 1 för att registrera ändå, eller 2 för att inte registrera.",
    "report_not_registered": "Rapporten registrerades inte.",
    "report_registered": "Rapporten är registrerad. Referens {reference}. Jag upprepar: {reference}.",
    "report_official_time": "Officiell tid: {date}, {time}.",
    "report_before_cutoff": "Samtalet kom före {cutoff}.",
    "report_after_cutoff": "Samtalet kom efter {cutoff}.",
    "report_liability_from": "Betalningsansvar kan börja gälla från och med {date}.",
    "report_drill_no_liability": "Det här är en övning. Rapporten räknas inte för betalningsansvar.",
    "report_connecting": "Du kopplas nu till {unit}.",
    "report_receiver_closed": "{unit} har stängt just nu.",
    "report_receiver_no_answer": "{unit} tog inte emot samtalet.",
    "report_by_sms": "Rapporten är registrerad och mottagaren får den per SMS.",
    "report_whisper": (
        "Rapport från reservlinjen. {unit} rapporterar {event}, referens {reference}. Tryck 1 för att ta emot samtalet."
    ),
    "report_whisper_accepted": "Tack. Du kopplas nu.",
    "report_after": "Tryck 1 för att rapportera en patient till, eller 2 för att avsluta.",
    "report_goodbye": "Tack för din rapport. Hej då.",
    # --- home-care visits by phone while TES is down, and the 10-hour rule (issue 15) ---
    "option_visits": "För tidregistrering av besök i hemtjänsten",
    "visit_intro": "Tidregistrering av besök.",
    "visit_ask_code": "Knappa in din personliga kod och avsluta med fyrkant.",
    "visit_code_refused": "Koden gäller inte.",
    "visit_refused": "Koden godkändes inte. Du kan inte registrera besök i det här samtalet.",
    "visit_locked": "Du kan inte registrera besök i det här samtalet.",
    "visit_hello": "Hej {name}.",
    "visit_ask_client": "Knappa in brukarens kod och avsluta med fyrkant.",
    "visit_client_unknown": "Brukarkoden {code} finns inte.",
    "visit_client_from_caller": "Du ringer från brukare {client}.",
    "visit_client_keyed": "Brukare {client}.",
    "visit_ask_start_or_end": (
        "Tryck 1 om besöket börjar, 2 om besöket slutar, eller 3 för att knappa in en annan brukarkod."
    ),
    "visit_started": "Besöket hos brukare {client} började {time}. Det är registrerat.",
    "visit_ask_intervention": "Knappa in en insatskod och avsluta med fyrkant. Tryck bara fyrkant när du är klar.",
    "visit_ask_next_intervention": "Nästa insatskod, eller bara fyrkant när du är klar.",
    "visit_intervention_readback": "{intervention}.",
    "visit_intervention_again": "{intervention} är redan med.",
    "visit_intervention_unknown": "Insatskoden {code} finns inte.",
    "visit_summary_end": "Besöket hos brukare {client} slutar {time}.",
    "visit_summary_started": "Det började {time}.",
    "visit_summary_no_start": "Ingen start är registrerad för besöket.",
    "visit_summary_interventions": "Insatser: {interventions}.",
    "visit_summary_no_interventions": "Inga insatser.",
    "visit_summary_choice": "Tryck 1 för att registrera, eller 2 för att knappa in insatserna igen.",
    "visit_ended": "Besöket hos brukare {client} är registrerat, från {start} till {end}.",
    "visit_ended_no_start": "Besöket hos brukare {client} är registrerat, slut {end}.",
    "visit_goodbye": "Tack. Hej då.",
    "outage_post_registration": (
        "Vid driftstopp i {system} upp till {hours} timmar efterregistrerar varje medarbetare sina tider och insatser."
    ),
    "outage_post_registration_beyond": (
        "Driftstoppet i {system} har pågått i mer än {hours} timmar. Förvaltningarna bestämmer hur tider och "
        "insatser ska efterregistreras."
    ),
}


def prompt(key: str, **values: object) -> str:
    """A prompt from the catalogue with its placeholders filled in."""
    return PROMPTS[key].format(**values)
