"""Department help (帮扶联建): the party branch of the department responsible for an
indicator helps each station that lags on it (pure pandas, no Django)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from scoring.engine.grades import YELLOW

HELP_COLUMNS = ["department", "indicator", "station", "grade"]


def department_help(
    indicator_grades: pd.DataFrame,
    departments: Mapping[str, str | None],
    *,
    lagging: Collection[str] = (YELLOW,),
) -> pd.DataFrame:
    """One row (department, indicator, station, grade) for every station graded
    ``lagging`` (yellow by default) on an indicator.

    ``indicator_grades``: station × indicator, each indicator graded on its own (see
    ``scoring.engine.indicator_thresholds``); ``departments``: indicator → responsible
    department. An indicator without one is listed with department None (last), for the
    committee to assign. Order: the departments as their first indicator comes in the
    columns of ``indicator_grades``, then the indicators and the stations in its order."""
    owner = [departments.get(code) or None for code in indicator_grades.columns]
    first = {department: n for n, department in reversed(list(enumerate(owner)))}
    first[None] = len(owner)  # no department: last
    mask = indicator_grades.isin(list(lagging)).to_numpy()
    columns, rows = np.nonzero(mask.T)  # indicator by indicator, stations in order
    order = np.argsort([first[owner[column]] for column in columns], kind="stable")
    columns, rows = columns[order], rows[order]
    return pd.DataFrame(
        {
            "department": [owner[column] for column in columns],
            "indicator": indicator_grades.columns[columns],
            "station": indicator_grades.index[rows],
            "grade": indicator_grades.to_numpy()[rows, columns],
        },
        columns=HELP_COLUMNS,
    )
