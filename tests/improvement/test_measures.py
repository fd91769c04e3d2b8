"""Improvement measures: who may add and change them, what is checked, what is kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from improvement.models import CheckIn, Measure, MeasureStatus
from tests.mapviews.months import OCTOBER, SEPTEMBER

pytestmark = pytest.mark.django_db


def _new_url(code: str = "S1") -> str:
    return reverse("improvement:measure_new", args=[code]) + "?period=2026-09"


def _post(**changes) -> dict:
    data = {
        "title": "Line inspections every week",
        "owner": "王旭东",
        "due_month": "2026-12",
        "details": "",
        "use_safety": "on",
        "cause_safety": "station",
        "note_safety": "two crews short",
        "cause_line_loss": "unknown",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_secretary_adds_a_measure_with_a_cause_per_indicator(login, people, scored):
    client = login(people["secretary"])
    page = client.get(_new_url())
    assert page.status_code == 200
    # In September S1 (10 on every indicator, the lowest) is yellow where higher is
    # better and red where lower is: the yellow ones start ticked.
    initial = page.context["form"].initial
    assert initial["use_safety"] is True and "use_line_loss" not in initial
    assert initial["due_month"] == OCTOBER.replace(month=12)

    response = client.post(_new_url(), _post())
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:measure_detail", args=[measure.pk])
    assert (measure.station, measure.based_on, measure.status) == (
        scored[0],
        SEPTEMBER,
        MeasureStatus.PLANNED,
    )
    assert measure.created_by == people["secretary"]
    links = [(link.indicator.code, link.cause, link.cause_note) for link in measure.links.all()]
    assert links == [("safety", "station", "two crews short")]


def test_another_stations_secretary_and_plain_staff_cannot_add(login, people):
    assert login(people["other_secretary"]).post(_new_url(), _post()).status_code == 403
    assert login(people["staff"]).post(_new_url(), _post()).status_code == 403
    assert Measure.objects.count() == 0


def test_the_committee_adds_for_any_station(login, people):
    response = login(people["committee"]).post(_new_url("S2"), _post())
    assert response.status_code == 302
    assert Measure.objects.get().station.code == "S2"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"use_safety": None}, "indicators", "Choose at least one indicator"),
        ({"due_month": "2026-08"}, "due_month", "cannot be before the month it is based on"),
        ({"due_month": "Dec 2026"}, "due_month", "Enter the month as YYYY-MM"),
        ({"cause_safety": "weather"}, "cause_safety", "Select a valid choice"),
    ],
)
def test_a_bad_measure_is_refused_with_the_reason_and_nothing_saved(
    login, people, changes, field, message
):
    response = login(people["secretary"]).post(_new_url(), _post(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    key = field if field in errors else "__all__"
    assert message in " ".join(errors[key])
    assert message in response.content.decode()
    assert Measure.objects.count() == 0


def _measure(station, **kwargs) -> Measure:
    from improvement.services import IndicatorCause, MeasureFields, create_measure

    return create_measure(
        station=station,
        fields=MeasureFields(title="Fix feeders", owner="班组长", due_month=OCTOBER),
        based_on=SEPTEMBER,
        causes=[IndicatorCause("safety", "external"), IndicatorCause("line_loss")],
        **kwargs,
    )


def test_a_check_in_can_change_the_status_and_keeps_it_in_the_history(login, people, scored):
    measure = _measure(scored[0])
    url = reverse("improvement:measure_check_in", args=[measure.pk])
    client = login(people["secretary"])
    response = client.post(url, {"note": "Crews hired", "new_status": "in_progress"})
    assert response.status_code == 302
    client.post(url, {"note": "Still at it", "new_status": ""})
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS
    notes = list(CheckIn.objects.order_by("pk").values_list("note", "new_status", "created_by"))
    assert notes == [
        ("Crews hired", "in_progress", people["secretary"].pk),
        ("Still at it", "", people["secretary"].pk),
    ]
    page = client.get(reverse("improvement:measure_detail", args=[measure.pk])).content.decode()
    assert "status set to in progress" in page and "Still at it" in page


def test_an_empty_check_in_is_refused(login, people, scored):
    measure = _measure(scored[0])
    url = reverse("improvement:measure_check_in", args=[measure.pk])
    response = login(people["secretary"]).post(url, {"note": " ", "new_status": "done"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and CheckIn.objects.count() == 0


def test_editing_replaces_the_indicators_and_their_causes(login, people, scored):
    measure = _measure(scored[0])
    url = reverse("improvement:measure_edit", args=[measure.pk])
    data = _post(title="Fix feeders faster", use_safety=None, use_line_loss="on")
    data["cause_line_loss"] = "external"
    response = login(people["committee"]).post(url, data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Fix feeders faster"
    assert [(link.indicator.code, link.cause) for link in measure.links.all()] == [
        ("line_loss", "external")
    ]


def test_the_measure_page_shows_what_the_data_did_since(login, people, scored):
    measure = _measure(scored[0])
    response = login(people["staff"]).get(reverse("improvement:measure_detail", args=[measure.pk]))
    outcome = response.context["outcome"]
    # S1: yellow in September (40 of 40/50/60), orange in October (60 of 60/40).
    assert [(period, grade.code) for period, grade, _ in outcome] == [
        (SEPTEMBER, "yellow"),
        (OCTOBER, "orange"),
    ]
    # safety (higher is better) then line_loss (lower is better): S1 has the lowest
    # value in September (10 of 10/20/30) and the highest in October (30 of 30/20).
    assert [[cell.code for cell in cells] for _, _, cells in outcome] == [
        ["yellow", "red"],
        ["orange", "green"],
    ]
    # Staff read, but do not get the forms.
    assert response.context["check_in_form"] is None
    assert reverse("improvement:measure_edit", args=[measure.pk]) not in response.content.decode()


def test_the_station_page_lists_the_work_for_those_who_see_its_detail(login, people, scored):
    measure = _measure(scored[0])
    url = reverse("mapviews:station", args=["S1"])
    own = login(people["staff"]).get(url)
    assert own.context["records"].measures == [measure]
    html = own.content.decode()
    assert "Fix feeders" in html and "Work began" in html
    # The month after September's grades is when the measure began.
    october = next(cell for cell in own.context["strip_cells"] if cell[0] == "2026-10")
    assert october[3] == [("measure", measure)]
    other = login(people["other_secretary"]).get(url).content.decode()
    assert "Fix feeders" not in other and "Improvement work" not in other


def test_a_measure_follows_a_scored_month_only(login, people):
    client = login(people["committee"])
    url = reverse("improvement:measure_new", args=["S1"])
    for month in ("2031-05", "1999-01"):
        response = client.post(f"{url}?period={month}", _post())
        assert response.status_code == 404
        assert "This month has no scores." in response.content.decode()
    assert Measure.objects.count() == 0


def test_the_same_form_sent_twice_records_once(login, people, scored):
    client = login(people["secretary"])
    first = client.post(_new_url(), _post())
    second = client.post(_new_url(), _post())
    measure = Measure.objects.get()
    assert first["Location"] == second["Location"]
    url = reverse("improvement:measure_check_in", args=[measure.pk])
    for _twice in range(2):
        client.post(url, {"note": "Crews hired", "new_status": "in_progress"})
    assert measure.check_ins.count() == 1
    # Another measure with other values is another record.
    client.post(_new_url(), _post(title="Weekly line patrols"))
    assert Measure.objects.count() == 2


@pytest.mark.parametrize("name", ["measure_detail", "measure_edit", "measure_check_in"])
def test_another_stations_secretary_is_told_why_not(login, people, scored, name):
    measure = _measure(scored[0])
    client = login(people["other_secretary"])
    url = reverse(f"improvement:{name}", args=[measure.pk])
    response = client.post(url, {"note": "x"}) if name == "measure_check_in" else client.get(url)
    assert response.status_code == 403
    page = response.content.decode()
    station = scored[0].name
    if name == "measure_detail":
        assert f"The improvement work of {station} is shown to its own staff" in page
    else:
        assert f"Only the branch secretary of {station}, the party committee" in page
    assert CheckIn.objects.count() == 0


def test_a_month_shows_the_work_as_of_that_month(login, people, scored):
    """A measure based on October's grades was not being done in September; one closed in
    October still was."""
    from improvement.selectors import work_by_station

    later = _measure(scored[0])
    Measure.objects.filter(pk=later.pk).update(based_on=OCTOBER)
    closed = _measure(scored[0])
    from improvement.services import add_check_in

    add_check_in(measure=closed, note="Done", new_status="done")
    september = work_by_station([scored[0].pk], SEPTEMBER)[scored[0].pk]
    october = work_by_station([scored[0].pk], OCTOBER)[scored[0].pk]
    assert september.measures == [closed]  # closed this month (the test runs in 2026-12)
    assert later in october.measures
    CheckIn.objects.filter(measure=closed).update(created_at="2026-09-15T10:00:00+08:00")
    assert work_by_station([scored[0].pk], OCTOBER)[scored[0].pk].measures == [later]


def test_no_work_column_on_a_station_page_without_work(login, people):
    html = login(people["staff"]).get(reverse("mapviews:station", args=["S1"])).content.decode()
    assert "Work began" not in html and "▲ marks the months" not in html
    assert "No improvement work recorded for this station." in html
