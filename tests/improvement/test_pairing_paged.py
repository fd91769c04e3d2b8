"""The branch-pairing page of a company with many weak stations (issue 18): a page of weak
stations at a time, each select with the proposed partner and the best candidates, a code
to type any other station, and the committee's changes kept across pages for Check and
Accept. The thresholds are lowered so that 40 stations cross them."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse

from improvement import selectors
from improvement.models import BranchPairing, PairingOptions
from improvement.views import pairing as pairing_view
from tests.builders import run_month, write_values
from tests.factories import SEPTEMBER, CompanyFactory, StationFactory, user_with_role

URL = reverse("improvement:pairing")
PERIOD = "2026-09"
ROWS = 3  # weak stations a page
OFFERED = 2  # best candidates a select offers


@pytest.fixture
def paged(monkeypatch):
    monkeypatch.setattr(pairing_view, "PAGED_ABOVE", 4)
    monkeypatch.setattr(pairing_view, "PAGE_ROWS", ROWS)
    monkeypatch.setattr(pairing_view, "OFFERED", OFFERED)


@pytest.fixture
def big(db, company):
    """40 stations in two counties (B01–B20 in 东区, B21–B40 in 西区), random values,
    September scored: eight stations of each colour."""
    east, west = company.counties.create(name="东区"), company.counties.create(name="西区")
    rng = random.Random(18)
    stations = [
        StationFactory(
            code=f"B{n:02d}",
            name=f"站{n:02d}",
            county=east if n <= 20 else west,
            latitude=29 + rng.random(),
            longitude=121 + rng.random(),
        )
        for n in range(1, 41)
    ]
    values = {
        station: {
            "safety": rng.uniform(0, 100),
            "customer_satisfaction": rng.uniform(0, 100),
            "line_loss": rng.uniform(0, 100),
        }
        for station in stations
    }
    write_values(SEPTEMBER, values, default=5)
    run_month(company, SEPTEMBER)
    return {station.code: station for station in stations}


@pytest.fixture
def committee(client, big):
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client


def plan(company):
    return selectors.pairing_month(company.pk, SEPTEMBER)


def span(action: str, **extra) -> dict:
    return {"action": action, "start_month": "2026-10", "end_month": "2026-12", "note": ""}


def page_post(response, **changes) -> dict:
    """The page's form as shown (every select as chosen, no code typed), with changes."""
    data = {}
    for row in response.context["rows"]:
        value = row.field.value()
        data[row.field.html_name] = "" if value is None else str(value)
        data[row.code_field.html_name] = ""
    return data | changes


def selects(html: str) -> list[list[str]]:
    """The options of each partner select of the page, as the browser shows them."""
    return [
        re.findall(r"<option[^>]*>([^<]*)</option>", body)
        for body in re.findall(r'<select name="partner_\d+"[^>]*>(.*?)</select>', html, re.S)
    ]


@pytest.mark.django_db
def test_a_company_with_many_weak_stations_is_shown_a_page_at_a_time(committee, paged, company):
    whole = plan(company)
    weak = whole.weak_stations()
    assert len(weak) > 4  # above the (lowered) threshold

    response = committee.get(URL, {"period": PERIOD})

    html = response.content.decode()
    assert response.status_code == 200
    assert len(selects(html)) == ROWS
    pages = -(-len(weak) // ROWS)
    assert f"Page 1 of {pages} (stations 1–{ROWS} of {len(weak)})" in html
    assert f"{len(weak)} weak stations to pair, {ROWS} a page." in html
    assert "No change to the proposal yet." in html
    first = [row.station.pk for row in response.context["rows"]]
    assert first == weak[:ROWS]
    proposed = whole.proposed_partners()
    for row, options in zip(response.context["rows"], selects(html), strict=True):
        # "no partner", the proposed partner, at most OFFERED more
        assert 2 <= len(options) <= OFFERED + 2 and options[0] == "no partner"
        assert options[1] == whole.stations[proposed[row.station.pk]].name
        assert row.field.value() == proposed[row.station.pk]
        assert "or another station (code)" in html


@pytest.mark.django_db
def test_the_select_offers_the_best_candidates_by_benefit(committee, paged, company):
    whole = plan(company)
    station = whole.weak_stations()[0]
    best = whole.best_partners([station], OFFERED)[station]
    red = [pk for pk in whole.stations_graded(whole.partner_grade(station), best_first=True)]
    benefits = {pk: whole.evaluate([(station, pk)]).total_benefit for pk in red}
    assert [benefits[pk] for pk in best] == sorted(benefits.values(), reverse=True)[:OFFERED]

    response = committee.get(URL, {"period": PERIOD})

    offered = [choice[0] for choice in response.context["rows"][0].field.field.choices][1:]
    assert set(best) <= set(offered)


@pytest.mark.django_db
def test_a_small_company_is_not_paged(client, stations):
    client.force_login(user_with_role("party_committee"))
    html = client.get(URL, {"period": PERIOD}).content.decode()
    assert "another station (code)" not in html and "a page" not in html


@pytest.mark.django_db
def test_a_change_on_page_two_is_kept_when_accepting_from_page_one(committee, paged, company):
    whole = plan(company)
    weak = whole.weak_stations()
    proposed = whole.proposed_partners()
    # A yellow station of page 2 gives up its partner; one of page 1 takes it, typed.
    first, second = weak[0], weak[ROWS]
    assert whole.grade(first) == whole.grade(second) == "yellow"
    freed = proposed[second]

    page_one = committee.get(URL, {"period": PERIOD})
    moved = committee.post(
        f"{URL}?period={PERIOD}&page=1", page_post(page_one) | span("") | {"goto": "2"}
    )
    assert moved.status_code == 302 and moved["Location"].endswith("&page=2#proposal")
    page_two = committee.get(moved["Location"])
    assert page_two.context["rows"][0].station.pk == second
    left = committee.post(
        f"{URL}?period={PERIOD}&page=2",
        page_post(page_two, **{f"partner_{second}": ""}) | span("") | {"goto": "1"},
    )
    back = committee.get(left["Location"])
    assert "You changed the partner of 1 station so far." in back.content.decode()
    code = whole.stations[freed].code
    accepted = committee.post(
        f"{URL}?period={PERIOD}&page=1",
        page_post(back, **{f"code_{first}": code}) | span("accept"),
    )

    assert accepted.status_code == 302, accepted.context["form"].errors
    recorded = {row.weak_station_id: row for row in BranchPairing.objects.all()}
    assert second not in recorded  # the change made on page 2
    assert recorded[first].strong_station_id == freed and not recorded[first].as_proposed
    assert len(recorded) == len(proposed) - 1  # every unchanged row as proposed
    unchanged = [pk for pk in recorded if pk != first]
    assert all(recorded[pk].strong_station_id == proposed[pk] for pk in unchanged)
    page = committee.get(accepted["Location"]).content.decode()
    assert f"{len(recorded)} pairs were recorded" in page


@pytest.mark.django_db
def test_check_scores_the_whole_company_with_the_changes_of_other_pages(committee, paged, company):
    whole = plan(company)
    second = whole.weak_stations()[ROWS]
    page_two = committee.get(URL, {"period": PERIOD, "page": 2})
    committee.post(
        f"{URL}?period={PERIOD}&page=2",
        page_post(page_two, **{f"partner_{second}": ""}) | span("") | {"goto": "1"},
    )
    page_one = committee.get(URL, {"period": PERIOD, "page": 1})

    checked = committee.post(f"{URL}?period={PERIOD}&page=1", page_post(page_one) | span("check"))

    check = checked.context["check"]
    lost = next(pair.benefit for pair in whole.proposal.pairs if pair.weak == second)
    assert check.optimal == pytest.approx(whole.proposal.total_benefit)
    assert check.total == pytest.approx(whole.proposal.total_benefit - lost)
    assert f"Your pairing reaches {check.share_pct} % of the optimal benefit" in (
        checked.content.decode()
    )
    assert BranchPairing.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NOPE", "No station of {company} has the code NOPE."),
        (
            "{blue}",
            "{blue_name} ({blue}) is graded Blue · Average this month: {weak_name} takes a "
            "partner graded Red · Excellent.",
        ),
        ("{other}", "No station of {company} has the code {other}."),
    ],
    ids=["unknown", "wrong grade", "another company's"],
)
def test_a_typed_station_that_cannot_partner_is_refused_naming_it(
    committee, paged, company, typed, message
):
    whole = plan(company)
    weak = whole.weak_stations()[0]
    assert whole.grade(weak) == "yellow"
    blue = whole.stations[whole.stations_graded("blue", best_first=True)[0]]
    other = StationFactory(code="Z99", county=CompanyFactory().counties.create(name="x"))
    names = {
        "company": company.name,
        "blue": blue.code,
        "blue_name": blue.name,
        "weak_name": whole.stations[weak].name,
        "other": other.code,
    }
    page = committee.get(URL, {"period": PERIOD})

    response = committee.post(
        f"{URL}?period={PERIOD}&page=1",
        page_post(page, **{f"code_{weak}": typed.format(**names)}) | span("accept"),
    )

    assert response.status_code == 200 and BranchPairing.objects.count() == 0
    assert message.format(**names) in response.content.decode()


@pytest.mark.django_db
def test_within_counties_a_typed_partner_of_another_county_is_refused(committee, paged, company):
    PairingOptions.objects.create(company=company, within_county=True)
    whole = plan(company)
    weak = whole.weak_stations()[0]
    own = whole.stations[weak].county
    stranger = next(
        whole.stations[pk]
        for pk in whole.stations_graded(whole.partner_grade(weak), best_first=True)
        if whole.stations[pk].county_id != own.pk and pk not in whole.busy
    )
    page = committee.get(URL, {"period": PERIOD})
    # Every option offered is of the station's own county.
    offered = [pk for pk, _label in page.context["rows"][0].field.field.choices if pk]
    assert {whole.stations[pk].county_id for pk in offered} == {own.pk}

    response = committee.post(
        f"{URL}?period={PERIOD}&page=1",
        page_post(page, **{f"code_{weak}": stranger.code}) | span("check"),
    )

    assert (
        f"{stranger.name} ({stranger.code}) is in {stranger.county.name}: "
        f"{whole.stations[weak].name} takes a partner of its own county, {own.name}."
    ) in response.content.decode()


@pytest.mark.django_db
def test_a_county_is_paged_on_its_own(committee, paged, company, big):
    east = big["B01"].county
    response = committee.get(URL, {"period": PERIOD, "county": east.pk})
    shown = [row.station.county_id for row in response.context["rows"]]
    assert shown and set(shown) == {east.pk}
    assert "(of the county chosen above)" in response.content.decode()


@pytest.mark.django_db
def test_discarding_brings_back_the_proposal(committee, paged, company):
    first = plan(company).weak_stations()[0]
    page = committee.get(URL, {"period": PERIOD})
    committee.post(
        f"{URL}?period={PERIOD}&page=1",
        page_post(page, **{f"partner_{first}": ""}) | span("check"),
    )
    assert committee.get(URL, {"period": PERIOD}).context["rows"][0].field.value() is None

    gone = committee.post(f"{URL}?period={PERIOD}&page=1", page_post(page) | span("discard"))

    shown = committee.get(gone["Location"])
    assert shown.context["rows"][0].field.value() == plan(company).proposed_partners()[first]
    assert "Your changes were discarded: every row takes the proposal." in (shown.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["abc", "0", "-1", "99999", "1" * 5000, "²"])
def test_any_page_number_shows_a_page(committee, paged, number):
    response = committee.get(URL, {"period": PERIOD, "page": number})
    assert response.status_code == 200 and len(response.context["rows"]) >= 1
    posted = committee.post(f"{URL}?period={PERIOD}", span("") | {"goto": number})
    assert posted.status_code == 302


@pytest.mark.django_db
def test_a_county_of_another_company_is_a_bad_request(committee, paged):
    other = CompanyFactory().counties.create(name="外县")
    assert committee.get(URL, {"period": PERIOD, "county": other.pk}).status_code == 400


@pytest.mark.django_db
def test_the_paged_page_stays_small(committee, paged, company, monkeypatch):
    """Every weak station's select offering every station of its partner grade is what
    the paged page avoids: its options are bounded by the rows shown, not the company."""
    html = committee.get(URL, {"period": PERIOD}).content.decode()
    options = sum(len(found) for found in selects(html))
    assert options <= ROWS * (OFFERED + 2)
    monkeypatch.setattr(pairing_view, "PAGED_ABOVE", 1000)
    whole = committee.get(URL, {"period": PERIOD}).content.decode()
    assert len(selects(whole)) == len(plan(company).weak_stations())


@pytest.mark.django_db
def test_the_proposal_is_made_once_and_again_when_what_it_is_made_from_changes(
    committee, paged, company, big, monkeypatch
):
    """Making a large company's proposal takes seconds: every page of it reuses it, until
    a pairing is accepted (its stations are left out of the next one)."""
    from improvement.selectors import pairing as pairing_selectors

    made = []
    real = pairing_selectors.propose_pairing

    def counted(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pairing_selectors, "propose_pairing", counted)
    committee.get(URL, {"period": PERIOD})
    page = committee.get(URL, {"period": PERIOD, "page": 2})
    assert len(made) == 1
    accepted = committee.post(f"{URL}?period={PERIOD}&page=2", page_post(page) | span("accept"))
    assert accepted.status_code == 302 and len(made) == 1  # accepted the proposal as made
    after = committee.get(URL, {"period": PERIOD})
    assert len(made) == 2
    assert after.context["rows"] == [] and BranchPairing.objects.count() > 0


@pytest.mark.django_db
def test_changes_are_dropped_when_the_proposal_they_were_made_to_changes(committee, paged, company):
    """A row "left as proposed" must not silently take another partner: when another
    pairing is accepted (the proposal changes), the draft goes; a change naming a
    station that is no longer the company's is dropped, never a 500."""
    from improvement.views import pairing_draft

    first = plan(company).weak_stations()[0]
    page = committee.get(URL, {"period": PERIOD})
    committee.post(
        f"{URL}?period={PERIOD}&page=1",
        page_post(page, **{f"partner_{first}": ""}) | span("check"),
    )
    assert committee.get(URL, {"period": PERIOD}).context["rows"][0].field.value() is None

    # A partner id that is not a station of the company (moved away, deleted …).
    session = committee.session
    key = pairing_draft._key(plan(company))
    session[key]["changes"][str(first)] = 10**9
    session.save()
    shown = committee.get(URL, {"period": PERIOD})
    assert shown.status_code == 200
    assert shown.context["rows"][0].field.value() == plan(company).proposed_partners()[first]

    # The proposal changes under the same run: the kept draft no longer applies.
    session = committee.session
    session[key] = {"stamp": "made to another proposal", "changes": {str(first): None}}
    session.save()
    shown = committee.get(URL, {"period": PERIOD})
    assert shown.context["rows"][0].field.value() == plan(company).proposed_partners()[first]
