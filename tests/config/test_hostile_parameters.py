"""Every URL of the project, sent hostile values: no 5xx, and a refusal is a friendly page.

``WALK`` names every route (a test fails when a URL is added without an entry) with the
kind of each path argument and the query parameters the page reads. To add a route:

    "app:name": Page(args=((CODE, "S1"),), query=("period", "page")),
    "app:form": Page(method="post", args=((ID, "{measure}"),)),  # POST only

``args`` are (kind, a valid value) per path argument, in order; ``"{measure}"`` and the like
are the ids of the ``records`` fixture (tests/config/conftest.py). Each path argument is
then replaced by the hostile values of its kind (``PATH_VALUES``), each query parameter
by those of its kind (``QUERY_VALUES``, chosen by name in ``PARAMETER_KINDS``, text
otherwise), and a page that takes POST is also posted an empty and a garbage body.
The Django admin's own routes are walked through its index and our models' change lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

# Kinds of values
MONTH, ID, CODE, NUMBER, TEXT, FIXED = "month", "id", "code", "number", "text", "-"

INJECTION = ("' OR 1=1--", "<script>alert(1)</script>", "名字\u202e🙂", "x" * 3000)
QUERY_VALUES = {
    MONTH: ("9999-12", "0000-01", "2026-13", "2026-1", "abc", "' OR 1=1--", "x" * 3000),
    NUMBER: ("-1", "0", "99999999999999999999", "1" * 5000, "²", "1.5", "abc", "' OR 1=1--"),
    TEXT: ("", *INJECTION),
}
PATH_VALUES = {
    MONTH: ("9999-12", "0000-01", "2026-13", "2026-1", "abc", "%00", "x" * 300),
    ID: ("0", "2147483648", "99999999999999999999"),
    CODE: ("NOPE", "X/12", "a b?c#d", "..", "%00", "' OR 1=1--", "<b>", "名字", "x" * 300),
    FIXED: (),
}
#: Sent once to every route, in every query parameter (or form field) at once.
NUL = "\x00"
PARAMETER_KINDS = {
    "period": MONTH,
    "from": MONTH,
    "to": MONTH,
    "month": MONTH,
    "county": NUMBER,
    "company": NUMBER,
    "page": NUMBER,
    "page_size": NUMBER,
    "in_force_page": NUMBER,
    "department": NUMBER,
    "p": NUMBER,
    "version": NUMBER,
    "station": NUMBER,
    "id": NUMBER,
    "date_from": MONTH,
    "date_to": MONTH,
}
PLAIN_FORM = "application/x-www-form-urlencoded"
#: Field names a garbage POST body fills (all with one hostile value at a time).
POST_FIELDS = ("action", "period", "id", "next", "end_month", "language", "done", "month", "run")
#: Values every POST field is also sent (numbers that str.isdigit() accepts but int() refuses).
POST_NUMBERS = ("²", "1" * 5000)


@dataclass(frozen=True)
class Page:
    method: str = "get"  # "get" (GET, or GET and POST: both are walked) or "post" (POST only)
    args: tuple[tuple[str, str], ...] = ()
    query: tuple[str, ...] = ()
    posts: bool = False  # takes a form by POST too


MONTH_PAGE = ("period", "county", "page", "sort", "dir", "company")
MAP_PAGE = (*MONTH_PAGE, "print")
S1 = ((CODE, "S1"),)
UNIT = ((CODE, "{unit}"),)

WALK: dict[str, Page] = {
    "mapviews:home": Page(query=MAP_PAGE),
    "mapviews:map": Page(query=MAP_PAGE),
    "mapviews:map_month": Page(query=("period", "county", "compact")),
    "mapviews:search": Page(query=("q",)),
    "mapviews:search_suggestions": Page(query=("q",)),
    "mapviews:widget": Page(query=("period", "county")),
    "mapviews:widget_map": Page(query=("period", "county")),
    "mapviews:shape_file": Page(args=((FIXED, "0" * 64), (FIXED, "counties"))),
    "mapviews:ranking": Page(query=MONTH_PAGE),
    "mapviews:ranking_export": Page(args=((FIXED, "xlsx"),), query=("period", "county")),
    "mapviews:history": Page(query=("to", "from", "county")),
    "mapviews:station": Page(args=((CODE, "S2"),), query=("period",)),
    "mapviews:unit": Page(args=((CODE, "{unit}"),), query=("period",)),
    "mapviews:matrix": Page(query=MONTH_PAGE),
    "scoring:weights": Page(query=("page",)),
    "scoring:weight_new": Page(posts=True),
    "scoring:weight_detail": Page(args=((ID, "1"),)),
    "scoring:weight_publish": Page("post", args=((ID, "1"),)),
    "scoring:methods": Page(query=("page",)),
    "scoring:method_new": Page(posts=True),
    "scoring:method_detail": Page(args=((ID, "1"),)),
    "scoring:method_publish": Page("post", args=((ID, "1"),)),
    "scoring:target_list": Page(),
    "scoring:target_new": Page(posts=True),
    "scoring:own_method": Page("post"),
    "scoring:unit_method": Page(args=UNIT),
    "scoring:unit_weights": Page(args=UNIT),
    "scoring:unit_weight_new": Page(args=UNIT, posts=True),
    "scoring:unit_weight_detail": Page(args=(*UNIT, (ID, "1"))),
    "scoring:unit_methods": Page(args=UNIT),
    "scoring:unit_method_new": Page(args=UNIT, posts=True),
    "scoring:unit_method_detail": Page(args=(*UNIT, (ID, "1"))),
    "scoring:unit_targets": Page(args=UNIT),
    "scoring:unit_target_new": Page(args=UNIT, posts=True),
    "scoring:month_review": Page(args=((MONTH, "2026-09"),)),
    "scoring:month_publish": Page("post", args=((MONTH, "2026-09"),)),
    "scoring:month_close": Page(),
    "scoring:month_rules": Page("post"),
    "scoring:month_close_detail": Page(args=((MONTH, "2026-09"),)),
    "scoring:month_open": Page("post", args=((MONTH, "2026-09"),)),
    "scoring:month_close_confirm": Page(args=((MONTH, "2026-09"),)),
    "scoring:month_close_now": Page("post", args=((MONTH, "2026-09"),)),
    "scoring:objection_answer": Page("post", args=((ID, "{objection}"),)),
    "scoring:objection_new": Page(args=S1, query=("period",), posts=True),
    "improvement:submissions": Page(query=("period", "indicator")),
    "improvement:submissions_remind": Page("post"),
    "improvement:submissions_missing": Page(args=((FIXED, "2026-09"),)),
    "improvement:submissions_anomalies": Page(args=((FIXED, "2026-09"),)),
    "indicators:list": Page(),
    "indicators:add": Page(posts=True),
    "indicators:edit": Page(args=((CODE, "safety"),), posts=True),
    "indicators:retire": Page(args=((CODE, "safety"),), posts=True),
    "audit:list": Page(query=("page", "action", "actor", "date_from", "date_to")),
    "imports:upload": Page(posts=True),
    "imports:template": Page(args=((CODE, "wide"), (CODE, "csv"))),
    "imports:job": Page(args=((ID, "{import}"),)),
    "imports:rollback": Page(args=((ID, "{import}"),), posts=True),
    "improvement:review": Page(query=(*MONTH_PAGE, "unattended")),
    "improvement:measure_new": Page(args=S1, query=("period", "indicator"), posts=True),
    "improvement:measure_detail": Page(args=((ID, "{measure}"),)),
    "improvement:measure_edit": Page(args=((ID, "{measure}"),), posts=True),
    "improvement:measure_check_in": Page("post", args=((ID, "{measure}"),)),
    "improvement:pairing": Page(query=("period", "page", "county", "in_force_page"), posts=True),
    "improvement:pairing_end": Page("post", args=((ID, "{pairing}"),)),
    "improvement:help": Page(query=("period", "department", "page", "in_force_page"), posts=True),
    "improvement:help_end": Page("post", args=((ID, "{help}"),)),
    "improvement:project_new": Page(args=S1, query=("indicator",), posts=True),
    "improvement:project_detail": Page(args=((ID, "{project}"),)),
    "improvement:project_edit": Page(args=((ID, "{project}"),), posts=True),
    "improvement:project_check_in": Page("post", args=((ID, "{project}"),)),
    "improvement:milestone_add": Page("post", args=((ID, "{project}"),)),
    "improvement:milestone_done": Page("post", args=((ID, "{milestone}"),)),
    "improvement:bulletin": Page(query=("period",)),
    "improvement:bulletin_download": Page(args=((FIXED, "2026-09"), (FIXED, "xlsx"))),
    "improvement:bulletin_list": Page(args=((FIXED, "2026-09"), (FIXED, "weak"), (FIXED, "csv"))),
    "improvement:notifications": Page(query=("page",)),
    "improvement:notifications_read": Page("post"),
    "improvement:all_red": Page(query=(*MONTH_PAGE, "grade")),
    "improvement:status_change": Page(query=("period", "county", "since")),
    "login": Page(query=("next",)),
    "logout": Page("post"),
    "password_change": Page(posts=True),
    "password_change_done": Page(),
    "set_language": Page("post"),
    "health": Page(),
    "admin:index": Page(),
    "api:schema": Page(),
    "api:docs": Page(),
    "api:values": Page("post"),
    "api:imports": Page(query=("month", "page", "page_size")),
    "api:import": Page(args=((ID, "{import}"),)),
    "api:indicators": Page(query=("page", "page_size")),
    "api:counties": Page(query=("page",)),
    "api:stations": Page(query=("county", "page", "page_size")),
    "api:station": Page(args=S1),
    "api:station-history": Page(args=S1, query=("page",)),
    "api:months": Page(query=("page",)),
    "api:month": Page(args=((MONTH, "2026-09"),)),
    "api:month-scores": Page(args=((MONTH, "2026-09"),), query=("county", "page", "page_size")),
}

#: The Django admin's change lists of our models read these.
ADMIN_CHANGELIST = Page(query=("q", "o", "p"))


def _routes(patterns, namespace: str = "") -> dict[str, URLPattern]:
    routes = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes |= _routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            routes[f"{namespace}{pattern.name}"] = pattern
    return routes


def _walked_routes() -> dict[str, Page]:
    """WALK, plus every change list of our own models in the Django admin."""
    names = _routes(get_resolver().url_patterns)
    ours = ("stations", "indicators", "scoring", "improvement", "audit", "auth", "api")
    changelists = {
        name: ADMIN_CHANGELIST
        for name in names
        if name.startswith(tuple(f"admin:{app}_" for app in ours)) and name.endswith("_changelist")
    }
    return WALK | changelists


def test_the_walk_names_every_route():
    names = _routes(get_resolver().url_patterns)
    routes = {name for name in names if not name.startswith("admin:")}
    assert routes - set(WALK) == set(), "add these URLs to WALK"
    assert set(WALK) - routes - {"admin:index"} == set()


#: Downloads and the map's JSON answer a refusal in a line of text or JSON, not a page.
PLAIN_ANSWERS = ("text/plain", "application/json")


def _friendly_failure(response) -> str | None:
    """Why a response is not acceptable, or None."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if status < 400 or response.get("Content-Type", "").startswith(
        ("text/plain", "application/json")
    ):
        return None
    page = response.content.decode(errors="replace")
    if "Traceback" in page or "NoReverseMatch" in page:
        return f"{status} shows a traceback"
    if status in (400, 403, 404) and 'class="site-header"' not in page:
        return f"{status} is not the site's page"
    return None


def _requests(name: str, page: Page, records: dict, client):
    """(method, url, data) of every hostile request of one route; of a page the user may
    not open (refused or sent to a login), only the path arguments are tried."""
    valid = [records.get(value[1:-1], value) if value.startswith("{") else value
             for _kind, value in page.args]  # fmt: skip

    def url(args) -> str | None:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None  # a value the route's pattern does not take: no such URL

    for position, (kind, _value) in enumerate(page.args):
        for hostile in (*PATH_VALUES[kind], NUL) if kind != FIXED else ():
            args = [*valid[:position], hostile, *valid[position + 1 :]]
            if (target := url(args)) is not None:
                yield page.method, target, {}
    target = url(valid)
    if page.method == "get" and client.get(target).status_code in (302, 403):
        return  # refused, or sent to a login page: its parameters are never read
    if page.method == "get":
        yield "get", target, dict.fromkeys(page.query or ["period"], NUL)
        for parameter in page.query:
            for hostile in QUERY_VALUES[PARAMETER_KINDS.get(parameter, TEXT)]:
                yield "get", target, {parameter: hostile}
    if page.method == "post" or page.posts:
        yield "post", target, {}
        for hostile in (*QUERY_VALUES[TEXT], NUL, "9999-12", "99999999999999999999", *POST_NUMBERS):
            yield "post", target, dict.fromkeys(POST_FIELDS, hostile)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "committee", "secretary"])
def test_no_hostile_value_brings_a_page_down(client, users, records, role):
    client.raise_request_exception = False  # a 500 is answered, as in production
    failures = []
    for name, page in _walked_routes().items():
        client.force_login(users[role])
        for method, url, data in _requests(name, page, records, client):
            if name == "logout":
                client.force_login(users[role])
            if method == "post":  # as a browser posts a plain form
                response = client.post(url, urlencode(data), content_type=PLAIN_FORM)
            else:
                response = client.get(url, data)
            if (why := _friendly_failure(response)) is not None:
                failures.append(f"{method.upper()} {url} {str(data)[:80]}: {why}")
    assert not failures, "\n".join(failures)
