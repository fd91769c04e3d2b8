"""The scoring engine: DataFrames in, DataFrames out. No Django imports here."""

from scoring.engine.compute import (
    LOW_COVERAGE,
    MISSING_REQUIRED,
    NO_DATA,
    NORMALISED_DECIMALS,
    PeriodScores,
    competition_rank,
    grade_from_thresholds,
    grades_for_ranks,
    indicator_grades,
    indicator_thresholds,
    month_summary,
    normalise_min_max,
    quota_cutoffs,
    round_half_up,
    score_period,
    weight_coverage,
    weighted_score,
)
from scoring.engine.grades import ALL_GRADES, GRADE_COLOURS, GRADE_ORDER, UNGRADED
from scoring.engine.method import DEFAULT_METHOD, ScoringMethod

__all__ = [
    "ALL_GRADES",
    "DEFAULT_METHOD",
    "GRADE_COLOURS",
    "GRADE_ORDER",
    "LOW_COVERAGE",
    "MISSING_REQUIRED",
    "NORMALISED_DECIMALS",
    "NO_DATA",
    "UNGRADED",
    "PeriodScores",
    "ScoringMethod",
    "competition_rank",
    "grade_from_thresholds",
    "grades_for_ranks",
    "indicator_grades",
    "indicator_thresholds",
    "month_summary",
    "normalise_min_max",
    "quota_cutoffs",
    "round_half_up",
    "score_period",
    "weight_coverage",
    "weighted_score",
]
