"""The improvement engine: branch pairing and department help. No Django imports here."""

from improvement.engine.benefit import BenefitRule, Strength, pair_reasons
from improvement.engine.department_help import department_help
from improvement.engine.evaluation import PairingEvaluation, evaluate_pairing
from improvement.engine.pairing import (
    NO_PARTNER_GRADE,
    NO_PARTNER_IN_GROUP,
    NOT_NEEDED,
    PAIRING_RULE,
    PARTNERS_FULL,
    Pair,
    PairingProposal,
    Unpaired,
    propose_pairing,
)

__all__ = [
    "NOT_NEEDED",
    "NO_PARTNER_GRADE",
    "NO_PARTNER_IN_GROUP",
    "PAIRING_RULE",
    "PARTNERS_FULL",
    "BenefitRule",
    "Pair",
    "PairingEvaluation",
    "PairingProposal",
    "Strength",
    "Unpaired",
    "department_help",
    "evaluate_pairing",
    "pair_reasons",
    "propose_pairing",
]
