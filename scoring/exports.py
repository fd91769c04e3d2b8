"""A month's scores as a flat table for CSV/Excel export."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from indicators.models import Indicator
from indicators.periods import format_period
from scoring.engine import UNGRADED
from scoring.grades import NOT_SCORED
from scoring.selectors import current_scores
from stations.models import STATION_ORDER, Station

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


#: The export's columns before the normalised indicators, in order.
STATION_COLUMNS = (
    "station_code",
    "station_name",
    "county",
    "period",
    "score",
    "rank",
    "grade",
    "coverage",
    "ungraded_reason",
)


def _two_decimals(value: float | None) -> str:
    """Scores are published with exactly two decimals (100.00, 37.50)."""
    return "" if value is None else f"{value:.2f}"


def score_export_frame(company_id: int, period: date, county_id: int | None = None) -> pd.DataFrame:
    """The month as it was scored: every station of the current run (even one
    deactivated since), plus today's active stations that have no score yet
    (added after the run), listed as ungraded with the reason ``not_scored``.
    One normalised column per indicator in force in the month.
    """
    codes = list(
        Indicator.objects.in_force(period)
        .order_by("display_order", "code")
        .values_list("code", flat=True)
    )
    scores = {score.station_id: score for score in current_scores(company_id, period, county_id)}
    unscored = (
        Station.objects.filter(county__company_id=company_id, active=True)
        .exclude(pk__in=list(scores))
        .select_related("county")
        .order_by(*STATION_ORDER)
    )
    if county_id:
        unscored = unscored.filter(county_id=county_id)
    stations = [score.station for score in scores.values()] + list(unscored)
    rows = []
    for station in stations:
        score = scores.get(station.pk)
        row = {
            "station_code": station.code,
            "station_name": station.name,
            "county": station.county.name,
            "period": format_period(period),
            "score": _two_decimals(score.score if score else None),
            "rank": score.rank if score else None,
            "grade": score.grade if score else UNGRADED,
            "coverage": round(score.coverage, 4) if score else None,
            "ungraded_reason": (score.ungraded_reason if score else NOT_SCORED) or "",
        }
        normalised = score.normalised if score else {}
        for code in codes:
            value = normalised.get(code)
            row[f"norm_{code}"] = _two_decimals(value)
        rows.append({key: neutralise_cell(value) for key, value in row.items()})
    columns = [*STATION_COLUMNS, *(f"norm_{code}" for code in codes)]
    frame = pd.DataFrame(rows, columns=columns)  # the headings even when no station is listed
    if not frame.empty:
        frame["rank"] = frame["rank"].astype("Int64")
        # As the ranking lists them: by rank; then, in the order read (by pinyin), the
        # ungraded and the stations the run did not include.
        frame = frame.sort_values(["rank"], na_position="last", kind="stable")
    return frame


def to_xlsx(frame: pd.DataFrame, sheet_name: str, headers: dict[str, str] | None = None) -> bytes:
    """The export as an Excel workbook: scores as numbers shown with two decimals,
    text cells already neutralised, a frozen header row (``headers`` renames
    columns for people; the column names stay the machine ones otherwise)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    numeric = {"score", "coverage"} | {c for c in frame.columns if c.startswith("norm_")}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append([(headers or {}).get(column, column) for column in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if pd.isna(value) or value == "":
                cells.append(None)
            elif column in numeric:
                cells.append(float(value))
            elif column == "rank":
                cells.append(int(value))
            else:
                cells.append(
                    ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                )
        sheet.append(cells)
    for index, column in enumerate(frame.columns, start=1):
        if column in numeric and column != "coverage":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        width = max(len(str((headers or {}).get(column, column))), 8) * 1.6
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width, 40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
