"""The improvement engine: branch pairing and department help. No Django imports here."""

from improvement.engine.department_help import department_help

__all__ = ["department_help"]
