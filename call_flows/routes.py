"""Registering the voice line on the app: the entry and main menu, and every blueprint the menu registry names."""

from __future__ import annotations

from flask import Blueprint, Flask

from call_flows.menus import OPTIONS, SHARED_MODULES, blueprint_of
from call_flows.voice import bp as voice_bp
from call_flows.voice import fallback_bp


def voice_blueprints() -> list[Blueprint]:
    """Every voice blueprint, each once: the entry, the shared steps, then each option's own."""
    found: list[Blueprint] = [voice_bp, fallback_bp, *(blueprint_of(module) for module in SHARED_MODULES)]
    for option in OPTIONS.values():
        found += [bp for bp in option.blueprints() if bp not in found]
    return found


def register_voice(app: Flask) -> None:
    """Register every voice blueprint on the app."""
    for blueprint in voice_blueprints():
        app.register_blueprint(blueprint)
