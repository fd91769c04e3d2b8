"""Writes for scoring, one module per concern:

- ``versions`` — weight and method versions and the months they govern;
- ``recompute`` — requesting a recompute and sending runs to the workers (and again);
- ``runs`` — executing a run (``scoring.tasks`` runs it);
- ``sensitivity`` — the weight sensitivity of a published month;
- ``publishing`` — publishing a re-grade that waited for review;
- ``unitmethods`` — a unit's common method (inherited by the companies below it) and a
  company's choice to use its own.

Callers import from here (``from scoring.services import request_recompute``).
"""

from scoring.services.publishing import PublishRefused, publish_run
from scoring.services.recompute import (
    MAX_ATTEMPTS,
    enqueue_pending_runs,
    enqueue_run,
    request_recompute,
    request_regrades,
)
from scoring.services.runs import RunOutcome, execute_run
from scoring.services.sensitivity import run_sensitivity
from scoring.services.unitmethods import (
    publish_unit_method,
    publish_unit_weights,
    regrade_inheritors,
    set_own_method,
)
from scoring.services.versions import (
    PREVIEW_MAX_AGE,
    claim_preview,
    companies_governed_by,
    create_initial_method,
    create_initial_weights,
    create_method_version,
    create_weight_set,
    months_governed_by,
    next_version_start,
)

__all__ = [
    "MAX_ATTEMPTS",
    "PREVIEW_MAX_AGE",
    "PublishRefused",
    "RunOutcome",
    "claim_preview",
    "companies_governed_by",
    "create_initial_method",
    "create_initial_weights",
    "create_method_version",
    "create_weight_set",
    "enqueue_pending_runs",
    "enqueue_run",
    "execute_run",
    "months_governed_by",
    "next_version_start",
    "publish_run",
    "publish_unit_method",
    "publish_unit_weights",
    "regrade_inheritors",
    "request_recompute",
    "request_regrades",
    "run_sensitivity",
    "set_own_method",
]
