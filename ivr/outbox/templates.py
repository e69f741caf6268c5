"""The Swedish SMS catalogue: every text the service sends, with named placeholders.

Only opaque, non-patient facts may fill a placeholder (DOMAIN.md §7): the event, the official time,
the reference, the sending unit and its phone, the receiver, the system and the kind of fault.
Never a personnummer, a patient's name or anything a caller said.
"""

from __future__ import annotations

from datetime import datetime
from string import Formatter
from zoneinfo import ZoneInfo

ALLOWED_PLACEHOLDERS = frozenset(
    {"event", "time", "reference", "unit", "unit_phone", "receiver", "system", "fault_kind"}
)
DRILL_PREFIX = "ÖVNING: "
UNKNOWN_PHONE = "okänt"


TEMPLATES: dict[str, str] = {
    # To the reporting unit: proof that the report was made, and when.
    "report_receipt": (
        "Kvitto, reservlinjen: {event}\n"
        "Till: {receiver}\n"
        "Officiell tid: {time}\n"
        "Referens: {reference}\n"
        "Från: {unit}, tel. {unit_phone}"
    ),
    # To each receiver (municipality, outpatient care): what was reported, by whom, and how to call back.
    "report_notice": (
        "Reservlinjen: {unit} har rapporterat till er.\n"
        "Händelse: {event}\n"
        "Till: {receiver}\n"
        "Officiell tid: {time}\n"
        "Referens: {reference}\n"
        "Frågor: ring {unit_phone}"
    ),
    # To the reporting unit and each receiver when a report is cancelled (never the reason: it is free text).
    "report_cancelled": (
        "Reservlinjen: rapporten är makulerad.\n"
        "Händelse: {event}\n"
        "Officiell tid: {time}\n"
        "Referens: {reference}\n"
        "Från: {unit}, tel. {unit_phone}"
    ),
    # To the reporting unit when a receiver acknowledges a report afterwards (by phone or in the console).
    "report_acknowledged": (
        "Reservlinjen: {receiver} har kvitterat rapporten.\n"
        "Händelse: {event}\n"
        "Officiell tid: {time}\n"
        "Referens: {reference}"
    ),
    # To a fault reporter who called from a mobile.
    "fault_receipt": (
        "Kvitto, reservlinjen: felanmälan mottagen.\n"
        "System: {system}\n"
        "Fel: {fault_kind}\n"
        "Tid: {time}\n"
        "Skickad till: {receiver}\n"
        "Referens: {reference}"
    ),
    # To the standby line when a fault report went to voicemail.
    "fault_voicemail_notice": (
        "Reservlinjen: ny felanmälan i röstbrevlådan.\n"
        "System: {system}\n"
        "Fel: {fault_kind}\n"
        "Tid: {time}\n"
        "Från: {unit}, tel. {unit_phone}\n"
        "Referens: {reference}\n"
        "Lyssna: konsolen, ärende {reference}"
    ),
}


class TemplateError(ValueError):
    """An unknown template, or values that do not match its placeholders."""


def placeholders(template: str) -> frozenset[str]:
    """The placeholder names a template uses."""
    text = _text(template)
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)


def render(template: str, values: dict[str, str], *, drill: bool = False) -> str:
    """The template filled with exactly its placeholders; drill messages start with ÖVNING."""
    text = _text(template)
    expected = placeholders(template)
    missing = expected - values.keys()
    extra = values.keys() - expected
    if missing or extra:
        raise TemplateError(
            f"template {template!r}: missing {sorted(missing) or 'none'}, unexpected {sorted(extra) or 'none'}"
        )
    body = text.format_map(values)
    return DRILL_PREFIX + body if drill else body


def official_time(moment: datetime, timezone: ZoneInfo) -> str:
    """A moment as an SMS states it, in local time: "2026-11-23 kl. 10.15"."""
    local = moment.astimezone(timezone)
    return f"{local:%Y-%m-%d} kl. {local:%H.%M}"


def _text(template: str) -> str:
    try:
        return TEMPLATES[template]
    except KeyError:
        raise TemplateError(f"unknown SMS template {template!r}") from None


# ---- segments ------------------------------------------------------------------------------------------

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    """Whether the text fits the GSM 7-bit alphabet (else the SMS is sent as UCS-2, 70 characters a part)."""
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENDED for ch in text)


def segment_count(text: str) -> int:
    """How many SMS parts the text takes (GSM-7: 160, or 153 each when split; UCS-2: 70, or 67)."""
    if is_gsm7(text):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, part = 70, 67
    if units <= single:
        return 1
    return -(-units // part)
