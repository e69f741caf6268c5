"""Fault reports: tickets with a reference, routed along a line's chain of numbers, voicemail."""
