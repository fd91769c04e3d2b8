"""Writes of the improvement work: keyword-only functions that check, then save in a
transaction. Who may call them is checked by the views (``stations.roles``). One module
per kind of work; everything is importable from here."""

from improvement.services.measures import (
    TWIN_SECONDS,
    IndicatorCause,
    MeasureFields,
    add_check_in,
    create_measure,
    recent_twin,
    update_measure,
)
from improvement.services.pairing import (
    ChosenHelp,
    ChosenPair,
    HelpAcceptance,
    PairingAcceptance,
    Span,
    accept_help,
    accept_pairing,
    chosen_pairs,
    end_help,
    end_pairing,
)
from improvement.services.projects import (
    ProjectFields,
    add_milestone,
    check_in_on_project,
    create_project,
    set_milestone_done,
    update_project,
)

__all__ = [
    "TWIN_SECONDS",
    "ChosenHelp",
    "ChosenPair",
    "HelpAcceptance",
    "IndicatorCause",
    "MeasureFields",
    "PairingAcceptance",
    "ProjectFields",
    "Span",
    "accept_help",
    "accept_pairing",
    "add_check_in",
    "add_milestone",
    "check_in_on_project",
    "chosen_pairs",
    "create_measure",
    "create_project",
    "end_help",
    "end_pairing",
    "recent_twin",
    "set_milestone_done",
    "update_measure",
    "update_project",
]
