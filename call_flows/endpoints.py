"""The two places every step may send a caller: the main menu and the switchboard (call_flows.voice)."""

MAIN_MENU = "voice.menu"
SWITCHBOARD = "voice.switchboard"
