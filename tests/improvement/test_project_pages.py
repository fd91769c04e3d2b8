"""The secretary-project pages: who may start, read and change a project, the rules a new
project must meet (nothing is saved when one fails), progress read from the scored months,
milestones and check-ins."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from improvement.models import CheckIn, Milestone, ProjectStatus, SecretaryProject
from scoring.engine.grades import grade_position
from scoring.models import StationScore
from tests.factories import ProjectFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER

NOVEMBER = date(2026, 11, 1)


# ``scored`` (tests/improvement/conftest.py): September S1 10, S2 20, S3 30; October S1 30,
# S2 20 (S3 no data). On the higher-is-better indicators (safety …) S1 is the weakest in
# September.


@pytest.fixture
def people(scored):
    s1, s2, _s3 = scored
    return {
        "secretary": user_with_role(
            "station_secretary", station=s1, first_name="娟", last_name="李"
        ),
        "other_secretary": user_with_role("station_secretary", station=s2),
        "staff": user_with_role("station_staff", station=s1),
        "other_staff": user_with_role("station_staff", station=s2),
        "committee": user_with_role("party_committee"),
    }


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def new_url(code: str = "S1") -> str:
    return reverse("improvement:project_new", args=[code])


def form_data(people, **changes) -> dict:
    data = {
        "indicator": "safety",
        "start_month": "2026-10",
        "goal_grade": "blue",
        "goal_month": "2027-01",
        "title": "Safety first",
        "plan": "Weekly drills.",
        "secretary": people["secretary"].pk,
    }
    return data | changes


@pytest.fixture
def project(scored, people):
    return ProjectFactory(
        station=scored[0],
        secretary=people["secretary"],
        title="Safety first",
        plan="Weekly drills.",
        goal_month=date(2027, 1, 1),
    )


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_secretary_starts_a_project_for_their_own_station_only(client, people):
    english(client, people["secretary"])
    page = client.get(new_url())
    assert page.status_code == 200
    assert page.context["form"].initial["secretary"] == people["secretary"].pk  # preselected
    response = client.post(new_url(), form_data(people))
    project = SecretaryProject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:project_detail", args=[project.pk])
    assert (project.station.code, project.indicator.code, project.goal_grade) == (
        "S1",
        "safety",
        "blue",
    )
    assert (project.start_month, project.goal_month) == (OCTOBER, date(2027, 1, 1))
    assert project.created_by == people["secretary"]
    assert project.status == ProjectStatus.ACTIVE

    assert client.get(new_url("S2")).status_code == 403
    other = form_data(people, secretary=people["other_secretary"].pk)
    assert client.post(new_url("S2"), other).status_code == 403
    assert SecretaryProject.objects.count() == 1


@pytest.mark.django_db
def test_the_committee_starts_a_project_naming_the_stations_secretary(client, people):
    english(client, people["committee"])
    page = client.get(new_url())
    choices = list(page.context["form"].fields["secretary"].queryset)
    assert choices == [people["secretary"]]  # S2's secretary is not offered for S1
    assert page.context["form"].initial["secretary"] == people["secretary"].pk  # the only one
    response = client.post(new_url(), form_data(people))
    assert response.status_code == 302
    project = SecretaryProject.objects.get()
    assert (project.secretary, project.created_by) == (people["secretary"], people["committee"])


@pytest.mark.django_db
def test_staff_read_their_stations_project_but_cannot_change_it(client, people, project):
    detail = reverse("improvement:project_detail", args=[project.pk])
    english(client, people["staff"])
    page = client.get(detail)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Safety first" in content and "Weekly drills." in content
    assert "Record the check-in" not in content and "Add the milestone" not in content
    assert reverse("improvement:project_edit", args=[project.pk]) not in content
    assert client.get(reverse("improvement:project_edit", args=[project.pk])).status_code == 403
    check_in = reverse("improvement:project_check_in", args=[project.pk])
    assert client.post(check_in, {"note": "n"}).status_code == 403
    add = reverse("improvement:milestone_add", args=[project.pk])
    assert client.post(add, {"title": "t", "due_month": "2026-11"}).status_code == 403
    assert (CheckIn.objects.count(), Milestone.objects.count()) == (0, 0)
    assert client.get(new_url()).status_code == 403

    english(client, people["other_staff"])
    assert client.get(detail).status_code == 403  # another station's staff
    english(client, people["other_secretary"])
    assert client.get(detail).status_code == 403
    assert client.post(check_in, {"note": "n"}).status_code == 403


@pytest.mark.django_db
def test_a_station_without_a_secretary_says_an_administrator_must_name_one(client, people):
    english(client, people["committee"])
    page = client.get(new_url("S3"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "has no secretary account yet" in content
    assert "An administrator must first give someone" in content
    assert "Start the project" not in content  # no form to fill in for nothing
    client.post(new_url("S3"), form_data(people, secretary=""))
    assert SecretaryProject.objects.count() == 0


# --- The rules of a new project ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"goal_month": "2026-09"},
            "goal_month",
            "The goal month cannot be before the first month.",
        ),
        (  # S1 is the best on fault outages (lower is better) in September
            {"indicator": "fault_outage"},
            "goal_grade",
            "at or above the goal",
        ),
        ({"title": "  ", "plan": ""}, "title", "Give the project a title."),
        ({"title": "", "indicator": "fault_outage"}, "goal_grade", "at or above the goal"),
        ({"secretary": ""}, "secretary", "Choose the secretary who leads the project."),
        ({"goal_grade": "yellow"}, "goal_grade", "Select a valid choice."),
        ({"goal_month": "2027-13"}, "goal_month", "Enter the month as YYYY-MM"),
        ({"indicator": "nonsense"}, "indicator", "Select a valid choice."),
        (  # no published month before it: no baseline to measure from
            {"start_month": "2020-01", "goal_month": "2020-06"},
            "start_month",
            "A project starts the month after a published month (its baseline): at the "
            "latest 2026-11.",
        ),
        (  # October is the latest published month
            {"start_month": "2026-10", "goal_month": "2026-10"},
            "goal_month",
            "The goal month must come after 2026-10, the latest published month.",
        ),
    ],
)
def test_a_project_that_breaks_a_rule_is_not_saved(client, people, changes, field, message):
    english(client, people["secretary"])
    response = client.post(new_url(), form_data(people, **changes))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert SecretaryProject.objects.count() == 0


@pytest.mark.django_db
def test_a_secretary_of_another_station_cannot_be_named(client, people):
    english(client, people["committee"])
    response = client.post(new_url(), form_data(people, secretary=people["other_secretary"].pk))
    assert response.status_code == 200
    assert "secretary" in response.context["form"].errors
    assert SecretaryProject.objects.count() == 0


@pytest.mark.django_db
def test_one_active_project_per_station_and_indicator(client, people, project):
    english(client, people["secretary"])
    page = client.get(new_url())
    assert page.context["form"].initial["indicator"] != "safety"  # taken: not preselected
    assert "already has an active project:" in page.content.decode()
    response = client.post(new_url(), form_data(people))
    assert response.status_code == 200
    assert "already has an active project on" in " ".join(
        response.context["form"].errors["indicator"]
    )
    assert SecretaryProject.objects.count() == 1
    # Once it is stopped, the indicator is free again.
    project.status = ProjectStatus.STOPPED
    project.save()
    assert client.post(new_url(), form_data(people)).status_code == 302
    assert SecretaryProject.objects.filter(status=ProjectStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_the_new_form_offers_the_weakest_indicator_and_the_month_after_the_latest(client, people):
    english(client, people["secretary"])
    page = client.get(new_url())
    options = page.context["options"]
    # October: S1 (30) beats S2 (20) on the higher-is-better indicators and is the worse
    # on the lower-is-better ones, which come first.
    weakest = options[0]
    assert weakest.indicator.direction == "lower"
    assert all((option.grade.position or 0) <= (weakest.grade.position or 0) for option in options)
    initial = page.context["form"].initial
    assert initial["indicator"] == weakest.indicator.code
    assert initial["start_month"] == NOVEMBER
    assert initial["goal_month"] == date(2027, 4, 1)  # six months
    asked = client.get(new_url(), {"indicator": "safety"}).context["form"].initial
    assert asked["indicator"] == "safety"


# --- Progress from the data --------------------------------------------------------------


@pytest.mark.django_db
def test_the_progress_table_reads_the_scored_months(client, people, project):
    english(client, people["staff"])
    page = client.get(reverse("improvement:project_detail", args=[project.pk]))
    rows = page.context["rows"]
    assert [row["period"] for row in rows] == ["2026-09", "2026-10"]
    assert [row["is_baseline"] for row in rows] == [True, False]
    blue = grade_position("blue")
    for row, month in zip(rows, (SEPTEMBER, OCTOBER), strict=True):
        stored = StationScore.objects.select_related("run").get(
            station=project.station, period=month, run__is_current=True
        )
        bars = stored.run.summary["indicator_thresholds"]["safety"]
        assert row["value"] == stored.normalised["safety"]
        assert row["goal_threshold"] == bars[blue]
    # S1 was the weakest of three in September and the best of two in October.
    assert rows[0]["value"] == 0.0 and rows[0]["grade"].code == "yellow"
    assert rows[1]["value"] == 100.0 and rows[1]["grade"].position <= blue
    text = page.context["progress_text"]
    assert text.state == "reached"
    assert text.sentence.startswith("Goal reached: Work safety index is")
    assert "+100.0 on its 0–100 scale since 2026-09" in text.sentence
    content = page.content.decode()
    assert "at least" in content and "by 2027-01" in content
    assert 'id="project-progress-figure"' in content  # the chart's data


@pytest.mark.django_db
def test_a_project_whose_months_are_not_published_yet_is_waiting(client, people, project):
    project.start_month = NOVEMBER
    project.goal_month = date(2027, 3, 1)
    project.save()
    english(client, people["secretary"])
    page = client.get(reverse("improvement:project_detail", args=[project.pk]))
    assert page.context["progress_text"].state == "waiting"
    assert [row["period"] for row in page.context["rows"]] == ["2026-10"]  # the baseline
    assert page.context["chart"] is None  # one point is no line
    assert "Waiting for data: no month from 2026-11 on" in page.content.decode()


# --- Milestones and check-ins -------------------------------------------------------------


@pytest.mark.django_db
def test_milestones_are_added_and_marked_done_and_undone(client, people, project):
    english(client, people["secretary"])
    add = reverse("improvement:milestone_add", args=[project.pk])
    empty = client.post(add, {})
    assert empty.status_code == 200
    assert empty.context["milestone_form"].errors
    assert Milestone.objects.count() == 0
    early = client.post(add, {"title": "Drill", "due_month": "2026-09"})
    assert "cannot be before the project&#x27;s first month" in early.content.decode()
    late = client.post(add, {"title": "Drill", "due_month": "2027-02"})
    assert "A milestone falls due by the project&#x27;s goal month, 2027-01." in (
        late.content.decode()
    )
    assert Milestone.objects.count() == 0

    response = client.post(add, {"title": "First drill", "due_month": "2026-10"})
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.title, milestone.due_month, milestone.done_on) == (
        "First drill",
        OCTOBER,
        None,
    )
    detail = client.get(reverse("improvement:project_detail", args=[project.pk]))
    shown = detail.context["milestones"][0]
    assert shown.overdue is (timezone.localdate().replace(day=1) > OCTOBER)

    done = reverse("improvement:milestone_done", args=[milestone.pk])
    marked = client.post(done, {"done": "1"}, follow=True)
    assert "“First drill” is done." in marked.content.decode()
    assert client.post(add, {"title": "First drill", "due_month": "2026-10"}).status_code == 200
    assert Milestone.objects.count() == 1  # the same milestone twice: refused
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    client.post(done, {"done": "0"})
    milestone.refresh_from_db()
    assert milestone.done_on is None

    english(client, people["staff"])
    assert client.post(done, {"done": "1"}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.done_on is None


@pytest.mark.django_db
def test_a_check_in_with_a_status_change_is_recorded_on_both(client, people, project):
    english(client, people["secretary"])
    url = reverse("improvement:project_check_in", args=[project.pk])
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert empty.context["check_in_form"].errors["note"] == ["This field is required."]
    assert CheckIn.objects.count() == 0

    response = client.post(url, {"note": "Blue reached, done.", "new_status": "completed"})
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    project.refresh_from_db()
    assert (check_in.project, check_in.new_status, check_in.note) == (
        project,
        "completed",
        "Blue reached, done.",
    )
    assert check_in.created_by == people["secretary"]
    assert project.status == ProjectStatus.COMPLETED
    page = client.get(reverse("improvement:project_detail", args=[project.pk])).content.decode()
    assert "Blue reached, done." in page and "status set to completed" in page

    client.post(url, {"note": "A note only."})
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert list(CheckIn.objects.values_list("new_status", flat=True)) == ["", "completed"]


@pytest.mark.django_db
def test_a_project_is_not_set_active_again_beside_another_active_one(client, people, project):
    project.status = ProjectStatus.STOPPED
    project.save()
    ProjectFactory(
        station=project.station,
        secretary=people["secretary"],
        title="Second go",
        start_month=NOVEMBER,
        goal_month=date(2027, 3, 1),
    )
    english(client, people["secretary"])
    url = reverse("improvement:project_check_in", args=[project.pk])
    response = client.post(url, {"note": "Again", "new_status": "active"})
    assert response.status_code == 200
    assert "already has an active project on" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.STOPPED
    assert CheckIn.objects.count() == 0


# --- Editing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_indicator_can_change_until_the_first_check_in(client, people, project):
    english(client, people["secretary"])
    url = reverse("improvement:project_edit", args=[project.pk])
    data = form_data(people, indicator="customer_satisfaction", title="Happier customers")
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.indicator.code, project.title) == ("customer_satisfaction", "Happier customers")

    CheckIn.objects.create(project=project, note="started")
    page = client.get(url)
    assert "indicator" not in page.context["form"].fields
    assert "cannot change once someone has checked in" in page.content.decode()
    data = form_data(people, indicator="safety", goal_month="2027-02", title="Renamed")
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.indicator.code, project.goal_month, project.title) == (
        "customer_satisfaction",
        date(2027, 2, 1),
        "Renamed",
    )


@pytest.mark.django_db
def test_an_edit_breaking_a_rule_changes_nothing(client, people, project):
    english(client, people["committee"])
    url = reverse("improvement:project_edit", args=[project.pk])
    response = client.post(url, form_data(people, goal_month="2026-09", title="Changed"))
    assert response.status_code == 200
    assert "goal_month" in response.context["form"].errors
    project.refresh_from_db()
    assert (project.title, project.goal_month) == ("Safety first", date(2027, 1, 1))


@pytest.mark.django_db
def test_the_project_page_reads_in_as_many_queries_however_long_its_history(
    client, people, project, settings
):
    english(client, people["staff"])
    url = reverse("improvement:project_detail", args=[project.pk])
    settings.PAGE_BODY_SECONDS = 0  # nothing kept: the page's own queries each time

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        CheckIn.objects.create(project=project, note=f"n{n}", created_by=people["secretary"])
        project.milestones.create(title=f"m{n}", due_month=NOVEMBER)
    assert count() == before
