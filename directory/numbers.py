"""Phone numbers: parse whatever a person or Twilio writes, store and compare E.164.

`phonenumbers` is imported by the functions that use it: it takes a while to load, and a command such as
`ivr directory lookup 2580` never needs it.
"""

from __future__ import annotations

from functools import lru_cache

DEFAULT_REGION = "SE"


class NumberError(ValueError):
    """A text that is not a valid phone number."""


def to_e164(raw: str) -> str:
    """Parse a number in any common Swedish or international format; raise NumberError if invalid."""
    import phonenumbers

    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise NumberError(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise NumberError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=8192)  # every webhook parses its caller's and its line's numbers: the same few thousand
def try_e164(raw: str | None) -> str | None:
    """Like to_e164, but None for anything that is not a valid number (caller ID may be anonymous)."""
    if not raw:
        return None
    try:
        return to_e164(raw)
    except NumberError:
        return None


def is_mobile(e164: str) -> bool:
    """Whether a valid E.164 number is a mobile number (so it can take an SMS)."""
    import phonenumbers

    number = phonenumbers.parse(e164, DEFAULT_REGION)
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def national(e164: str) -> str:
    """The number as Swedes write it, e.g. 0920-28 40 00."""
    import phonenumbers

    number = phonenumbers.parse(e164, DEFAULT_REGION)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
