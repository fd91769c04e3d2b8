"""An indicator counts only in the months it is in force: in scoring, in imports and on
the month's pages. The company is scored with the real import and recompute services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from indicators import services
from indicators.models import ImportBatch, ImportSource, Indicator, IndicatorValue
from scoring.exports import score_export_frame
from scoring.models import RunTrigger, ScoreRun, StationScore
from scoring.selectors import load_period_inputs
from scoring.services import create_weight_set, request_recompute
from tabular.defects import FileRejected
from tests.conftest import TODAY
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
# S3 reports no financial value: with line_loss it has 60 % of the weight, without it 50 %.
VALUES = """station_code,period,safety,financial,line_loss
S1,{month},90,100,8
S2,{month},80,110,4
S3,{month},70,,2
"""


@pytest.fixture
def weighted(three_stations):
    """Safety 40, financial 40, line loss 20 (the others 0) from 2026-01."""
    company = three_stations[0].county.company
    weights = {code: Decimal(0) for code in Indicator.objects.values_list("code", flat=True)}
    weights.update(safety=Decimal(40), financial=Decimal(40), line_loss=Decimal(20))
    create_weight_set(
        company=company,
        weights=weights,
        effective_from=date(2026, 1, 1),
        reason="test",
        recompute=False,
    )
    return company


def import_months(write_file, capture, *months: date):
    text = "".join(
        VALUES.format(month=f"{m:%Y-%m}").split("\n", 1)[1]
        if i
        else VALUES.format(month=f"{m:%Y-%m}")
        for i, m in enumerate(months)
    )
    with capture(execute=True):  # the runs the import requests are executed on commit
        services.import_indicator_file(
            write_file("values.csv", text), source=ImportSource.COMMAND_LINE, today=TODAY
        )


def recompute(company, period):
    return request_recompute(company, period, trigger=RunTrigger.MANUAL)


def month_result(period) -> dict[str, tuple]:
    return {
        score.station.code: (
            score.score,
            score.grade,
            round(score.coverage, 6),
            score.ungraded_reason,
        )
        for score in StationScore.objects.filter(
            run__is_current=True, period=period
        ).select_related("station")
    }


def retire_line_loss():
    services.retire_indicator(
        indicator=Indicator.objects.get(code="line_loss"),
        retired_from=OCTOBER,
        reason="Measured by the county from October",
    )


# Hand-computed. Normalised: safety S1 100, S2 50, S3 0; financial S1 0, S2 100 (S3 none);
# line loss (lower is better, 2..8) S1 0, S2 66.67, S3 100.
WITH_LINE_LOSS = {
    # S1 (40·100 + 40·0 + 20·0) / 100; S2 (40·50 + 40·100 + 20·66.67) / 100.
    # N = 2 graded: cut-offs 0, 1, 1, 2, 2.
    "S1": (40.0, "green", 1.0, ""),
    "S2": (73.33, "orange", 1.0, ""),
    "S3": (None, "ungraded", 0.6, "low_coverage"),  # (40 + 20) / 100
}
WITHOUT_LINE_LOSS = {
    # S1 (40·100 + 40·0) / 80; S2 (40·50 + 40·100) / 80.
    "S1": (50.0, "green", 1.0, ""),
    "S2": (75.0, "orange", 1.0, ""),
    "S3": (None, "ungraded", 0.5, "low_coverage"),  # 40 / 80: relative to the weights in force
}


def test_a_retired_indicator_is_left_out_of_scoring_from_its_month(
    weighted, write_file, django_capture_on_commit_callbacks
):
    import_months(write_file, django_capture_on_commit_callbacks, SEPTEMBER, OCTOBER)
    assert month_result(SEPTEMBER) == WITH_LINE_LOSS
    assert month_result(OCTOBER) == WITH_LINE_LOSS

    retire_line_loss()
    with django_capture_on_commit_callbacks(execute=True):
        september, october = recompute(weighted, SEPTEMBER), recompute(weighted, OCTOBER)

    assert month_result(SEPTEMBER) == WITH_LINE_LOSS
    assert month_result(OCTOBER) == WITHOUT_LINE_LOSS
    september.refresh_from_db()
    october.refresh_from_db()
    assert september.unchanged is True  # the month before keeps the indicator
    assert "line_loss" in september.method_params["directions"]
    assert "line_loss" not in october.method_params["directions"]
    s2 = StationScore.objects.get(run=october, station__code="S2")
    assert s2.normalised == {"safety": 50.0, "financial": 100.0}
    # The values stay stored; they are simply not read for October.
    assert IndicatorValue.objects.filter(indicator__code="line_loss", period=OCTOBER).count() == 3


def test_the_inputs_of_a_month_hold_only_the_indicators_in_force(
    weighted, write_file, django_capture_on_commit_callbacks
):
    import_months(write_file, django_capture_on_commit_callbacks, SEPTEMBER, OCTOBER)
    retire_line_loss()
    september = load_period_inputs(weighted.pk, SEPTEMBER)
    october = load_period_inputs(weighted.pk, OCTOBER)
    assert "line_loss" in september.weights.index
    assert "line_loss" not in october.weights.index
    assert "line_loss" not in october.values.columns
    assert october.weights.sum() == 80.0


def test_an_indicator_added_from_a_month_counts_from_it(
    weighted, write_file, django_capture_on_commit_callbacks
):
    services.add_indicator(
        code="reliability",
        details=services.IndicatorFields(
            name_zh="供电可靠性指数",
            name_en="Supply reliability index",
            direction="higher",
            unit="%",
            unit_en="%",
            min_value=0,
            max_value=100,
            department="",
            department_en="",
        ),
        active_from=OCTOBER,
    )
    rejected = refused(
        write_file("r.csv", "station_code,period,reliability\nS1,2026-09,99\nS1,2026-10,99\n")
    )
    assert [(d.line, d.column, d.code) for d in rejected.defects] == [
        (2, "reliability", "not_in_force")
    ]
    with translation.override("en"):
        assert str(rejected.defects[0]) == (
            "line 2, column reliability: reliability counts only from 2026-10: "
            "no values for 2026-09 are accepted"
        )
    services.import_indicator_file(
        write_file("r.csv", "station_code,period,reliability\nS1,2026-10,99\n"),
        source=ImportSource.COMMAND_LINE,
        today=TODAY,
    )
    assert IndicatorValue.objects.get(indicator__code="reliability").value == 99.0
    # No weight version gives it a weight yet: the month's inputs do not hold it.
    assert "reliability" not in load_period_inputs(weighted.pk, OCTOBER).weights.index


def refused(path) -> FileRejected:
    with translation.override("en"), pytest.raises(FileRejected) as caught:
        services.import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)
    return caught.value


def test_an_import_with_values_of_a_retired_indicator_is_refused_naming_the_line(
    three_stations, write_file
):
    retire_line_loss()
    long_form = (
        "station_code,period,indicator_code,value\n"
        "S1,2026-09,line_loss,4\n"  # before the retirement: fine
        "S1,2026-10,safety,90\n"
        "S2,2026-10,line_loss,5\n"
    )
    error = refused(write_file("long.csv", long_form))
    assert [(d.line, d.column, d.code) for d in error.defects] == [
        (4, "indicator_code", "not_in_force")
    ]
    with translation.override("en"):
        report = error.report()
    assert "long.csv was rejected, nothing was written (1 problems)" in report
    assert (
        "line 4, column indicator_code: line_loss is retired from 2026-10: "
        "no values for 2026-10 are accepted"
    ) in report
    # All or nothing: not even the good lines were written.
    assert IndicatorValue.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert ScoreRun.objects.count() == 0


def test_a_wide_file_may_keep_the_retired_column_empty(three_stations, write_file):
    retire_line_loss()
    wide = "station_code,period,safety,line_loss\nS1,2026-10,90,\nS2,2026-10,80,3\n"
    error = refused(write_file("wide.csv", wide))
    assert [(d.line, d.column, d.code) for d in error.defects] == [(3, "line_loss", "not_in_force")]
    services.import_indicator_file(
        write_file("wide.csv", "station_code,period,safety,line_loss\nS1,2026-10,90,\n"),
        source=ImportSource.COMMAND_LINE,
        today=TODAY,
    )
    assert list(IndicatorValue.objects.values_list("indicator__code", "value")) == [
        ("safety", 90.0)
    ]


def test_the_month_pages_list_a_retired_indicator_only_before_its_month(
    weighted, write_file, django_capture_on_commit_callbacks, client, settings
):
    settings.PAGE_BODY_SECONDS = 0  # each request renders its page (the context is read)
    import_months(write_file, django_capture_on_commit_callbacks, SEPTEMBER, OCTOBER)
    retire_line_loss()
    with django_capture_on_commit_callbacks(execute=True):
        recompute(weighted, OCTOBER)
    client.force_login(user_with_role("party_committee"))  # sees the matrix

    def matrix_codes(period):
        response = client.get(reverse("mapviews:matrix"), {"period": period})
        return [indicator.code for indicator in response.context["indicators"]]

    def station_codes(period):
        response = client.get(reverse("mapviews:station", args=["S1"]), {"period": period})
        return {line.indicator.code for line in response.context["indicators"]}

    assert "line_loss" in matrix_codes("2026-09")
    assert "line_loss" not in matrix_codes("2026-10")
    assert len(matrix_codes("2026-10")) == 9
    assert "line_loss" in station_codes("2026-09")
    assert "line_loss" not in station_codes("2026-10")
    assert "norm_line_loss" in score_export_frame(weighted.pk, SEPTEMBER).columns
    assert "norm_line_loss" not in score_export_frame(weighted.pk, OCTOBER).columns
