"""The department-help page: who helps which station on which indicator, accepting rows,
help in force and ending it early (the month of pairing_month.py: 梅林 is graded yellow
on safety, 横溪 on customer satisfaction)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from improvement.models import DepartmentHelp
from indicators.models import Indicator
from tests.factories import CompanyFactory, DepartmentHelpFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER

URL = reverse("improvement:help")
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)


def key(stations, name, code):
    return f"{stations[f'{name}供电所'].pk}:{code}"


def accept(client, rows, **extra):
    data = {"rows": rows, "start_month": "2026-10", "end_month": "2026-12", "note": ""}
    return client.post(URL + "?period=2026-09", data | extra)


def help_row(stations, name="梅林", code="safety", start=OCTOBER, end=DECEMBER):
    station = stations[f"{name}供电所"]
    return DepartmentHelpFactory(
        station=station, start_month=start, end_month=end, department="安全监察部",
        indicator=Indicator.objects.get(code=code),
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("station_staff", 403), ("station_secretary", 403), ("party_committee", 200), ("admin", 200)],
)
def test_only_the_committee_and_admins_open_the_page(client, stations, role, status):
    client.force_login(user_with_role(role, station=stations["梅林供电所"]))
    assert client.get(URL, {"period": "2026-09"}).status_code == status
    posted = accept(client, [key(stations, "梅林", "safety")])
    assert posted.status_code == (status if status == 403 else 302)
    assert DepartmentHelp.objects.count() == (0 if status == 403 else 1)


@pytest.mark.django_db
def test_each_station_yellow_on_an_indicator_is_listed_under_its_department(committee, stations):
    response = committee.get(URL, {"period": "2026-09"})

    groups = [
        (
            department,
            [(row.station.name, row.indicator.code, row.value, row.median) for row in rows],
        )
        for department, rows in response.context["plan"].groups
    ]
    assert groups == [
        ("Safety Supervision Dept", [("梅林供电所", "safety", 0.0, 60.0)]),
        ("Marketing Dept", [("横溪供电所", "customer_satisfaction", 0.0, 60.0)]),
    ]
    html = response.content.decode()
    assert "Work safety index" in html and "60.00 pts" in html
    assert "not yet" in html
    form = response.context["form"]
    assert (form["start_month"].value(), form["end_month"].value()) == (OCTOBER, DECEMBER)


@pytest.mark.django_db
def test_in_chinese_the_departments_are_the_chinese_ones(client, stations):
    client.force_login(user_with_role("party_committee"))
    response = client.get(URL, {"period": "2026-09"})
    assert [department for department, _rows in response.context["plan"].groups] == [
        "安全监察部",
        "营销部",
    ]


@pytest.mark.django_db
def test_an_indicator_without_a_department_is_listed_last_and_cannot_be_accepted(
    committee, stations
):
    Indicator.objects.filter(code="safety").update(department="", department_en="")

    response = committee.get(URL, {"period": "2026-09"})
    refused = accept(committee, [key(stations, "梅林", "safety")])

    assert [department for department, _rows in response.context["plan"].groups] == [
        "Marketing Dept",
        None,
    ]
    html = response.content.decode()
    assert "No department set" in html
    assert "assign one on the indicators page" in html
    assert refused.status_code == 200 and DepartmentHelp.objects.count() == 0
    assert refused.context["form"].errors["rows"]


@pytest.mark.django_db
def test_accepting_rows_records_department_help_for_their_months(committee, stations):
    response = accept(
        committee,
        [key(stations, "梅林", "safety"), key(stations, "横溪", "customer_satisfaction")],
        end_month="2027-01",
        note="驻点",
    )

    assert response.status_code == 302 and response["Location"] == URL + "?period=2026-09"
    rows = {
        (item.station.name, item.indicator.code): item
        for item in DepartmentHelp.objects.select_related("station", "indicator")
    }
    assert set(rows) == {("梅林供电所", "safety"), ("横溪供电所", "customer_satisfaction")}
    safety = rows["梅林供电所", "safety"]
    # The department as stored: the indicator's own (Chinese) one, whatever the language.
    assert safety.department == "安全监察部"
    assert rows["横溪供电所", "customer_satisfaction"].department == "营销部"
    assert (safety.based_on, safety.start_month, safety.end_month) == (
        SEPTEMBER,
        OCTOBER,
        date(2027, 1, 1),
    )
    assert safety.note == "驻点" and safety.company == safety.station.county.company
    page = committee.get(response["Location"])
    html = page.content.decode()
    assert (
        "Department help was recorded for 2 stations and indicators; it runs 2026-10 – 2027-01."
        in html
    )
    # Listed in force (in the viewer's language) and marked on the proposal.
    assert [row.department for row in page.context["in_force"]] == [  # in indicator order
        "Safety Supervision Dept",
        "Marketing Dept",
    ]
    assert all(row.in_force is not None for row in page.context["plan"].rows)
    assert "in force, 2026-10 – 2027-01" in html


@pytest.mark.django_db
def test_help_already_in_force_is_not_recorded_again(committee, stations):
    existing = help_row(stations, "梅林", "safety", start=SEPTEMBER, end=OCTOBER)

    response = accept(
        committee,
        [key(stations, "梅林", "safety"), key(stations, "横溪", "customer_satisfaction")],
    )

    assert response.status_code == 302
    assert DepartmentHelp.objects.filter(indicator__code="safety").get() == existing
    assert DepartmentHelp.objects.filter(indicator__code="customer_satisfaction").count() == 1
    html = committee.get(response["Location"]).content.decode()
    assert "Department help was recorded for 1 station and indicator; it runs" in html
    assert (
        "Already in force, not recorded again: 梅林供电所 · Work safety index "
        "(2026-09 – 2026-10)." in html
    )


@pytest.mark.django_db
def test_sending_the_form_twice_records_the_help_once(committee, stations):
    accept(committee, [key(stations, "梅林", "safety")])
    second = accept(committee, [key(stations, "梅林", "safety")])

    assert second.status_code == 302 and DepartmentHelp.objects.count() == 1
    html = committee.get(second["Location"]).content.decode()
    assert "Already in force, not recorded again: 梅林供电所 · Work safety index" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered",
    [
        pytest.param(lambda s, o: key(s, "鄞江", "safety"), id="a station not yellow on it"),
        pytest.param(lambda s, o: key(s, "梅林", "customer_satisfaction"), id="another indicator"),
        pytest.param(lambda s, o: f"{o.pk}:safety", id="another company's station"),
        pytest.param(lambda s, o: "x:y", id="nonsense"),
    ],
)
def test_a_tampered_row_is_refused_and_nothing_saved(committee, stations, tampered):
    other = StationFactory(county=CompanyFactory().counties.create(name="x"))

    response = accept(
        committee, [key(stations, "横溪", "customer_satisfaction"), tampered(stations, other)]
    )

    assert response.status_code == 200 and DepartmentHelp.objects.count() == 0
    assert response.context["form"].errors["rows"]


@pytest.mark.django_db
def test_accepting_needs_a_row_and_months_in_order(committee, stations):
    nothing = accept(committee, [])
    backwards = accept(
        committee, [key(stations, "梅林", "safety")], start_month="2026-11", end_month="2026-10"
    )
    assert DepartmentHelp.objects.count() == 0
    assert nothing.context["form"].errors["rows"] == ["Tick at least one station and indicator."]
    assert backwards.context["form"].errors["end_month"] == [
        "The last month cannot be before the first month."
    ]


@pytest.mark.django_db
def test_ending_help_early_sets_its_last_month(committee, stations):
    item = help_row(stations)

    response = committee.post(
        reverse("improvement:help_end", args=[item.pk]),
        {"end_month": "2026-10", "period": "2026-09"},
    )

    assert response.status_code == 302 and response["Location"] == URL + "?period=2026-09"
    item.refresh_from_db()
    assert item.end_month == OCTOBER
    html = committee.get(response["Location"]).content.decode()
    assert "Safety Supervision Dept → 梅林供电所 · Work safety index now ends in 2026-10." in html


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-09", "2027-01", "nonsense"])
def test_an_end_month_outside_the_help_is_refused(committee, stations, month):
    item = help_row(stations)

    response = committee.post(reverse("improvement:help_end", args=[item.pk]), {"end_month": month})

    assert response.status_code == 302 and response["Location"] == URL
    item.refresh_from_db()
    assert item.end_month == DECEMBER
    html = committee.get(response["Location"]).content.decode()
    assert "Safety Supervision Dept → 梅林供电所 · Work safety index: " in html


@pytest.mark.django_db
def test_station_staff_cannot_end_help(client, stations):
    item = help_row(stations)
    client.force_login(user_with_role("station_secretary", station=stations["梅林供电所"]))
    response = client.post(
        reverse("improvement:help_end", args=[item.pk]), {"end_month": "2026-10"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.end_month == DECEMBER


@pytest.mark.django_db
def test_a_month_not_scored_says_so_and_still_lists_help_in_force(committee, stations):
    help_row(stations)
    response = committee.get(URL, {"period": "2026-05"})
    html = response.content.decode()
    assert "2026-05 has no scores." in html
    assert len(response.context["in_force"]) == 1 and "plan" not in response.context


@pytest.mark.django_db
def test_the_page_reads_in_a_bounded_number_of_queries(
    committee, stations, django_assert_max_num_queries
):
    committee.get(URL, {"period": "2026-09"})
    with django_assert_max_num_queries(18) as few_queries:
        few = committee.get(URL, {"period": "2026-09"})
    for name, code in [("梅林", "safety"), ("横溪", "customer_satisfaction"), ("鄞江", "safety")]:
        help_row(stations, name, code)
    # New rows are new data: the viewer's rights are read again once (config/authbackend).
    committee.get(URL, {"period": "2026-09"})
    with django_assert_max_num_queries(18) as more_queries:
        more = committee.get(URL, {"period": "2026-09"})
    assert len(more_queries) == len(few_queries)  # more rows, no more queries
    assert len(few.context["in_force"]) == 0 and len(more.context["in_force"]) == 3


@pytest.mark.django_db
def test_accepted_help_puts_the_kept_pages_out_of_date(committee, stations):
    """bulk_create sends no model signal: accepting help says itself that the pages kept
    rendered (the review, the station page) must be rendered again."""
    from mapviews.pagecache import generation

    before = generation()
    accept(committee, [key(stations, "梅林", "safety")], end_month="2027-01")
    assert DepartmentHelp.objects.count() == 1
    assert generation() != before
