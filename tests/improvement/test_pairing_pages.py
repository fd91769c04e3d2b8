"""The branch-pairing page: the month's proposal with its reasons, the committee's check and
acceptance, the pairings in force and ending them early (the month of pairing_month.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from improvement.models import BranchPairing
from tests.factories import CompanyFactory, PairingFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER

URL = reverse("improvement:pairing")
AUGUST, NOVEMBER, DECEMBER = date(2026, 8, 1), date(2026, 11, 1), date(2026, 12, 1)


def ids(stations, *names):
    return [stations[f"{name}供电所"].pk for name in names]


def partner(stations, weak, strong=None) -> dict:
    key = f"partner_{stations[f'{weak}供电所'].pk}"
    return {key: stations[f"{strong}供电所"].pk if strong else ""}


def proposal_post(stations, action="accept", **extra) -> dict:
    """The form as the page offers it: the proposed partners, the default months."""
    data = {"action": action, "start_month": "2026-10", "end_month": "2026-12", "note": ""}
    data |= partner(stations, "梅林", "鄞江")
    data |= partner(stations, "洞桥", "古林")
    data |= partner(stations, "横溪", "石碶")
    return data | extra


def pairing_row(stations, weak, strong, start=OCTOBER, end=OCTOBER, based_on=SEPTEMBER):
    weak, strong = stations[f"{weak}供电所"], stations[f"{strong}供电所"]
    return PairingFactory(
        weak_station=weak, strong_station=strong, based_on=based_on, start_month=start,
        end_month=end, benefit=7.2,
        reasons=[{"indicator": "safety", "weak": 0.0, "strong": 100.0, "median": 60.0}],
    )  # fmt: skip


# --- who may open it --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("station_staff", 403), ("station_secretary", 403), ("party_committee", 200), ("admin", 200)],
)
def test_only_the_committee_and_admins_open_the_page(client, stations, role, status):
    client.force_login(user_with_role(role, station=stations["梅林供电所"]))
    assert client.get(URL, {"period": "2026-09"}).status_code == status
    posted = client.post(URL + "?period=2026-09", proposal_post(stations))
    assert posted.status_code == (status if status == 403 else 302)
    assert BranchPairing.objects.count() == (0 if status == 403 else 3)


@pytest.mark.django_db
def test_station_staff_cannot_end_a_pairing(client, stations):
    pairing = pairing_row(stations, "梅林", "鄞江", end=DECEMBER)
    client.force_login(user_with_role("station_secretary", station=stations["梅林供电所"]))
    response = client.post(
        reverse("improvement:pairing_end", args=[pairing.pk]), {"end_month": "2026-10"}
    )
    assert response.status_code == 403
    pairing.refresh_from_db()
    assert pairing.end_month == DECEMBER


# --- the proposal -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_proposal_pairs_by_the_highest_total_benefit_with_its_reasons(committee, stations):
    response = committee.get(URL, {"period": "2026-09"})
    html = response.content.decode()

    rows = {row.station.name: row for row in response.context["rows"]}
    assert {name: (row.partner.name, row.benefit) for name, row in rows.items()} == {
        "梅林供电所": ("鄞江供电所", pytest.approx(7.2)),
        "洞桥供电所": ("古林供电所", pytest.approx(2.9)),
        "横溪供电所": ("石碶供电所", pytest.approx(5.4)),
    }
    # yellow, then green; weakest first (横溪 ranks 6th, 洞桥 5th)
    assert list(rows) == ["梅林供电所", "横溪供电所", "洞桥供电所"]
    assert (
        rows["梅林供电所"].grade.code == "yellow" and rows["梅林供电所"].partner_grade.code == "red"
    )
    assert (
        "梅林供电所 is weak on Work safety index (0.0 vs median 60.0), Customer satisfaction "
        "index (40.0 vs median 60.0); 鄞江供电所 scores 100.0, 100.0 there respectively · "
        "56 km apart" in html
    )
    assert (
        "横溪供电所 is weak on Customer satisfaction index (0.0 vs median 60.0); 石碶供电所 "
        "scores 90.0 there · 33 km apart" in html
    )
    assert "3 pairs proposed, total benefit 15.50." in html
    # Each select offers every station of the partner grade, the proposed one chosen.
    field = rows["洞桥供电所"].field
    assert [choice[1] for choice in field.field.choices] == [
        "no partner",
        "古林供电所",
        "石碶供电所",
    ]
    assert field.value() == stations["古林供电所"].pk
    assert response.context["form"]["start_month"].value() == OCTOBER
    assert response.context["form"]["end_month"].value() == DECEMBER
    # 集士港 (blue) takes no part; nobody is left over.
    assert "集士港供电所" not in html
    assert response.context["left_strong"] == [] and response.context["already_paired"] == []


@pytest.mark.django_db
def test_a_partner_left_over_is_named_with_why(committee, stations):
    """Without 古林 (now in a pairing), the two green stations share 石碶: 横溪 gets it
    (5.4 > 1.6), 洞桥 is told every orange station is taken and 石碶 would help most."""
    pairing_row(stations, "梅林", "古林", end=OCTOBER)  # runs into October: 古林 is busy

    response = committee.get(URL, {"period": "2026-09"})

    rows = {row.station.name: row for row in response.context["rows"]}
    assert rows["横溪供电所"].partner.name == "石碶供电所"
    assert rows["洞桥供电所"].partner is None
    assert rows["洞桥供电所"].sentence == (
        "Every Orange · Good station already has a partner in the proposal; 石碶供电所 would "
        "help most (benefit 1.60)."
    )
    assert "梅林供电所" not in rows  # already paired
    left = [(station.name, text) for station, _grade, text in response.context["left_strong"]]
    assert left == [("鄞江供电所", "Every Yellow · Lagging station is already in a pairing.")]


@pytest.mark.django_db
def test_stations_in_a_pairing_running_into_next_month_are_left_out(committee, stations):
    pairing_row(stations, "梅林", "鄞江", start=SEPTEMBER, end=OCTOBER)
    pairing_row(stations, "洞桥", "古林", start=SEPTEMBER, end=SEPTEMBER)  # ended: not left out

    response = committee.get(URL, {"period": "2026-09"})

    rows = {row.station.name: row for row in response.context["rows"]}
    assert set(rows) == {"洞桥供电所", "横溪供电所"}
    assert rows["洞桥供电所"].partner.name == "古林供电所"
    already = [
        (station.name, pairing.span_text)
        for station, _g, pairing in response.context["already_paired"]
    ]
    assert already == [("鄞江供电所", "2026-09 – 2026-10"), ("梅林供电所", "2026-09 – 2026-10")]
    html = response.content.decode()
    assert "Left out: already in a pairing" in html
    assert "2 stations are in a pairing running into 2026-10 (listed above)." in html
    # Only the yellow–red assignment lost its stations: the green ones are paired as before.
    assert response.context["plan"].proposal.total_benefit == pytest.approx(8.3)


@pytest.mark.django_db
def test_a_month_not_scored_says_so(committee, stations):
    response = committee.get(URL, {"period": "2026-05"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026-05 has no scores." in html and "Show 2026-09, the latest scored month" in html
    assert "rows" not in response.context


@pytest.mark.django_db
def test_the_page_opens_on_the_latest_scored_month(committee, stations):
    response = committee.get(URL)
    assert response.context["period"] == "2026-09"
    assert response.context["start_period"] == "2026-10"


# --- check and accept ------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_the_proposal_records_each_pair_with_its_months_grades_and_benefit(
    committee, stations
):
    response = committee.post(URL + "?period=2026-09", proposal_post(stations, note=" 联建 "))

    assert response.status_code == 302 and response["Location"] == URL + "?period=2026-09"
    rows = {row.weak_station.name: row for row in BranchPairing.objects.all()}
    assert {name: (row.strong_station.name, row.benefit) for name, row in rows.items()} == {
        "梅林供电所": ("鄞江供电所", pytest.approx(7.2)),
        "洞桥供电所": ("古林供电所", pytest.approx(2.9)),
        "横溪供电所": ("石碶供电所", pytest.approx(5.4)),
    }
    meilin = rows["梅林供电所"]
    assert (meilin.based_on, meilin.start_month, meilin.end_month) == (SEPTEMBER, OCTOBER, DECEMBER)
    assert (meilin.weak_grade, meilin.strong_grade) == ("yellow", "red")
    assert (rows["横溪供电所"].weak_grade, rows["横溪供电所"].strong_grade) == ("green", "orange")
    assert all(row.as_proposed for row in rows.values())
    assert meilin.reasons == [
        {"indicator": "safety", "weak": 0.0, "strong": 100.0, "median": 60.0},
        {"indicator": "customer_satisfaction", "weak": 40.0, "strong": 100.0, "median": 60.0},
    ]
    assert meilin.note == "联建" and meilin.company == meilin.weak_station.county.company
    assert meilin.created_by.groups.get().name == "Party committee"
    page = committee.get(response["Location"]).content.decode()
    assert "3 pairs were recorded; they run 2026-10 – 2026-12." in page


@pytest.mark.django_db
def test_the_pairings_in_force_are_listed_with_their_reasons(committee, stations):
    committee.post(URL + "?period=2026-09", proposal_post(stations))

    response = committee.get(URL, {"period": "2026-09"})

    listed = [
        (row.pairing.weak_station.name, row.weak_grade.code, row.strong_grade.code, row.end_initial)
        for row in response.context["in_force"]
    ]
    assert listed == [  # by first month, yellow–red first, the largest benefit first
        ("梅林供电所", "yellow", "red", "2026-10"),  # an end form offers the earliest month
        ("横溪供电所", "green", "orange", "2026-10"),
        ("洞桥供电所", "green", "orange", "2026-10"),
    ]
    html = response.content.decode()
    assert (
        "梅林供电所 is weak on Work safety index (0.0 vs median 60.0), Customer satisfaction "
        "index (40.0 vs median 60.0); 鄞江供电所 scores 100.0, 100.0 there respectively · "
        "56 km apart" in html
    )
    # Everyone is paired now: the next proposal has nobody left to pair.
    assert response.context["rows"] == []
    assert len(response.context["already_paired"]) == 6


@pytest.mark.django_db
def test_checking_an_override_scores_it_against_the_proposal(committee, stations):
    data = proposal_post(stations, action="check")
    data |= partner(stations, "洞桥", "石碶") | partner(stations, "横溪", "古林")

    response = committee.post(URL + "?period=2026-09", data)

    assert response.status_code == 200 and BranchPairing.objects.count() == 0
    check = response.context["check"]
    assert (check.total, check.optimal, check.share_pct) == (pytest.approx(12.4), 15.5, 80)
    assert check.warnings == []
    html = response.content.decode()
    assert "Your pairing reaches 80 % of the optimal benefit" in html
    assert "benefit 12.40 of 15.50" in html
    chosen = {row.station.name: row.chosen for row in response.context["rows"]}
    assert (chosen["洞桥供电所"].partner.name, chosen["洞桥供电所"].benefit) == (
        "石碶供电所",
        pytest.approx(1.6),
    )
    assert chosen["洞桥供电所"].as_proposed is False and chosen["梅林供电所"].as_proposed is True
    # The choices are kept.
    rows = {row.station.name: row for row in response.context["rows"]}
    assert rows["洞桥供电所"].field.value() == str(stations["石碶供电所"].pk)


@pytest.mark.django_db
def test_an_accepted_override_is_recorded_as_not_proposed_with_its_own_benefit(committee, stations):
    data = (
        proposal_post(stations)
        | partner(stations, "洞桥", "石碶")
        | partner(stations, "横溪", "古林")
    )
    data |= partner(stations, "梅林")  # no partner for 梅林

    committee.post(URL + "?period=2026-09", data)

    rows = {row.weak_station.name: row for row in BranchPairing.objects.all()}
    assert set(rows) == {"洞桥供电所", "横溪供电所"}
    assert (rows["洞桥供电所"].strong_station.name, rows["洞桥供电所"].benefit) == (
        "石碶供电所",
        pytest.approx(1.6),
    )
    assert (rows["横溪供电所"].strong_station.name, rows["横溪供电所"].benefit) == (
        "古林供电所",
        pytest.approx(3.6),
    )
    assert not rows["洞桥供电所"].as_proposed and not rows["横溪供电所"].as_proposed
    assert rows["横溪供电所"].reasons == [
        {"indicator": "customer_satisfaction", "weak": 0.0, "strong": 60.0, "median": 60.0}
    ]


@pytest.mark.django_db
def test_a_partner_chosen_twice_is_a_warning_on_check_and_refused_on_accept(committee, stations):
    data = proposal_post(stations) | partner(stations, "横溪", "古林")  # 古林 for both green

    checked = committee.post(URL + "?period=2026-09", data | {"action": "check"})
    accepted = committee.post(URL + "?period=2026-09", data)

    assert checked.context["check"].warnings == [
        "古林供电所 is chosen as the partner of 2 stations; a station takes one."
    ]
    assert accepted.status_code == 200 and BranchPairing.objects.count() == 0
    assert accepted.context["form"].non_field_errors() == [
        "古林供电所 is chosen more than once; a station takes one partner."
    ]


@pytest.mark.django_db
def test_an_overlapping_pairing_refuses_the_whole_acceptance(committee, stations):
    existing = pairing_row(stations, "梅林", "鄞江", start=OCTOBER, end=OCTOBER)

    # 梅林 is left out of the proposal, but a form still naming it (e.g. an old tab) is refused.
    response = committee.post(URL + "?period=2026-09", proposal_post(stations))

    assert response.status_code == 200
    assert list(BranchPairing.objects.all()) == [existing]  # the green pairs were not saved either
    errors = response.context["form"].non_field_errors()
    assert errors == [
        "梅林供电所 already has a pairing in these months: with 鄞江供电所, 2026-10 – 2026-10.",
        "鄞江供电所 already has a pairing in these months: with 梅林供电所, 2026-10 – 2026-10.",
    ]
    assert errors[0] in response.content.decode()


@pytest.mark.django_db
def test_months_after_an_earlier_pairing_are_accepted(committee, stations):
    pairing_row(stations, "梅林", "鄞江", start=SEPTEMBER, end=OCTOBER)
    data = proposal_post(stations, start_month="2026-11", end_month="2027-01")

    response = committee.post(URL + "?period=2026-09", data)

    assert response.status_code == 302
    assert BranchPairing.objects.filter(start_month=NOVEMBER).count() == 3


@pytest.mark.django_db
def test_sending_the_form_twice_records_the_pairs_once(committee, stations):
    first = committee.post(URL + "?period=2026-09", proposal_post(stations))
    second = committee.post(URL + "?period=2026-09", proposal_post(stations), follow=True)

    assert first.status_code == 302 and BranchPairing.objects.count() == 3
    assert "These pairs were already recorded; nothing was added." in second.content.decode()


@pytest.mark.django_db
def test_the_last_month_before_the_first_is_refused(committee, stations):
    response = committee.post(
        URL + "?period=2026-09", proposal_post(stations, start_month="2026-11", end_month="2026-10")
    )
    assert response.status_code == 200 and BranchPairing.objects.count() == 0
    assert response.context["form"].errors["end_month"] == [
        "The last month cannot be before the first month."
    ]


@pytest.mark.django_db
def test_accepting_with_no_partner_chosen_is_refused(committee, stations):
    data = proposal_post(stations) | partner(stations, "梅林") | partner(stations, "洞桥")
    data |= partner(stations, "横溪")
    response = committee.post(URL + "?period=2026-09", data)
    assert BranchPairing.objects.count() == 0
    assert response.context["form"].non_field_errors() == [
        "Choose a partner for at least one station."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered",
    [
        pytest.param(
            lambda s, o: partner(s, "梅林", "古林"), id="an orange partner for a yellow station"
        ),
        pytest.param(lambda s, o: partner(s, "梅林", "集士港"), id="a blue partner"),
        pytest.param(
            lambda s, o: {f"partner_{s['梅林供电所'].pk}": o.pk}, id="another company's station"
        ),
        pytest.param(lambda s, o: {f"partner_{s['梅林供电所'].pk}": "x"}, id="not a station"),
    ],
)
def test_a_tampered_partner_is_refused_and_nothing_saved(committee, stations, tampered):
    other = StationFactory(county=CompanyFactory().counties.create(name="x"))
    response = committee.post(
        URL + "?period=2026-09", proposal_post(stations) | tampered(stations, other)
    )
    assert response.status_code == 200 and BranchPairing.objects.count() == 0
    assert response.context["form"].errors[f"partner_{stations['梅林供电所'].pk}"]


@pytest.mark.django_db
def test_a_weak_station_the_form_does_not_offer_is_ignored(committee, stations):
    """A posted choice for a blue station is no field of the form: nothing is paired by it."""
    data = proposal_post(stations) | partner(stations, "集士港", "古林")
    committee.post(URL + "?period=2026-09", data)
    assert BranchPairing.objects.count() == 3
    assert not BranchPairing.objects.filter(weak_station__name="集士港供电所").exists()


# --- ending early -----------------------------------------------------------------------


def end(client, pairing, month, period="2026-09"):
    return client.post(
        reverse("improvement:pairing_end", args=[pairing.pk]),
        {"end_month": month, "period": period},
    )


@pytest.mark.django_db
def test_ending_a_pairing_early_sets_its_last_month(committee, stations):
    pairing = pairing_row(stations, "梅林", "鄞江", start=OCTOBER, end=DECEMBER)

    response = end(committee, pairing, "2026-11")

    assert response.status_code == 302 and response["Location"] == URL + "?period=2026-09"
    pairing.refresh_from_db()
    assert pairing.end_month == NOVEMBER
    page = committee.get(response["Location"]).content.decode()
    assert "The pairing of 梅林供电所 and 鄞江供电所 now ends in 2026-11." in page


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2026-09", "2027-01", "2026-13", ""])
def test_an_end_month_outside_the_pairing_is_refused(committee, stations, month):
    pairing = pairing_row(stations, "梅林", "鄞江", start=OCTOBER, end=DECEMBER)

    response = end(committee, pairing, month)

    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.end_month == DECEMBER
    page = committee.get(response["Location"]).content.decode()
    assert "梅林供电所 – 鄞江供电所: " in page
    if month in ("2026-09", "2027-01"):
        assert (
            "The last month must be from 2026-10 to 2026-12 (its current last month): "
            "published months keep what they had." in page
        )


@pytest.mark.django_db
def test_a_published_month_keeps_its_pairing(committee, stations):
    """September is published: a pairing that ran in it cannot end before it."""
    pairing = pairing_row(stations, "梅林", "鄞江", start=AUGUST, end=DECEMBER)

    page = committee.get(end(committee, pairing, "2026-08")["Location"]).content.decode()

    pairing.refresh_from_db()
    assert pairing.end_month == DECEMBER
    assert "The last month must be from 2026-09 to 2026-12" in page
    end(committee, pairing, "2026-09")
    pairing.refresh_from_db()
    assert pairing.end_month == SEPTEMBER


@pytest.mark.django_db
def test_another_companys_pairing_cannot_be_ended(committee, stations):
    other = CompanyFactory()
    weak, strong = (StationFactory(county=other.counties.create(name=n)) for n in "ab")
    pairing = PairingFactory(
        company=other, weak_station=weak, strong_station=strong, end_month=DECEMBER
    )
    assert end(committee, pairing, "2026-10").status_code == 404
    pairing.refresh_from_db()
    assert pairing.end_month == DECEMBER


# --- queries ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_reads_in_a_bounded_number_of_queries(
    committee, stations, django_assert_max_num_queries
):
    committee.get(URL, {"period": "2026-09"})  # warm the session and content types
    with django_assert_max_num_queries(19) as few_queries:
        few = committee.get(URL, {"period": "2026-09"})
    committee.post(URL + "?period=2026-09", proposal_post(stations))
    pairing_row(stations, "梅林", "鄞江", start=date(2027, 1, 1), end=date(2027, 1, 1))
    # New rows are new data: the viewer's rights are read again once (config/authbackend).
    committee.get(URL, {"period": "2026-09"})
    with django_assert_max_num_queries(19) as more_queries:
        more = committee.get(URL, {"period": "2026-09"})
    assert len(more_queries) == len(few_queries)  # more rows, no more queries
    assert len(few.context["in_force"]) == 0 and len(more.context["in_force"]) == 4


@pytest.mark.django_db
def test_a_partner_already_paired_is_offered_marked_and_warned_about(committee, stations):
    pairing_row(stations, "洞桥", "古林", start=SEPTEMBER, end=NOVEMBER)
    data = proposal_post(stations, action="check") | partner(stations, "横溪", "古林")
    data |= partner(stations, "洞桥")  # paired: the page has no select for it

    shown = committee.get(URL, {"period": "2026-09"})
    checked = committee.post(URL + "?period=2026-09", data)
    refused = committee.post(URL + "?period=2026-09", data | {"action": "accept"})

    field = {row.station.name: row.field for row in shown.context["rows"]}["横溪供电所"]
    assert [label for _value, label in field.field.choices] == [
        "no partner",
        "古林供电所 (already paired until 2026-11)",
        "石碶供电所",
    ]
    assert checked.context["check"].warnings == [
        "古林供电所 is already in a pairing until 2026-11: accepting is refused."
    ]
    assert BranchPairing.objects.count() == 1
    assert refused.context["form"].non_field_errors() == [
        "古林供电所 already has a pairing in these months: with 洞桥供电所, 2026-09 – 2026-11."
    ]
