"""Every URL against every role: allowed pages render, the others answer 403 (or send an
anonymous visitor to the login page), and no page shows another station's detail.

``ACCESS`` must name every route of the project (a test fails when a new URL is added
without deciding who may open it); the Django admin's own routes are checked through
its index.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from scoring.models import ScoreRun
from stations.models import Station
from tests.downloads import body
from tests.mapviews.months import SEPTEMBER

ROLES = ("anonymous", "staff", "secretary", "committee", "admin")
LOGIN = "login"  # a redirect to the login page
EVERYONE = dict.fromkeys(ROLES[1:], 200) | {"anonymous": LOGIN}
COMMITTEE_UP = {"anonymous": LOGIN, "staff": 403, "secretary": 403, "committee": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": LOGIN, "staff": 403, "secretary": 403, "committee": 403, "admin": 200}
ADMIN_POST = ADMIN_ONLY | {"admin": 302}  # a form's target: redirects back when done
COMMITTEE_POST = COMMITTEE_UP | {"committee": 302, "admin": 302}
# The improvement work of S1 (the staff and the secretary users are S1's): its own secretary,
# the committee and admins change it; its staff read it.
MANAGE_S1 = COMMITTEE_UP | {"secretary": 200}
MANAGE_S1_POST = MANAGE_S1 | {"secretary": 302, "committee": 302, "admin": 302}

# The API (api/): a token, or a logged-in user's session, reads; anonymous callers get a
# 401 in JSON; only tokens send values; the import jobs are the admins' as on the pages.
API_READ = dict.fromkeys(ROLES[1:], 200) | {"anonymous": 401}
API_ADMIN = ADMIN_ONLY | {"anonymous": 401}

# A unit's pages: superusers and the unit's members only; nobody here is either.
UNIT_ONLY = dict.fromkeys(ROLES[1:], 404) | {"anonymous": LOGIN}

# route name → (method, args, query, expected status per role)
ACCESS: dict[str, tuple[str, list, dict, dict]] = {
    "mapviews:home": ("get", [], {}, EVERYONE),
    "mapviews:map": ("get", [], {"period": "2026-09"}, EVERYONE),
    "mapviews:map_month": ("get", [], {"period": "2026-09"}, EVERYONE),
    # The header's search (a query that finds no station: one found redirects to it).
    "mapviews:search": ("get", [], {"q": "zzz"}, EVERYONE),
    "mapviews:search_suggestions": ("get", [], {"q": "S"}, EVERYONE),
    "mapviews:widget": ("get", [], {}, dict.fromkeys(ROLES, 200)),  # says "log in" when anonymous
    "mapviews:widget_map": ("get", [], {}, EVERYONE | {"anonymous": 403}),  # JSON, no redirect
    # A shapes file under an old fingerprint leads to the current one; JSON when refused.
    "mapviews:shape_file": (
        "get",
        ["0" * 64, "counties"],
        {},
        dict.fromkeys(ROLES[1:], 302) | {"anonymous": 403},
    ),
    "mapviews:ranking": ("get", [], {"period": "2026-09"}, EVERYONE),
    "mapviews:ranking_export": ("get", ["csv"], {"period": "2026-09"}, EVERYONE),
    "mapviews:history": ("get", [], {}, EVERYONE),
    "mapviews:station": ("get", ["S2"], {}, EVERYONE),  # the summary is public
    # A unit's page: superusers and the unit's members only; nobody here is either.
    "mapviews:unit": ("get", ["{unit}"], {}, UNIT_ONLY),
    "mapviews:matrix": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "scoring:weights": ("get", [], {}, COMMITTEE_UP),
    "scoring:weight_new": ("get", [], {}, ADMIN_ONLY),
    "scoring:weight_detail": ("get", [1], {}, COMMITTEE_UP),
    "scoring:weight_publish": ("post", [1], {}, ADMIN_POST),
    "scoring:methods": ("get", [], {}, COMMITTEE_UP),
    "scoring:method_new": ("get", [], {}, ADMIN_ONLY),
    "scoring:method_detail": ("get", [1], {}, COMMITTEE_UP),
    "scoring:method_publish": ("post", [1], {}, ADMIN_POST),
    "scoring:target_list": ("get", [], {}, COMMITTEE_UP),
    "scoring:target_new": ("get", [], {}, ADMIN_ONLY),
    # A company's switch between its own method and its units' (empty: refused, back).
    "scoring:own_method": ("post", [], {}, ADMIN_POST),
    # A unit's common method: as its page, superusers and the unit's members only
    # (tests/scoring/test_unit_method_pages.py has the unit's own people).
    **{
        f"scoring:{name}": ("get", ["{unit}", *extra], {}, UNIT_ONLY)
        for name, extra in (
            ("unit_method", []),
            ("unit_weights", []),
            ("unit_weight_new", []),
            ("unit_weight_detail", [1]),
            ("unit_methods", []),
            ("unit_method_new", []),
            ("unit_method_detail", [1]),
            ("unit_targets", []),
            ("unit_target_new", []),
        )
    },
    "scoring:month_review": ("get", ["2026-09"], {}, COMMITTEE_UP),
    "scoring:month_publish": ("post", ["2026-09"], {}, ADMIN_POST),
    # The month close (September is under review in ``records``; its objection is S2's).
    "scoring:month_close": ("get", [], {}, ADMIN_ONLY),
    "scoring:month_rules": ("post", [], {}, ADMIN_POST),  # empty: errors, back to the page
    "scoring:month_close_detail": ("get", ["2026-09"], {}, ADMIN_ONLY),
    "scoring:month_open": ("post", ["2026-09"], {}, ADMIN_POST),  # refused: under review
    "scoring:objection_answer": ("post", ["{objection}"], {}, ADMIN_POST),  # empty: errors
    "scoring:month_close_confirm": ("get", ["2026-09"], {}, ADMIN_ONLY),
    "scoring:month_close_now": ("post", ["2026-09"], {}, ADMIN_POST),  # refused: one open
    # Only S1's own staff and secretary may object for S1.
    "scoring:objection_new": (
        "get",
        ["S1"],
        {"period": "2026-09"},
        {"anonymous": LOGIN, "staff": 200, "secretary": 200, "committee": 403, "admin": 403},
    ),
    "improvement:submissions": ("get", [], {"period": "2026-09"}, ADMIN_ONLY),
    "improvement:submissions_remind": ("post", [], {}, ADMIN_POST),
    "improvement:submissions_missing": ("get", ["2026-09"], {}, ADMIN_ONLY),
    "improvement:submissions_anomalies": ("get", ["2026-09"], {}, ADMIN_ONLY),
    "indicators:list": ("get", [], {}, ADMIN_ONLY),
    "indicators:add": ("get", [], {}, ADMIN_ONLY),
    "indicators:edit": ("get", ["safety"], {}, ADMIN_ONLY),
    "indicators:retire": ("get", ["safety"], {}, ADMIN_ONLY),
    "audit:list": ("get", [], {}, ADMIN_ONLY),
    "imports:upload": ("get", [], {}, ADMIN_ONLY),
    "imports:template": ("get", ["wide", "csv"], {}, ADMIN_ONLY),
    "imports:job": ("get", ["{import}"], {}, ADMIN_ONLY),
    "imports:rollback": ("get", ["{import}"], {}, ADMIN_ONLY),
    # Improvement work; "{measure}" and the like are the ids of the ``records`` fixture.
    "improvement:review": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "improvement:measure_new": ("get", ["S1"], {"period": "2026-09"}, MANAGE_S1),
    "improvement:measure_detail": ("get", ["{measure}"], {}, EVERYONE),
    "improvement:measure_edit": ("get", ["{measure}"], {}, MANAGE_S1),
    "improvement:measure_check_in": ("post", ["{measure}"], {}, MANAGE_S1),  # empty: errors
    "improvement:pairing": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "improvement:pairing_end": ("post", ["{pairing}"], {}, COMMITTEE_POST),
    "improvement:help": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "improvement:help_end": ("post", ["{help}"], {}, COMMITTEE_POST),
    "improvement:project_new": ("get", ["S1"], {}, MANAGE_S1),
    "improvement:project_detail": ("get", ["{project}"], {}, EVERYONE),
    "improvement:project_edit": ("get", ["{project}"], {}, MANAGE_S1),
    "improvement:project_check_in": ("post", ["{project}"], {}, MANAGE_S1),  # empty: errors
    "improvement:milestone_add": ("post", ["{project}"], {}, MANAGE_S1),  # empty: errors
    "improvement:milestone_done": ("post", ["{milestone}"], {}, MANAGE_S1_POST),
    "improvement:bulletin": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "improvement:bulletin_download": ("get", ["2026-09", "xlsx"], {}, COMMITTEE_UP),
    "improvement:bulletin_list": ("get", ["2026-09", "weak", "csv"], {}, COMMITTEE_UP),
    "improvement:notifications": ("get", [], {}, EVERYONE),
    "improvement:notifications_read": (
        "post",
        [],
        {},
        dict.fromkeys(ROLES[1:], 302) | {"anonymous": LOGIN},
    ),
    "improvement:all_red": ("get", [], {}, EVERYONE),
    "improvement:status_change": ("get", [], {"period": "2026-09"}, COMMITTEE_UP),
    "login": ("get", [], {}, dict.fromkeys(ROLES[1:], 302) | {"anonymous": 200}),
    "logout": ("post", [], {}, dict.fromkeys(ROLES, 302)),
    "password_change": ("get", [], {}, EVERYONE),
    "password_change_done": ("get", [], {}, EVERYONE),
    "set_language": ("post", [], {}, dict.fromkeys(ROLES, 302)),
    "health": ("get", [], {}, dict.fromkeys(ROLES, 200)),
    "api:schema": ("get", [], {}, dict.fromkeys(ROLES, 200)),
    "api:docs": ("get", [], {}, dict.fromkeys(ROLES, 200)),
    "api:values": ("post", [], {}, dict.fromkeys(ROLES[1:], 403) | {"anonymous": 401}),
    "api:imports": ("get", [], {}, API_ADMIN),
    "api:import": ("get", ["{import}"], {}, API_ADMIN),
    "api:indicators": ("get", [], {}, API_READ),
    "api:counties": ("get", [], {}, API_READ),
    "api:stations": ("get", [], {}, API_READ),
    "api:station": ("get", ["S2"], {}, API_READ),
    "api:station-history": ("get", ["S2"], {}, API_READ),
    "api:months": ("get", [], {}, API_READ),
    "api:month": ("get", ["2026-09"], {}, API_READ),
    "api:month-scores": ("get", ["2026-09"], {}, API_READ),
    # The admin sends everyone without is_staff to its own login page.
    "admin:index": ("get", [], {}, dict.fromkeys(ROLES, 302) | {"admin": 200}),
}


def _route_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: checked through admin:index
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_matrix_names_every_route():
    routes = _route_names(get_resolver().url_patterns)
    assert routes - set(ACCESS) == set(), "decide who may open these URLs"
    assert set(ACCESS) - routes - {"admin:index"} == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_matrix_says(client, users, records, role):
    failures = []
    for name, (method, args, query, expected) in ACCESS.items():
        client.logout()  # a fresh session each time (logout and login pages change it)
        if users[role] is not None:
            client.force_login(users[role])
        args = [
            records[arg[1:-1]] if isinstance(arg, str) and arg.startswith("{") else arg
            for arg in args
        ]
        url = reverse(name, args=args)
        response = getattr(client, method)(url, query)
        want = expected[role]
        if want == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(reverse("login"))
        else:
            ok = response.status_code == want
        if not ok:
            failures.append(f"{name}: {response.status_code}, expected {want}")
    assert failures == []


def _station_page(client, user, code):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("mapviews:station", args=[code])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "secretary"])
def test_station_staff_see_only_their_own_stations_detail(client, users, role):
    own = _station_page(client, users[role], "S1")
    other = _station_page(client, users[role], "S2")
    assert "Company median" in own and "Normalised (0–100)" in own
    assert "Indicator detail is shown only to this station" not in own
    # Another station: colour, score, rank and history, but no indicator detail.
    assert "Indicator detail is shown only to this station" in other
    assert "Normalised (0–100)" not in other
    assert "What would move us up a colour" not in other
    assert "Weakest indicators" not in other
    run = ScoreRun.objects.get(period=SEPTEMBER, is_current=True)
    s2_score = run.scores.get(station__code="S2").score
    assert f"{s2_score:.2f}" in other  # the public summary is there


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["committee", "admin"])
def test_the_committee_and_admins_see_every_stations_detail(client, users, role):
    other = _station_page(client, users[role], "S2")
    assert "Normalised (0–100)" in other
    assert "Indicator detail is shown only to this station" not in other


@pytest.mark.django_db
def test_the_ranking_download_has_indicator_detail_only_for_the_committee(client, users):
    url = reverse("mapviews:ranking_export", args=["csv"])
    client.cookies["django_language"] = "en"
    client.force_login(users["staff"])
    staff_csv = body(client.get(url, {"period": "2026-09"})).decode("utf-8-sig")
    client.force_login(users["committee"])
    committee_csv = body(client.get(url, {"period": "2026-09"})).decode("utf-8-sig")
    assert "normalised" not in staff_csv.splitlines()[0].lower()
    assert committee_csv.splitlines()[0].count("(normalised)") == 10


@pytest.mark.django_db
def test_the_header_links_match_the_role(client, users):
    client.cookies["django_language"] = "en"
    client.force_login(users["staff"])
    staff = client.get(reverse("mapviews:map")).content.decode()
    client.force_login(users["admin"])
    admin = client.get(reverse("mapviews:map")).content.decode()
    assert 'class="own-station-link"' in staff and Station.objects.get(code="S1").name in staff
    assert reverse("mapviews:matrix") not in staff and reverse("scoring:weights") not in staff
    assert reverse("mapviews:matrix") in admin and reverse("scoring:weights") in admin
    assert "station staff" in staff and "administrator" in admin


@pytest.mark.django_db
def test_a_refused_page_says_why_and_leads_back(client, users):
    client.force_login(users["staff"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("mapviews:matrix"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to your role" in page
    assert reverse("mapviews:station", args=["S1"]) in page  # their own station, one click


@pytest.mark.django_db
def test_an_administrator_cannot_make_anyone_a_superuser(client, users, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="a-long-pass-123")
    admin = users["admin"]
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_change", args=[root.pk])).status_code == 302
    page = client.get(reverse("admin:auth_user_change", args=[admin.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
