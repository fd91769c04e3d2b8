"""Improvement work on weak stations: branch pairing (支部联建) and department help (帮扶)."""
