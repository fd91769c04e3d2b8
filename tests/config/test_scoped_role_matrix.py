"""The role matrix's scope dimension: every URL of ``test_role_matrix.ACCESS`` opened by
the users of one city (S1's staff and secretary, its committee and administrator) on
another city's objects — its station, month, version, measure, project, pairing, help,
objection, import, export and API resource — is not found (404, as a missing one), or
refused by their role (403) where the matrix refuses it anyway; a province viewer (a
unit member with the administrators' group) reads both cities and writes nothing of
theirs (only their own unit's common method)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stations.models import Station
from tests.config.test_role_matrix import ACCESS, LOGIN
from tests.factories import user_with_role

#: Not about a company: the account, the language, the health check, the API's schema,
#: sending values (tokens only), the Django admin's index.
UNSCOPED = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "health",
        "api:schema",
        "api:docs",
        "api:values",
        "admin:index",
        "mapviews:widget",
    }
)
#: The routes whose arguments name another city's object when S1, S2 and the records
#: are swapped for T1, T2 and the other city's records.
CITY_USERS = ("staff", "secretary", "committee", "admin")


def _args(args: list, records: dict, stations: dict) -> list:
    found = []
    for arg in args:
        if isinstance(arg, str) and arg.startswith("{"):
            found.append(records[arg[1:-1]])
        else:
            found.append(stations.get(arg, arg))
    return found


def _open(client, user, method: str, url: str, query: dict):
    client.logout()
    client.force_login(user)
    if method == "get":
        return client.get(url, query)
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(f"{url}?{suffix}" if suffix else url)


def _names_an_object(args: list) -> bool:
    return any(isinstance(arg, str) and (arg[:1] == "{" or arg in ("S1", "S2")) for arg in args)


@pytest.mark.django_db
@pytest.mark.parametrize("role", CITY_USERS)
def test_another_citys_objects_are_not_found(client, users, other_city, role):
    """S1 → T1, S2 → T2, every record id → the other city's: 404 where the user may
    open their own (403 stays 403: the role refuses it before the object is looked at)."""
    failures = []
    for name, (method, args, query, expected) in ACCESS.items():
        if name in UNSCOPED or not _names_an_object(args):
            continue
        own = expected[role]
        url = reverse(name, args=_args(args, other_city, {"S1": "T1", "S2": "T2"}))
        response = _open(client, users[role], method, url, query)
        allowed = {403, 404} if own == 403 else {404}
        if response.status_code not in allowed:
            failures.append(f"{name}: {response.status_code}, expected {sorted(allowed)}")
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", CITY_USERS)
def test_asking_for_another_city_is_not_found_on_every_page(
    client, users, records, other_city, role
):
    """``?company=<the other city>``: every page (a month, a version, a list, an export)
    answers 404; their own city's id is the page as before."""
    failures = []
    other = other_city["company"].pk
    own_company = users["admin"].org_membership.company_id
    for name, (method, args, query, expected) in ACCESS.items():
        if name in UNSCOPED or expected[role] in (LOGIN, 403):
            continue
        url = reverse(name, args=_args(args, records, {}))
        response = _open(client, users[role], method, url, {**query, "company": other})
        if response.status_code != 404:
            failures.append(f"{name}: {response.status_code}, expected 404")
        response = _open(client, users[role], method, url, {**query, "company": own_company})
        if response.status_code != expected[role]:
            failures.append(f"{name} (own): {response.status_code}, expected {expected[role]}")
    assert failures == []


#: What a province viewer may open (with the administrators' group): every page that
#: reads; no form that writes, no write.
UNIT_WRITE_PAGES = frozenset(
    {
        "imports:template",  # a blank file to fill in and load: for those who load
        "scoring:weight_new",
        "scoring:method_new",
        "scoring:target_new",
        "scoring:month_close",
        "scoring:month_close_detail",
        "scoring:month_close_confirm",
        "improvement:submissions",
        "improvement:submissions_missing",
        "improvement:submissions_anomalies",
        "improvement:measure_new",
        "improvement:measure_edit",
        "improvement:pairing",  # the committee's planning pages: forms that write
        "improvement:help",
        "improvement:project_new",
        "improvement:project_edit",
        "indicators:list",
        "indicators:add",
        "indicators:edit",
        "indicators:retire",
        "imports:upload",
        "imports:job",
        "imports:rollback",
        "scoring:objection_new",
    }
)
UNIT_OWN_POSTS = {"logout": 302, "set_language": 302, "improvement:notifications_read": 302}


def _unit_expected(name: str, method: str, expected: dict) -> int:
    if name in UNIT_OWN_POSTS:
        return UNIT_OWN_POSTS[name]
    if name == "admin:index":
        return 302  # not staff
    if name == "api:values":
        return 403
    if method == "post" or name in UNIT_WRITE_PAGES:
        return 403
    return expected["admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("city", ["first", "other"])
def test_a_province_viewer_reads_both_cities_and_writes_nothing(
    client, users, records, other_city, city
):
    viewer = user_with_role("admin", unit=other_city["province"])
    if city == "first":
        objects, stations, company = records, {}, users["admin"].org_membership.company_id
    else:
        objects, stations = other_city, {"S1": "T1", "S2": "T2"}
        company = other_city["company"].pk
    failures = []
    for name, (method, args, query, expected) in ACCESS.items():
        url = reverse(name, args=_args(args, objects, stations))
        asked = {**query, "company": company} if name not in UNSCOPED else query
        response = _open(client, viewer, method, url, asked)
        want = _unit_expected(name, method, expected)
        if name == "mapviews:unit" or name.startswith("scoring:unit_"):
            # Their own unit's pages, not another unit's; an administrator placed at the
            # unit publishes its common method (tests/scoring/test_unit_method_pages.py).
            # (The unit has no version 1: its version pages are not found either way.)
            own_unit = objects["unit"] == other_city["province"].code
            want = 200 if own_unit and not name.endswith("_detail") else 404
        if response.status_code != want:
            failures.append(f"{name}: {response.status_code}, expected {want}")
    assert failures == []


def _page(client, user, name: str, **query) -> str:
    """The page as ``user`` sees it (``user=None``: the session already open)."""
    if user is not None:
        client.logout()
        client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse(name), {"period": "2026-09", **query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["mapviews:ranking", "mapviews:matrix", "improvement:review"])
def test_a_citys_committee_sees_none_of_another_citys_stations(
    client, users, scored, other_city, name
):
    page = _page(client, users["committee"], name)
    assert scored[0].name in page
    assert not [other for other in other_city["names"] if other in page]
    other_committee = user_with_role("party_committee", company=other_city["company"])
    page = _page(client, other_committee, name)
    assert other_city["names"][0] in page
    assert not [station.name for station in scored if station.name in page]


@pytest.mark.django_db
def test_a_province_viewer_chooses_the_city_in_the_header(client, users, scored, other_city):
    viewer = user_with_role("party_committee", unit=other_city["province"])
    first = scored[0].county.company
    page = _page(client, viewer, "mapviews:ranking", company=other_city["company"].pk)
    assert other_city["names"][0] in page and scored[0].name not in page
    assert 'name="company"' in page and first.name in page  # the chooser names both
    # The choice is kept for the next pages of the session.
    page = _page(client, None, "mapviews:ranking")
    assert other_city["names"][0] in page
    page = _page(client, None, "mapviews:ranking", company=first.pk)
    assert scored[0].name in page and other_city["names"][0] not in page
    # Read only: no improvement work may be started from the review.
    review = _page(client, None, "improvement:review")
    assert "Add a measure" not in review
    assert "Add a measure" in _page(client, users["committee"], "improvement:review")


@pytest.mark.django_db
def test_a_user_placed_nowhere_is_told_so_and_shown_no_data(client, scored):
    lost = user_with_role("party_committee", placed=False)
    client.force_login(lost)
    client.cookies["django_language"] = "en"
    for name in ("mapviews:home", "mapviews:ranking", "improvement:review"):
        response = client.get(reverse(name))
        page = response.content.decode()
        assert response.status_code == 403
        assert "not placed in the organisation" in page
        assert scored[0].name not in page
    assert client.get(reverse("password_change")).status_code == 200


@pytest.mark.django_db
def test_the_audit_trail_shows_a_city_its_own_and_the_shared_changes(
    client, users, scored, other_city
):
    """The audit page: the city's administrator reads their city's changes and the shared
    ones (an indicator definition), never the other city's; the province viewer both."""
    from audit.models import Action
    from audit.services import record
    from indicators.models import Indicator

    record(Action.STATION_CHANGED, scored[0], after={"name": scored[0].name})
    record(Action.STATION_CHANGED, Station.objects.get(code="T1"), after={"name": "他城一所"})
    shared = Indicator.objects.get(code="safety")
    record(Action.INDICATOR_CHANGED, shared, after={"x": 1})
    page = _page(client, users["admin"], "audit:list")
    assert scored[0].name in page and shared.name_en in page
    assert "他城一所" not in page
    viewer = user_with_role("admin", unit=other_city["province"])
    page = _page(client, viewer, "audit:list")
    assert scored[0].name in page and "他城一所" in page and shared.name_en in page


@pytest.mark.django_db
def test_a_station_of_the_other_city_leads_back_to_its_own_city(client, users, scored, other_city):
    """A province viewer who opens a 他城 station (by search, by a link) while the chooser
    shows the first city goes back to 他城's map and ranking, not the first city's."""
    viewer = user_with_role("party_committee", unit=other_city["province"])
    first = scored[0].county.company
    _page(client, viewer, "mapviews:ranking", company=first.pk)  # the chooser on the first
    page = client.get(reverse("mapviews:station", args=["T1"])).content.decode()
    company = other_city["company"].pk
    assert f'href="{reverse("mapviews:home")}?company={company}' in page
    ranking = client.get(reverse("mapviews:ranking"), {"company": company}).content.decode()
    assert other_city["names"][0] in ranking
