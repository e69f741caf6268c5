"""The Swedish prompt catalogue: every sentence a caller hears lives here."""

from __future__ import annotations

PROMPTS: dict[str, str] = {
    "greeting": "Välkommen till reservlinjen.",
    "greeting_unit": "Du ringer från {unit}.",
    "connecting_switchboard": "Du kopplas nu till växeln.",
    "switchboard_unavailable": "Växeln svarar inte just nu. Ring gärna igen om en stund. Hej då.",
    "apology": "Förlåt, något gick fel hos oss. Du kopplas till växeln.",
    # --- voice line: menus, routing, fault reports, connect by code, outages (issue 3) ---
    # --- care-transition reports (issue 4) ---
}


def prompt(key: str, **values: object) -> str:
    """A prompt from the catalogue with its placeholders filled in."""
    return PROMPTS[key].format(**values)
