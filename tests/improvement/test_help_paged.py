"""The department-help page of a company with many rows (issue 18): one line per
department with its count and "accept all", one department's rows a page at a time. The
thresholds are lowered so that 40 stations cross them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from improvement import selectors
from improvement.models import DepartmentHelp
from improvement.views import help as help_view
from tests.factories import SEPTEMBER, user_with_role
from tests.improvement.test_pairing_paged import big  # noqa: F401  (a fixture)

URL = reverse("improvement:help")
PERIOD = "2026-09"
ROWS = 2  # a department's rows a page
SPAN = {"start_month": "2026-10", "end_month": "2026-12", "note": ""}


@pytest.fixture
def paged(monkeypatch):
    monkeypatch.setattr(help_view, "PAGED_ABOVE", 3)
    monkeypatch.setattr(help_view, "PAGE_ROWS", ROWS)


@pytest.fixture
def committee(client, big):  # noqa: F811
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client


def groups(company):
    """The month's rows by department, named in English as the page is."""
    with translation.override("en"):
        return selectors.help_month(company.pk, SEPTEMBER).groups


def checkboxes(html: str) -> int:
    return len(re.findall(r'<input type="checkbox" name="rows"', html))


@pytest.mark.django_db
def test_many_rows_are_shown_one_line_per_department(committee, paged, company):
    found = groups(company)
    assert sum(len(rows) for _department, rows in found) > 3

    html = committee.get(URL, {"period": PERIOD}).content.decode()

    assert checkboxes(html) == 0  # no department opened
    for department, rows in found:
        line = f'<th scope="row">{department}</th>\n      <td class="num">{len(rows)}</td>'
        assert line in html
        assert f'name="whole" value="{department}"' in html
        assert f"Accept all {len(rows)} not in force" in html


@pytest.mark.django_db
def test_a_department_opens_a_page_of_its_rows(committee, paged, company):
    _department, rows = groups(company)[0]
    assert len(rows) > ROWS

    first = committee.get(URL, {"period": PERIOD, "department": 1})
    second = committee.get(URL, {"period": PERIOD, "department": 1, "page": 2})

    assert checkboxes(first.content.decode()) == ROWS
    shown = [row.key for row in first.context["shown"].rows]
    assert shown == [row.key for row in rows[:ROWS]]
    pages = -(-len(rows) // ROWS)
    assert f"Page 2 of {pages} (rows 3–{min(4, len(rows))} of {len(rows)})" in (
        second.content.decode()
    )


@pytest.mark.django_db
def test_accept_all_of_a_department_records_every_one_of_its_rows(committee, paged, company):
    department, rows = groups(company)[0]

    # The button names the department, not its place in the list (which may change
    # between showing the page and pressing it).
    response = committee.post(f"{URL}?period={PERIOD}", SPAN | {"whole": department})

    assert response.status_code == 302
    recorded = {(item.station_id, item.indicator.code) for item in DepartmentHelp.objects.all()}
    assert recorded == {(row.station.pk, row.indicator.code) for row in rows}
    page = committee.get(response["Location"]).content.decode()
    assert f"Department help was recorded for {len(rows)} stations and indicators" in page
    # Now in force: nothing of that department is left to accept.
    again = committee.post(f"{URL}?period={PERIOD}", SPAN | {"whole": department})
    assert again.status_code == 200
    assert f"Every row of {department} already has help in force." in again.content.decode()
    assert DepartmentHelp.objects.count() == len(rows)


@pytest.mark.django_db
def test_a_row_ticked_on_a_later_page_is_recorded(committee, paged, company):
    _department, rows = groups(company)[0]
    row = rows[ROWS]  # the first of page 2

    response = committee.post(
        f"{URL}?period={PERIOD}&department=1&page=2", SPAN | {"rows": [row.key]}
    )

    assert response.status_code == 302
    item = DepartmentHelp.objects.get()
    assert (item.station_id, item.indicator.code) == (row.station.pk, row.indicator.code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"department": "abc"}, 400),
        ({"department": "0"}, 400),
        ({"department": "99"}, 200),
        ({"department": "1", "page": "abc"}, 200),
        ({"department": "1", "page": "99999"}, 200),
    ],
)
def test_any_department_or_page_parameter_is_answered(committee, paged, query, status):
    assert committee.get(URL, {"period": PERIOD} | query).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("whole", ["99", "1", "No such department", "x" * 5000])
def test_a_department_not_offered_is_refused(committee, paged, whole):
    response = committee.post(f"{URL}?period={PERIOD}", SPAN | {"whole": whole})
    assert response.status_code == 200 and DepartmentHelp.objects.count() == 0
    assert response.context["form"].errors["whole"]


@pytest.mark.django_db
def test_below_the_threshold_every_row_is_listed(committee, company):
    html = committee.get(URL, {"period": PERIOD}).content.decode()
    total = sum(len(rows) for _department, rows in groups(company))
    assert checkboxes(html) == total
    assert 'name="whole"' not in html
