"""The administrators' weight and grading-rule pages: preview, save, review, publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse

from audit.models import AuditEntry
from indicators.models import Indicator, IndicatorValue
from scoring.engine import ScoringMethod
from scoring.models import MethodVersion, RunStatus, RunTrigger, ScoreRun, WeightSet
from scoring.regrade_preview import review, waiting_proposal
from scoring.services import PublishRefused, create_method_version, publish_run
from scoring.targets import SEED_TARGETS, as_goalposts
from tests.builders import league_table, run_month, write_values
from tests.factories import StationFactory, user_with_role

AUGUST, SEPTEMBER = date(2026, 8, 1), date(2026, 9, 1)


def _score(company, period, stations, seed):
    """Varied values (each station differs on each indicator) and a published run."""
    rng = np.random.default_rng(seed)
    indicators = list(Indicator.objects.order_by("code"))
    values = {
        station: {
            indicator.code: round(float(rng.uniform(indicator.min_value, indicator.max_value)), 2)
            for indicator in indicators
        }
        for station in stations
    }
    write_values(period, values)
    run_month(company, period)


@pytest.fixture
def company_months(company):
    county = company.counties.create(name="鄞州")
    stations = [StationFactory(code=f"T{n:02d}", county=county) for n in range(12)]
    _score(company, AUGUST, stations, seed=1)
    _score(company, SEPTEMBER, stations, seed=2)
    return company


@pytest.fixture
def admin_client(client, company_months):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


def _weights_post(company, changes: dict[str, str], **extra) -> dict:
    current = WeightSet.objects.filter(company=company).order_by("-version").first()
    data = {f"weight_{w.indicator.code}": str(w.weight) for w in current.weights.all()}
    data.update({f"weight_{code}": value for code, value in changes.items()})
    return {"effective_from": "2026-09", "reason": "安全优先", **data, **extra}


CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip

# Ten indicators at 10 each: move 10 points from team performance to safety.
SAFETY_FIRST = {"safety": "20", "team_performance": "0"}


@pytest.fixture
def save(admin_client, django_capture_on_commit_callbacks):
    """POST a form with action=save, running what it enqueues (eager Celery)."""

    def post(url, data):
        shown = admin_client.post(url, {**data, "action": "preview"})
        token = shown.context["previewed"]  # saving needs the preview it confirms
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(url, {**data, "action": "save", "previewed": token})

    return post


def _rows(comparison):
    return {
        row.station.code: (row.score_after, row.rank_after, row.grade_after.code)
        for row in comparison.rows
    }


@pytest.mark.django_db
def test_the_preview_shows_exactly_what_saving_then_produces(admin_client, company_months, save):
    url = reverse("scoring:weight_new")
    shown = admin_client.post(url, _weights_post(company_months, SAFETY_FIRST, action="preview"))
    assert shown.status_code == 200
    previewed = shown.context["comparison"]
    assert previewed.period == SEPTEMBER and previewed.station_count == 12
    assert not WeightSet.objects.filter(version=2).exists()  # a preview saves nothing
    assert shown.context["plan"]["regraded"] == ["2026-09"]
    assert "2026-09 as published → under the new weights" in shown.content.decode()

    saved = save(url, _weights_post(company_months, SAFETY_FIRST))
    version = WeightSet.objects.get(company=company_months, version=2)
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "scoring:weight_detail", args=[2]
    )
    assert version.reason == "安全优先" and version.effective_from == SEPTEMBER
    proposal = ScoreRun.objects.get(period=SEPTEMBER, weight_set=version)
    assert proposal.status == RunStatus.DONE and not proposal.is_current  # waits
    assert _rows(review(proposal)) == _rows(previewed)
    # The colour changes shown first in the preview are the ones the re-grade makes.
    assert previewed.changed == review(proposal).changed


@pytest.mark.django_db
def test_saving_needs_the_preview_of_exactly_these_values_and_saves_once(
    admin_client, company_months
):
    url = reverse("scoring:weight_new")
    data = _weights_post(company_months, SAFETY_FIRST)
    token = admin_client.post(url, {**data, "action": "preview"}).context["previewed"]
    # Saving without a preview, or after changing a weight, shows the preview again.
    for sent in (
        {**data, "action": "save"},
        {
            **data,
            "weight_safety": "19",
            "weight_team_performance": "1",
            "action": "save",
            "previewed": token,
        },
    ):
        response = admin_client.post(url, sent)
        assert response.status_code == 200 and response.context["comparison"] is not None
        assert response.content.decode().count("Check this preview before saving") == 1
    assert WeightSet.objects.filter(company=company_months).count() == 1
    saved = admin_client.post(url, {**data, "action": "save", "previewed": token})
    again = admin_client.post(url, {**data, "action": "save", "previewed": token})
    assert saved.status_code == 302 and again.status_code == 200  # a double click
    assert WeightSet.objects.filter(company=company_months).count() == 2


@pytest.mark.django_db
def test_publishing_a_regrade_keeps_the_published_run_in_history(
    admin_client, company_months, save
):
    published = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    save(reverse("scoring:weight_new"), _weights_post(company_months, SAFETY_FIRST))
    proposal = ScoreRun.objects.get(period=SEPTEMBER, weight_set__version=2)
    page = admin_client.get(reverse("scoring:weight_detail", args=[2]))
    assert [month.period for month in page.context["ready"]] == [SEPTEMBER]
    response = admin_client.post(
        reverse("scoring:weight_publish", args=[2]), {"run": [proposal.pk]}, follow=True
    )
    assert "Published the new grades of 1 month." in response.content.decode()
    proposal.refresh_from_db()
    published.refresh_from_db()
    assert proposal.is_current and not published.is_current
    assert published.scores.count() == 12  # the old grades are still there
    entry = AuditEntry.objects.get(action="grades.published")
    assert entry.actor == page.wsgi_request.user
    assert (entry.before["weights_version"], entry.after["weights_version"]) == (1, 2)
    assert entry.after["month"] == "2026-09"
    # Saving the version was recorded too, with the weights before and after.
    saved = AuditEntry.objects.get(action="weights.created")
    assert saved.reason == "安全优先" and saved.actor == entry.actor
    assert ScoreRun.objects.get(period=AUGUST, is_current=True).weight_set.version == 1


@pytest.mark.django_db
def test_new_data_keeps_the_published_versions_and_renews_the_waiting_regrade(
    company_months, save, django_capture_on_commit_callbacks
):
    save(reverse("scoring:weight_new"), _weights_post(company_months, SAFETY_FIRST))
    proposal = ScoreRun.objects.get(period=SEPTEMBER, weight_set__version=2)
    value = IndicatorValue.objects.filter(period=SEPTEMBER).first()
    value.value = value.indicator.max_value  # a corrected value arrives
    value.save()
    with django_capture_on_commit_callbacks(execute=True):
        newer = run_month(company_months, SEPTEMBER, trigger=RunTrigger.IMPORT)
    # Published with the new data but still under version 1: nobody chose to re-grade.
    assert newer.is_current and newer.weight_set.version == 1
    with pytest.raises(PublishRefused, match="scored again"):
        publish_run(proposal.pk)  # computed from the old data
    renewed = waiting_proposal(company_months.pk, SEPTEMBER)
    assert renewed.pk > newer.pk and renewed.weight_set.version == 2
    assert renewed.status == RunStatus.DONE and not renewed.is_current
    publish_run(renewed.pk)
    assert ScoreRun.objects.get(period=SEPTEMBER, is_current=True).pk == renewed.pk


@pytest.mark.django_db
def test_an_import_does_not_take_over_a_queued_regrade(company_months):
    from scoring.services import request_recompute

    proposal = request_recompute(
        company_months, SEPTEMBER, trigger=RunTrigger.WEIGHTS, publish=False
    )
    imported = request_recompute(company_months, SEPTEMBER, trigger=RunTrigger.IMPORT)
    assert imported.pk != proposal.pk and imported.publish and not proposal.publish


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({code: "0" for code in CODES}, "the weights are all 0: give at least one indicator"),
        ({"safety": "10000"}, "less than or equal to 9999.99"),
        ({"safety": "-1", "team_performance": "21"}, "greater than or equal to 0"),
        ({"safety": "10.001"}, "no more than 2 decimal places"),
        ({"effective_from": "2026/09"}, "2026/09 is not a month"),
        ({"reason": "  "}, "Say why"),
    ],
)
def test_bad_weights_are_refused_and_nothing_is_saved(
    admin_client, company_months, changes, message
):
    weights = {k: v for k, v in changes.items() if k not in ("effective_from", "reason")}
    data = _weights_post(company_months, weights, action="save")
    data.update({k: v for k, v in changes.items() if k in ("effective_from", "reason")})
    response = admin_client.post(reverse("scoring:weight_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WeightSet.objects.filter(company=company_months).count() == 1
    assert ScoreRun.objects.filter(publish=False).count() == 0


@pytest.mark.django_db
def test_weights_need_not_sum_to_100_and_every_page_shows_the_shares(
    admin_client, company_months, save
):
    """1, 1, 1 on three indicators (the others 0): a third each, shown as such."""
    thirds = {code: "0" for code in CODES} | {
        "safety": "1",
        "line_loss": "1",
        "customer_satisfaction": "1",
    }
    url = reverse("scoring:weight_new")
    shown = admin_client.post(url, _weights_post(company_months, thirds, action="preview"))
    assert shown.status_code == 200 and shown.context["form"].is_valid()
    page = shown.content.decode()
    assert '1.00 <span class="weight-share"' in page and "(33.3 %)" in page
    assert '10.00 <span class="weight-share" ' in page and "(10.0 %)" in page  # v1: 10 of 100
    lines = {line["indicator"].code: line for line in shown.context["diff"]}
    assert lines["safety"]["after_share"] == pytest.approx(100 / 3)
    assert lines["safety"]["before_share"] == pytest.approx(10.0)
    assert lines["team_performance"]["after_share"] == 0.0

    save(url, _weights_post(company_months, thirds))
    version = WeightSet.objects.get(company=company_months, version=2)
    assert sorted(w.weight for w in version.weights.all() if w.weight) == [1, 1, 1]
    for page_url in (reverse("scoring:weights"), reverse("scoring:weight_detail", args=[2])):
        assert "(33.3 %)" in admin_client.get(page_url).content.decode()
    # The re-grade it waits with scores each station by the plain mean of the three.
    proposal = ScoreRun.objects.get(weight_set=version, period=SEPTEMBER)
    for score in proposal.scores.filter(rank__isnull=False):
        values = [
            score.normalised[code] for code in ("safety", "line_loss", "customer_satisfaction")
        ]
        assert score.score == pytest.approx(round(sum(values) / 3 + 1e-9, 2), abs=0.005)


@pytest.mark.django_db
def test_the_version_list_says_who_when_why_and_what_changed(admin_client, company_months, save):
    save(reverse("scoring:weight_new"), _weights_post(company_months, SAFETY_FIRST))
    page = admin_client.get(reverse("scoring:weights")).content.decode()
    assert "安全优先" in page
    changes = admin_client.get(reverse("scoring:weights")).context["rows"][0]["changes"]
    assert [(c["indicator"].code, c["before"], c["after"]) for c in changes] == [
        ("safety", Decimal("10.00"), Decimal("20.00")),
        ("team_performance", Decimal("10.00"), Decimal("0.00")),
    ]


@pytest.mark.django_db
def test_grading_rules_preview_then_save_match(admin_client, company_months, save):
    data = {
        "effective_from": "2026-09",
        "reason": "固定分数线",
        "normalisation": "minmax",
        "grading": "thresholds",
        "coverage_min_pct": "80",
        "threshold_red": "70",
        "threshold_orange": "60",
        "threshold_blue": "50",
        "threshold_green": "40",
    }
    url = reverse("scoring:method_new")
    shown = admin_client.post(url, {**data, "action": "preview"})
    assert shown.status_code == 200, shown.context["form"].errors
    previewed = shown.context["comparison"]
    assert not MethodVersion.objects.filter(version__gt=1).exists()  # v1: the company's first
    save(url, data)
    version = MethodVersion.objects.get(version=2)
    assert version.params["grading"] == "thresholds"
    assert version.params["thresholds"] == [70.0, 60.0, 50.0, 40.0]
    proposal = ScoreRun.objects.get(period=SEPTEMBER, method_version=version)
    assert _rows(review(proposal)) == _rows(previewed)
    for code, (score, _rank, grade) in _rows(previewed).items():
        expected = (
            "red"
            if score >= 70
            else "orange"
            if score >= 60
            else "blue"
            if score >= 50
            else "green"
            if score >= 40
            else "yellow"
        )
        assert grade == expected, code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quota_red": "30"}, "The colour shares sum to 110 %, not 100 %."),
        (
            {
                "grading": "thresholds",
                "threshold_red": "50",
                "threshold_orange": "60",
                "threshold_blue": "40",
                "threshold_green": "30",
            },
            "must fall from red to green",
        ),
        ({"coverage_min_pct": "120"}, "less than or equal to 100"),
    ],
)
def test_bad_grading_rules_are_refused(admin_client, company_months, changes, message):
    data = {
        "effective_from": "2026-09",
        "reason": "r",
        "normalisation": "minmax",
        "grading": "quotas",
        "coverage_min_pct": "80",
        **{f"quota_{g}": "20" for g in ("red", "orange", "blue", "green", "yellow")},
        **changes,
        "action": "save",
    }
    response = admin_client.post(reverse("scoring:method_new"), data)
    assert message in response.content.decode()
    assert not MethodVersion.objects.filter(version__gt=1).exists()  # v1: the company's first


@pytest.mark.django_db
def test_a_month_beside_the_latest_rules_when_no_regrade_waits(admin_client, company_months):
    response = admin_client.get(reverse("scoring:month_review", args=["2026-08"]))
    assert response.context["against"] == "latest"
    assert response.context["comparison"].changed == 0  # same weights and rules
    assert admin_client.get(reverse("scoring:month_review", args=["2030-01"])).status_code == 404


@pytest.mark.django_db
def test_a_newer_version_of_the_same_month_takes_the_month_over(
    admin_client, company_months, save, django_assert_max_num_queries
):
    url = reverse("scoring:weight_new")
    save(url, _weights_post(company_months, SAFETY_FIRST))
    save(url, _weights_post(company_months, {"safety": "15", "team_performance": "5"}))
    v2 = admin_client.get(reverse("scoring:weight_detail", args=[2])).context["months"]
    with django_assert_max_num_queries(17):  # not a few per month
        v3 = admin_client.get(reverse("scoring:weight_detail", args=[3])).context["months"]
    assert v2 == [] and [month.period for month in v3] == [SEPTEMBER]
    assert v3[0].waiting.weight_set.version == 3 and v3[0].ready


@pytest.mark.django_db
def test_a_save_after_its_preview_is_kept_without_the_cache_and_only_once(
    admin_client, company_months, unreachable_cache
):
    """The double-save check lives in the database: with Redis down the version is
    saved (before: 500 and the version lost), and a double click still saves one."""
    url = reverse("scoring:weight_new")
    data = _weights_post(company_months, SAFETY_FIRST)
    token = admin_client.post(url, {**data, "action": "preview"}).context["previewed"]
    saved = admin_client.post(url, {**data, "action": "save", "previewed": token})
    again = admin_client.post(url, {**data, "action": "save", "previewed": token})
    assert saved.status_code == 302 and saved.url == reverse("scoring:weight_detail", args=[2])
    assert again.status_code == 200
    assert "Check this preview before saving" in again.content.decode()
    versions = WeightSet.objects.filter(company=company_months).values_list("version", flat=True)
    assert sorted(versions) == [1, 2]


def _grading_post(**changes) -> dict:
    return {
        "effective_from": "2026-09",
        "reason": "绝对评分",
        "normalisation": "goalposts",
        "grading": "thresholds",
        "coverage_min_pct": "80",
        "threshold_red": "90",
        "threshold_orange": "80",
        "threshold_blue": "70",
        "threshold_green": "60",
        **changes,
    }


@pytest.mark.django_db
def test_a_league_table_company_turns_absolute_with_the_seeded_targets(admin_client, save):
    page = admin_client.get(reverse("scoring:methods")).content.decode()
    assert "relative (min-max); league table 20 / 20 / 20 / 20 / 20 %" in page
    save(reverse("scoring:method_new"), _grading_post())
    params = MethodVersion.objects.get(version=2).params
    assert (params["normalisation"], params["grading"]) == ("goalposts", "thresholds")
    assert params["goalposts"] == {
        code: list(pair) for code, pair in as_goalposts(SEED_TARGETS).items()
    }
    page = admin_client.get(reverse("scoring:method_detail", args=[2])).content.decode()
    assert (
        "absolute (each indicator from floor to target); score thresholds 90 / 80 / 70 / 60" in page
    )


@pytest.mark.django_db
def test_new_grading_rules_keep_the_targets(admin_client, company_months, save):
    targets = {"safety": (50.0, 100.0), "line_loss": (2.0, 10.0)}
    create_method_version(
        company=company_months,
        method=ScoringMethod(goalposts=targets),
        effective_from=AUGUST,
        reason="our targets",
        recompute=False,
    )
    form = admin_client.get(reverse("scoring:method_new")).context["form"]
    assert (form["normalisation"].value(), form["grading"].value()) == ("goalposts", "thresholds")
    save(reverse("scoring:method_new"), _grading_post(threshold_red="95"))
    saved = ScoringMethod.from_record(MethodVersion.objects.get(version=3).params)
    assert saved.goalposts == ScoringMethod(goalposts=targets).goalposts
    assert saved.thresholds == (95.0, 80.0, 70.0, 60.0)


@pytest.mark.django_db
def test_a_normalisation_set_from_the_command_line_stays_offered(admin_client, company_months):
    create_method_version(
        company=company_months,
        method=league_table(normalisation="zscore"),
        effective_from=AUGUST,
        reason="z",
        recompute=False,
    )
    response = admin_client.get(reverse("scoring:method_new"))
    assert response.context["form"]["normalisation"].value() == "zscore"
    assert "As now: z-scores" in response.content.decode()
    response = admin_client.post(
        reverse("scoring:method_new"), {**_grading_post(normalisation="rank"), "action": "preview"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not MethodVersion.objects.filter(version__gt=2).exists()


def test_both_version_forms_start_at_the_month_after_the_latest_scored_one(
    admin_client, company_months
):
    latest = max(run.period for run in ScoreRun.objects.all())
    expected = f"{latest.year + latest.month // 12:04d}-{latest.month % 12 + 1:02d}"
    for url in (reverse("scoring:weight_new"), reverse("scoring:method_new")):
        page = admin_client.get(url).content.decode()
        assert f'name="effective_from" value="{expected}"' in page, url


@pytest.mark.django_db
def test_a_month_scored_before_any_rules_version_names_the_built_in_rules(
    admin_client, company_months
):
    """Not "rules v0": a run made with the built-in method has no rules version."""
    ScoreRun.objects.filter(period=date(2026, 8, 1)).update(method_version=None)
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(reverse("scoring:month_review", args=["2026-08"])).content.decode()
    assert "the built-in rules, computed" in page and "rules v0" not in page
