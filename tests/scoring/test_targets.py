"""Targets and floors set by administrators: the page, the form (preview, save, once),
the method version it makes, and the ``set_targets`` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from indicators.models import Indicator
from scoring.engine import ScoringMethod
from scoring.engine.method import Cap
from scoring.goalposts import targets_of
from scoring.models import MethodVersion, RunStatus, ScoreRun
from scoring.services import create_method_version
from scoring.targets import SEED_TARGETS, as_goalposts
from tests.factories import user_with_role
from tests.scoring.test_version_pages import AUGUST, SEPTEMBER, _score

#: An absolute method with every setting away from its default, to see that new
#: targets keep them.
ABSOLUTE = ScoringMethod(
    normalisation="goalposts",
    # The seeded targets with the safety target at 95 (not the seed's 98): a change even
    # when a company starts from the seeded targets.
    goalposts=as_goalposts(SEED_TARGETS | {"safety": (60.0, 95.0)}),
    grading="thresholds",
    thresholds=(85, 75, 65, 55),
    coverage_min_pct=70,
    missing={"safety": "carry_forward"},
    caps=[Cap(indicator="safety", operator="<", value=50, grade="blue")],
)
#: A relative method, named in full (whatever the default is).
LEAGUE_TABLE = ScoringMethod(normalisation="minmax", grading="quotas")


@pytest.fixture
def scored(company):
    """Twelve stations with two published months, graded by ``ABSOLUTE`` (version 1)."""
    from tests.factories import StationFactory

    county = company.counties.create(name="鄞州")
    stations = [StationFactory(code=f"T{n:02d}", county=county) for n in range(12)]
    company.plan = create_method_version(
        company=company, method=ABSOLUTE, effective_from=AUGUST, reason="计划值", recompute=False
    )
    _score(company, AUGUST, stations, seed=1)
    _score(company, SEPTEMBER, stations, seed=2)
    return company


def _newest(company) -> MethodVersion:
    return MethodVersion.objects.filter(company=company).latest("version")


def _client(client, role, **kwargs):
    client.force_login(user_with_role(role, **kwargs))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def admin(client, scored):
    return _client(client, "admin")


def _post(changes: dict[str, tuple[str, str]] | None = None, **extra) -> dict:
    """The form as the page fills it (version 1's targets), with some changed."""
    data = {"effective_from": "2026-09", "reason": "新计划"}
    indicators = list(Indicator.objects.filter(active=True))
    for code, target in targets_of(ABSOLUTE, indicators).items():
        data[f"floor_{code}"], data[f"target_{code}"] = f"{target.floor:g}", f"{target.target:g}"
    for code, (floor, target) in (changes or {}).items():
        data[f"floor_{code}"], data[f"target_{code}"] = floor, target
    return {**data, **extra}


def _save(client, data, capture):
    url = reverse("scoring:target_new")
    token = client.post(url, {**data, "action": "preview"}).context["previewed"]
    with capture(execute=True):
        return client.post(url, {**data, "action": "save", "previewed": token})


# --- The page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_targets_in_force_and_their_history(admin, scored):
    page = admin.get(reverse("scoring:target_list")).content.decode()
    safety = Indicator.objects.get(code="safety")
    row = page.split(safety.name_en)[1].split("</tr>")[0]
    assert "pts" in row and "higher is better" in row
    assert ">60<" in row and ">95<" in row  # floor, target
    outage = page.split("Fault outage index")[1].split("</tr>")[0]
    assert "lower is better" in outage and ">8<" in outage and ">0.5<" in outage
    assert "is relative" not in page  # the method is absolute
    assert reverse("scoring:target_new") in page  # an administrator may change them
    history = page.split("Changes of the targets")[1]
    assert reverse("scoring:method_detail", args=[scored.plan.version]) in history
    assert "计划值" in history and "2026-08" in history
    assert "command line" in history  # saved without a user


@pytest.mark.django_db
def test_the_page_says_when_the_method_in_force_is_relative(admin, scored):
    create_method_version(
        company=scored,
        method=LEAGUE_TABLE,
        effective_from=SEPTEMBER,
        reason="league table",
        recompute=False,
    )
    page = admin.get(reverse("scoring:target_list")).content.decode()
    assert "The method in force (minmax/quotas) is relative" in page
    assert "targets do not count: choose absolute scoring on the grading rules page" in page
    # The league table names no goalposts: the valid range stands in, and the history says so.
    assert "(valid range: no target set)" in page
    league = reverse("scoring:method_detail", args=[_newest(scored).version])
    assert league in page.split("Changes of the targets")[1]


@pytest.mark.django_db
def test_the_committee_reads_the_targets_but_has_no_form(client, scored):
    committee = _client(client, "party_committee")
    page = committee.get(reverse("scoring:target_list"))
    assert page.status_code == 200 and ">95<" in page.content.decode()
    assert reverse("scoring:target_new") not in page.content.decode()
    assert committee.get(reverse("scoring:target_new")).status_code == 403


@pytest.mark.django_db
def test_station_staff_are_refused(client, scored):
    station = scored.counties.get().stations.first()
    staff = _client(client, "station_staff", station=station)
    assert staff.get(reverse("scoring:target_list")).status_code == 403
    assert staff.get(reverse("scoring:target_new")).status_code == 403


@pytest.mark.django_db
def test_the_grading_rules_pages_and_the_header_lead_to_the_targets(admin, scored):
    target_url = reverse("scoring:target_list")
    detail = reverse("scoring:method_detail", args=[scored.plan.version])
    for url in (reverse("scoring:methods"), detail):
        assert target_url in admin.get(url).content.decode(), url
    header = admin.get(reverse("mapviews:map")).content.decode().split("</header>")[0]
    assert target_url in header


# --- The form -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"safety": ("98", "60")},
            "Work safety index: higher is better, so the target (60) must be above the floor (98)",
        ),
        (
            {"fault_outage": ("0.5", "8")},
            "Fault outage index: lower is better, so the target (8) must be below the floor (0.5)",
        ),
        ({"safety": ("70", "70")}, "Work safety index: the floor and the target must differ"),
        (
            {"safety": ("60", "120")},
            "Work safety index: the target (120) is outside the valid range 0 to 100",
        ),
        (
            {"line_loss": ("150", "3")},
            "Line loss index: the floor (150) is outside the valid range -10 to 100",
        ),
        ({"safety": ("NaN", "98")}, "Enter a number."),
        ({"safety": ("60", "Infinity")}, "Enter a number."),
        ({"safety": ("", "98")}, "This field is required."),
    ],
)
def test_bad_targets_are_refused_with_a_message_per_indicator(admin, scored, changes, message):
    response = admin.post(reverse("scoring:target_new"), _post(changes, action="save"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _newest(scored) == scored.plan  # nothing saved


@pytest.mark.django_db
def test_two_bad_indicators_each_get_their_own_message(admin, scored):
    changes = {"safety": ("98", "60"), "integrity_risk": ("2", "25")}
    page = admin.post(reverse("scoring:target_new"), _post(changes, action="preview"))
    text = page.content.decode()
    assert "Work safety index: higher is better" in text
    assert "Integrity risk index: lower is better" in text


@pytest.mark.django_db
def test_preview_then_save_makes_the_version_with_these_targets_and_the_rest_kept(
    admin, scored, django_capture_on_commit_callbacks
):
    changes = {"safety": ("50", "95"), "fault_outage": ("6", "1")}
    shown = admin.post(reverse("scoring:target_new"), _post(changes, action="preview"))
    assert shown.status_code == 200, shown.context["form"].errors
    text = shown.content.decode()
    assert "2026-09 as published → under the new targets" in text
    assert _newest(scored) == scored.plan  # a preview saves nothing
    assert shown.context["comparison"].period == SEPTEMBER

    saved = _save(admin, _post(changes), django_capture_on_commit_callbacks)
    version = _newest(scored)
    assert version.version == scored.plan.version + 1 and saved.status_code == 302
    assert saved["Location"] == reverse("scoring:method_detail", args=[version.version])
    assert version.effective_from == SEPTEMBER and version.reason == "新计划"
    method = ScoringMethod.from_record(version.params)
    assert method.goalposts_for("safety") == (50.0, 95.0)
    assert method.goalposts_for("fault_outage") == (1.0, 6.0)  # lower is better
    assert method.goalposts_for("line_loss") == (3.0, 9.0)  # as it was
    # Everything else is the method in force, unchanged.
    assert method.as_record() | {"goalposts": {}} == ABSOLUTE.as_record() | {"goalposts": {}}
    # The published month waits for review; the version's page shows its targets.
    proposal = ScoreRun.objects.get(period=SEPTEMBER, method_version=version)
    assert proposal.status == RunStatus.DONE and not proposal.is_current
    detail = admin.get(saved["Location"]).content.decode()
    row = detail.split("Targets of this version")[1].split("Work safety index")[1]
    assert ">60<" in row.split("</tr>")[0] and ">50<" in row.split("</tr>")[0]
    # The audit trail has it, with the goalposts before and after.
    entry = AuditEntry.objects.get(action=Action.METHOD_CREATED, reason="新计划")
    assert entry.before["params"]["goalposts"]["safety"] == [60.0, 95.0]
    assert entry.after["params"]["goalposts"]["safety"] == [50.0, 95.0]


@pytest.mark.django_db
def test_a_double_save_saves_once(admin, scored):
    url = reverse("scoring:target_new")
    data = _post({"safety": ("50", "95")})
    token = admin.post(url, {**data, "action": "preview"}).context["previewed"]
    changed = admin.post(url, {**data, "target_safety": "96", "action": "save", "previewed": token})
    assert changed.status_code == 200  # not what the preview showed: shown again
    assert "Check this preview before saving" in changed.content.decode()
    first = admin.post(url, {**data, "action": "save", "previewed": token})
    again = admin.post(url, {**data, "action": "save", "previewed": token})
    assert first.status_code == 302 and again.status_code == 200
    assert _newest(scored).version == scored.plan.version + 1


@pytest.mark.django_db
def test_targets_are_refused_from_a_month_graded_by_a_relative_method(admin, scored):
    create_method_version(
        company=scored,
        method=LEAGUE_TABLE,
        effective_from=SEPTEMBER,
        reason="league table",
        recompute=False,
    )
    versions = MethodVersion.objects.filter(company=scored).count()
    for action in ("preview", "save"):
        page = admin.post(reverse("scoring:target_new"), _post(action=action))
        text = page.content.decode()
        assert page.status_code == 200
        assert "are relative (minmax/quotas): targets count only under absolute scoring" in text
        assert "comparison" not in page.context or page.context["comparison"] is None
    assert MethodVersion.objects.filter(company=scored).count() == versions


# --- The command line -----------------------------------------------------------------


def _command(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_set_targets_saves_a_version_and_keeps_the_targets_not_listed(
    scored, write_file, django_capture_on_commit_callbacks
):
    path = write_file(
        "targets.csv",
        "indicator_code,floor,target\nsafety,50,95\nFAULT_OUTAGE,6,1\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        output = _command("set_targets", str(path), "--from", "2026-09", "--reason", "新计划")
    version = _newest(scored)
    assert version.version == scored.plan.version + 1
    saved = f"Saved the targets of 2 indicators as method version {version.version} (goalposts/"
    assert saved in output and "Recompute requested for 1 months: 2026-09" in output
    method = ScoringMethod.from_record(version.params)
    assert method.goalposts_for("safety") == (50.0, 95.0)
    assert method.goalposts_for("fault_outage") == (1.0, 6.0)
    assert dict(method.goalposts) | {"safety": 0, "fault_outage": 0} == dict(ABSOLUTE.goalposts) | {
        "safety": 0,
        "fault_outage": 0,
    }
    assert method.caps == ABSOLUTE.caps and method.thresholds == ABSOLUTE.thresholds
    assert version.reason == "新计划"
    # As set_method does, the command line publishes the re-grade at once.
    current = ScoreRun.objects.get(company=scored, period=SEPTEMBER, is_current=True)
    assert current.method_version == version


@pytest.mark.django_db
def test_set_targets_names_every_defect_with_its_line_and_saves_nothing(scored, write_file):
    Indicator.objects.filter(code="team_performance").update(active=False, retired_from=SEPTEMBER)
    path = write_file(
        "targets.csv",
        "indicator_code,floor,target\n"
        "speed,1,2\n"  # 2
        "safety,60,98\n"  # 3
        "safety,50,95\n"  # 4
        "line_loss,nine,3\n"  # 5
        "customer_satisfaction,90,90\n"  # 6
        "fault_outage,0.5,8\n"  # 7
        "financial,70,130\n"  # 8
        "team_performance,70,110\n",  # 9
    )
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_targets", str(path), "--from", "2026-09")
    message = str(caught.value)
    assert "targets.csv was rejected, nothing was written (7 problems)" in message
    assert "line 2, column indicator_code: unknown indicator code 'speed'" in message
    assert "line 4, column indicator_code: safety was already given on line 3" in message
    assert "line 5, column floor: 'nine' is not a number" in message
    assert "line 6: customer_satisfaction: the floor and the target must differ" in message
    assert "line 7: fault_outage: lower is better, so the target (8) must be below" in message
    assert "line 8: financial: the target (130) is outside the valid range 0 to 120" in message
    assert "line 9, column indicator_code: indicator team_performance is retired" in message
    assert _newest(scored) == scored.plan  # nothing saved


@pytest.mark.django_db
def test_set_targets_refuses_a_file_without_its_columns(scored, write_file):
    path = write_file("t.csv", "code,low,high\nsafety,60,98\n")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_targets", str(path), "--effective-from", "2026-09")
    assert "the column 'floor' is missing" in str(caught.value)
    assert _newest(scored) == scored.plan  # nothing saved


@pytest.mark.django_db
def test_set_targets_reads_an_xlsx_file(scored, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["indicator_code", "floor", "target"])
    sheet.append(["line_loss", 10, 2.5])
    path = tmp_path / "targets.xlsx"
    book.save(path)
    _command("set_targets", str(path), "--from", "2026-10")
    version = _newest(scored)
    assert version.version == scored.plan.version + 1
    assert ScoringMethod.from_record(version.params).goalposts_for("line_loss") == (2.5, 10.0)
    assert version.reason == f"set_targets from {path}"


@pytest.mark.django_db
def test_set_targets_refuses_a_month_graded_by_a_relative_method(scored, write_file):
    create_method_version(
        company=scored, method=LEAGUE_TABLE, effective_from=SEPTEMBER, reason="r", recompute=False
    )
    versions = MethodVersion.objects.filter(company=scored).count()
    path = write_file("targets.csv", "indicator_code,floor,target\nsafety,50,95\n")
    with pytest.raises(CommandError, match="targets count only under absolute scoring"):
        _command("set_targets", str(path), "--from", "2026-10")
    assert MethodVersion.objects.filter(company=scored).count() == versions


@pytest.mark.django_db
def test_the_targets_preview_lists_every_month_saving_regrades(admin, scored):
    from tests.scoring.test_preview_months import _table

    changes = {"safety": ("70", "95")}
    page = admin.post(
        reverse("scoring:target_new"),
        {**_post(changes, action="preview"), "effective_from": "2026-08"},
    )
    assert list(_table(page.content.decode())) == ["2026-08", "2026-09"]
