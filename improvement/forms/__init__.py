"""Forms of the improvement work, one module per kind of work: they parse what was typed
or chosen; the rules are checked by ``improvement.services``."""

from improvement.forms.common import CheckInForm, add_service_errors
from improvement.forms.help import HelpForm
from improvement.forms.measures import MeasureForm
from improvement.forms.pairing import PairingForm, PairingPageForm
from improvement.forms.projects import MilestoneForm, ProjectForm, SecretaryChoiceField
from improvement.forms.spans import EndForm, SpanForm

__all__ = [
    "CheckInForm",
    "EndForm",
    "HelpForm",
    "MeasureForm",
    "MilestoneForm",
    "PairingForm",
    "PairingPageForm",
    "ProjectForm",
    "SecretaryChoiceField",
    "SpanForm",
    "add_service_errors",
]
