"""A unit's common method: inherited by the companies below it unless they use their own;
publishing it re-grades the inheriting companies' months as one Celery group of one task
per company (``scoring.services.unitmethods``, ``scoring.methodsource``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import Action, AuditEntry
from indicators.models import Indicator
from scoring.engine import ScoringMethod
from scoring.methodsource import method_source
from scoring.models import (
    CloseState,
    MethodVersion,
    RunStatus,
    RunTrigger,
    ScoreRun,
    WeightSet,
)
from scoring.selectors import effective_method, effective_weight_set
from scoring.services import (
    create_weight_set,
    publish_run,
    publish_unit_method,
    publish_unit_weights,
    set_own_method,
)
from scoring.services import recompute as recompute_module
from stations.models import OrgUnit
from tests.builders import run_month, write_values
from tests.factories import (
    CompanyFactory,
    CountyFactory,
    MonthCloseFactory,
    StationFactory,
    user_with_role,
)

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def safety_first() -> dict[str, Decimal]:
    """Weights that count safety alone: a change every month's grades feel."""
    return {
        code: Decimal(100 if code == "safety" else 0)
        for code in Indicator.objects.filter(active=True).values_list("code", flat=True)
    }


def stations_of(company, prefix: str):
    county = CountyFactory(company=company, name=f"{prefix} county")
    return [StationFactory(code=f"{prefix}{n}", county=county) for n in (1, 2, 3)]


def scored(company, prefix: str, months=(SEPTEMBER, OCTOBER)):
    """Three stations scored each month: safety 90, 60, 30 and every other indicator
    30, 60, 90 (so weights that count safety alone reverse their order)."""
    stations = stations_of(company, prefix)
    codes = list(Indicator.objects.values_list("code", flat=True))
    values = {
        station: {code: 90 - 30 * n if code == "safety" else 30 + 30 * n for code in codes}
        for n, station in enumerate(stations)
    }
    for month in months:
        write_values(month, values)
        run_month(company, month)
    return stations


def make_province():
    """浙江省 with three companies scored in September and October: 宁波 and 温州 inherit,
    台州 uses its own method."""
    unit = OrgUnit.objects.create(code="ZJ", name="浙江省")
    companies = []
    for name, prefix in (("宁波", "NB"), ("温州", "WZ"), ("台州", "TZ")):
        company = CompanyFactory(name=name)
        company.parent = unit
        company.save(update_fields=["parent"])
        scored(company, prefix)
        companies.append(company)
    set_own_method(company=companies[2], own=True, reason="our own targets")
    return unit, companies


@pytest.fixture
def province(db):
    return make_province()


@pytest.fixture
def group_sends(monkeypatch):
    """Each group the re-grades are sent as: one list of run ids per task."""
    sent: list[list[list[int]]] = []
    real = recompute_module.publish_group_soon

    def record(task, arguments, **kwargs):
        sent.append([args[0] for args in arguments])
        return real(task, arguments, **kwargs)

    monkeypatch.setattr(recompute_module, "publish_group_soon", record)
    return sent


def new_runs(company, since_pk: int):
    return list(ScoreRun.objects.filter(company=company, pk__gt=since_pk).order_by("period", "pk"))


@pytest.mark.django_db
def test_publishing_regrades_exactly_the_inheriting_companies_as_one_group(
    province, group_sends, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, taizhou) = province
    before = ScoreRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="safety year"
        )
    # One group, one task per inheriting company, each with that company's months.
    ningbo_runs, wenzhou_runs = new_runs(ningbo, before), new_runs(wenzhou, before)
    assert group_sends == [[[r.pk for r in ningbo_runs], [r.pk for r in wenzhou_runs]]]
    assert new_runs(taizhou, before) == []
    for runs in (ningbo_runs, wenzhou_runs):
        [run] = runs  # October only: September is before the common version
        assert run.period == OCTOBER
        assert run.status == RunStatus.DONE, run.error
        assert run.trigger == RunTrigger.UNIT
        assert run.weight_set == version and run.weight_set.unit == unit
        # October was published as final: the re-grade waits for an administrator.
        assert not run.publish and not run.is_current
        assert run.enqueued_at is not None


@pytest.mark.django_db
def test_a_waiting_regrade_published_keeps_the_unit_version_it_was_graded_with(
    province, django_capture_on_commit_callbacks
):
    unit, (ningbo, _wenzhou, _taizhou) = province
    published = ScoreRun.objects.get(company=ningbo, period=OCTOBER, is_current=True)
    scores_before = dict(published.scores.values_list("station__code", "score"))
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="safety year"
        )
    waiting = ScoreRun.objects.get(company=ningbo, period=OCTOBER, trigger=RunTrigger.UNIT)
    publish_run(waiting.pk)
    shown = ScoreRun.objects.get(company=ningbo, period=OCTOBER, is_current=True)
    assert shown == waiting
    assert shown.regraded_from == published
    assert shown.weight_set == version
    ranks = dict(shown.scores.values_list("station__code", "rank"))
    assert ranks == {"NB1": 1, "NB2": 2, "NB3": 3}  # safety alone: 90, 60, 30
    scores_after = dict(shown.scores.values_list("station__code", "score"))
    assert scores_after != scores_before


@pytest.mark.django_db
def test_provisional_and_unpublished_months_are_graded_at_once(
    province, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, _taizhou) = province
    MonthCloseFactory(company=ningbo, period=OCTOBER, state=CloseState.PROVISIONAL)
    stations = list(ningbo.counties.get().stations.order_by("code"))
    write_values(NOVEMBER, dict.fromkeys(stations, 50.0))  # not scored yet
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason=""
        )
    october = ScoreRun.objects.get(company=ningbo, period=OCTOBER, is_current=True)
    november = ScoreRun.objects.get(company=ningbo, period=NOVEMBER, is_current=True)
    assert october.weight_set == version and october.trigger == RunTrigger.UNIT
    assert october.regraded_from is not None
    assert november.weight_set == version
    # 温州's October is final: its re-grade waits.
    assert ScoreRun.objects.get(company=wenzhou, period=OCTOBER, is_current=True).weight_set != (
        version
    )


@pytest.mark.django_db
def test_the_effective_version_is_the_nearest_units_unless_the_company_uses_its_own(province):
    unit, (ningbo, wenzhou, taizhou) = province
    city = OrgUnit.objects.create(code="ZJ-NB", name="宁波片区", parent=unit)
    ningbo.parent = city
    ningbo.save(update_fields=["parent"])
    common = publish_unit_method(
        unit=unit, method=ScoringMethod(), effective_from=OCTOBER, reason="", recompute=False
    )
    nearer = publish_unit_method(
        unit=city, method=ScoringMethod(), effective_from=NOVEMBER, reason="", recompute=False
    )
    own = MethodVersion.objects.get(company=taizhou, version=1)
    assert effective_method(wenzhou.pk, SEPTEMBER).company == wenzhou  # before any common one
    assert effective_method(wenzhou.pk, OCTOBER) == common
    assert effective_method(ningbo.pk, OCTOBER) == common  # the city has none yet
    assert effective_method(ningbo.pk, NOVEMBER) == nearer
    assert effective_method(taizhou.pk, NOVEMBER) == own
    # Weights: no unit publishes any, every company keeps its own.
    assert effective_weight_set(ningbo.pk, NOVEMBER).company == ningbo

    source = method_source(MethodVersion, ningbo, NOVEMBER)
    assert source.inherited and source.unit == city and source.version == nearer
    source = method_source(MethodVersion, taizhou, NOVEMBER)
    assert not source.inherited and source.version == own and source.overridden == common


@pytest.mark.django_db
def test_a_companys_own_version_regrades_nothing_while_it_inherits(
    province, django_capture_on_commit_callbacks
):
    unit, (ningbo, _wenzhou, _taizhou) = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=SEPTEMBER, reason="")
    count = ScoreRun.objects.filter(company=ningbo).count()
    with django_capture_on_commit_callbacks(execute=True):
        create_weight_set(
            company=ningbo, weights=safety_first(), effective_from=OCTOBER, reason="ignored"
        )
    assert ScoreRun.objects.filter(company=ningbo).count() == count


@pytest.mark.django_db
def test_choosing_its_own_method_is_audited_and_regrades_the_months_that_change(
    province, group_sends, django_capture_on_commit_callbacks
):
    unit, (ningbo, _wenzhou, taizhou) = province
    with django_capture_on_commit_callbacks(execute=True):
        version = publish_unit_weights(
            unit=unit, weights=safety_first(), effective_from=OCTOBER, reason=""
        )
    admin = user_with_role("admin")
    before = ScoreRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        assert set_own_method(company=taizhou, own=False, reason="join the province", user=admin)
    [run] = new_runs(taizhou, before)  # October: now graded by the province's weights
    assert run.period == OCTOBER and run.weight_set == version
    assert group_sends[-1] == [[run.pk]]
    entry = AuditEntry.objects.filter(action=Action.OWN_METHOD_CLEARED).get()
    assert entry.actor == admin and entry.reason == "join the province"
    assert entry.after == {"own_method": False, "regraded_months": 1}
    assert set_own_method(company=taizhou, own=False, user=admin) is False  # already so
    with django_capture_on_commit_callbacks(execute=True):
        set_own_method(company=ningbo, own=True, user=admin)
    assert AuditEntry.objects.filter(action=Action.OWN_METHOD_SET).count() == 2  # + fixture


@pytest.mark.django_db
def test_a_unit_version_is_audited_with_its_unit(province):
    unit, _companies = province
    publish_unit_method(
        unit=unit, method=ScoringMethod(), effective_from=OCTOBER, reason="common", recompute=False
    )
    entry = AuditEntry.objects.filter(action=Action.METHOD_CREATED).latest("pk")
    assert entry.after["unit"] == "浙江省" and "company" not in entry.after


@pytest.mark.django_db
def test_set_weights_for_a_unit_on_the_command_line(
    province, write_file, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, _taizhou) = province
    rows = "\n".join(f"{code},{weight}" for code, weight in safety_first().items())
    path = write_file("weights.csv", "indicator_code,weight\n" + rows + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("set_weights", str(path), "--effective-from", "2026-09", "--unit", "ZJ")
    version = WeightSet.objects.get(unit=unit)
    assert version.version == 1 and version.company is None
    for company in (ningbo, wenzhou):
        assert set(
            ScoreRun.objects.filter(company=company, weight_set=version).values_list(
                "period", flat=True
            )
        ) == {SEPTEMBER, OCTOBER}


@pytest.mark.django_db
def test_the_weights_page_says_the_weights_are_inherited(
    client, province, django_capture_on_commit_callbacks
):
    unit, _companies = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=SEPTEMBER, reason="")
    client.force_login(user_with_role("admin"))  # sees the first company, 宁波
    client.cookies["django_language"] = "en"
    page = client.get(reverse("scoring:weights"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Inherited weights: 浙江省's common version 1, effective from 2026-09." in page
    rules = client.get(reverse("scoring:methods"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Own method: no unit above this company publishes a common version" in rules
    review = client.get(
        reverse("scoring:month_review", args=["2026-10"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # The waiting re-grade names the unit whose version graded it.
    assert "weights v1 (浙江省), rules v1" in review


@pytest.mark.django_db
def test_the_django_admin_sets_and_clears_an_own_method_through_the_service(
    client, province, django_capture_on_commit_callbacks
):
    from scoring.models import MethodOverride
    from tests.factories import UserFactory

    unit, (_ningbo, wenzhou, _taizhou) = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="")
    boss = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(boss)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:scoring_methodoverride_add"),
            {"company": wenzhou.pk, "reason": "our own safety weights"},
        )
    assert response.status_code == 302
    override = MethodOverride.objects.get(company=wenzhou)
    assert override.set_by == boss
    entry = AuditEntry.objects.filter(action=Action.OWN_METHOD_SET, actor=boss).get()
    assert entry.reason == "our own safety weights"
    # October goes back to 温州's own weights: a re-grade under them.
    assert ScoreRun.objects.filter(
        company=wenzhou, period=OCTOBER, weight_set__company=wenzhou, trigger=RunTrigger.UNIT
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:scoring_methodoverride_delete", args=[override.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not MethodOverride.objects.filter(company=wenzhou).exists()
    assert AuditEntry.objects.filter(action=Action.OWN_METHOD_CLEARED, actor=boss).exists()


@pytest.mark.django_db
def test_a_new_own_version_previews_no_regrade_of_the_months_a_unit_grades(
    province, django_capture_on_commit_callbacks
):
    from scoring.views.common import regrade_plan

    unit, (ningbo, _wenzhou, taizhou) = province
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="")
    plan = regrade_plan(ningbo, SEPTEMBER, WeightSet)
    assert plan["regraded"] == ["2026-09"]  # October is the province's
    # 台州 uses its own weights: both months would be re-graded.
    assert regrade_plan(taizhou, SEPTEMBER, WeightSet)["regraded"] == ["2026-09", "2026-10"]


@pytest.mark.django_db
def test_the_sources_of_many_companies_at_once_agree_with_one_at_a_time(
    django_capture_on_commit_callbacks,
):
    """``method_sources`` (the province overview's four queries, and each company's
    pages through ``method_source``) names the version that grades each company's month
    (``governing_version``, what a run uses): inherited, own, and own over a common one."""
    from scoring.methodsource import governing_version, governing_versions, method_sources
    from scoring.models import MethodOverride

    unit, companies = make_province()
    city = OrgUnit.objects.create(code="NBC", name="宁波片区", parent=unit)
    companies[0].parent = city
    companies[0].save(update_fields=["parent"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_unit_weights(unit=unit, weights=safety_first(), effective_from=OCTOBER, reason="")
    for model in (WeightSet, MethodVersion):
        for period in (SEPTEMBER, OCTOBER):
            many = method_sources(model, companies, period)
            for company in companies:
                source = many[company.pk]
                version = governing_version(model, company.pk, period)
                assert source.version == version
                assert source.unit == (version.unit if version and version.unit_id else None)
                # What the company's own choice sets aside: the units' version it would
                # inherit (none when it inherits already, or no unit has one).
                chose_own = MethodOverride.objects.filter(company=company).exists()
                common = governing_versions(model, company.pk, [period], own=False)
                set_aside = common[period] if chose_own else None
                if set_aside is not None and not set_aside.unit_id:
                    set_aside = None
                assert source.overridden == set_aside
    # October's weights: 宁波 (below 宁波片区) and 温州 inherit the province's, 台州 keeps its own.
    october = method_sources(WeightSet, companies, OCTOBER)
    assert [october[c.pk].inherited for c in companies] == [True, True, False]
    assert october[companies[2].pk].overridden is not None
