"""Reads of the improvement work (one module per kind of work); everything is importable
from here."""

from improvement.selectors.months import (
    MonthGrades,
    grade_history,
    month_codes,
    month_grades,
    month_rows_between,
)
from improvement.selectors.pairing import (
    DEFAULT_SPAN_MONTHS,
    HelpMonth,
    HelpRow,
    PairingMonth,
    default_span,
    help_in_force,
    help_month,
    indicator_names,
    pairing_month,
    pairings_in_force,
    station_distance_km,
)
from improvement.selectors.projects import (
    IndicatorOption,
    ProjectPage,
    baseline_month,
    project_indicator_options,
    project_page,
    projects_progress,
    station_secretaries,
)
from improvement.selectors.work import (
    StationWork,
    measures_with_indicators,
    station_records,
    work_by_station,
    work_started,
)

__all__ = [
    "DEFAULT_SPAN_MONTHS",
    "HelpMonth",
    "HelpRow",
    "IndicatorOption",
    "MonthGrades",
    "PairingMonth",
    "ProjectPage",
    "StationWork",
    "baseline_month",
    "default_span",
    "grade_history",
    "help_in_force",
    "help_month",
    "indicator_names",
    "measures_with_indicators",
    "month_codes",
    "month_grades",
    "month_rows_between",
    "pairing_month",
    "pairings_in_force",
    "project_indicator_options",
    "project_page",
    "projects_progress",
    "station_distance_km",
    "station_records",
    "station_secretaries",
    "work_by_station",
    "work_started",
]
