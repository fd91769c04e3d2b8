"""Pairing never crosses companies, and stays within each county when the company asks
(``PairingOptions``): the pairing page of pairing_month.py's month."""

from __future__ import annotations

import pytest
from django.urls import reverse

from improvement import selectors
from improvement.models import BranchPairing, PairingOptions
from tests.builders import run_month, write_values
from tests.factories import SEPTEMBER, CompanyFactory, StationFactory, user_with_role
from tests.improvement.test_pairing_pages import proposal_post

URL = reverse("improvement:pairing")


def other_company_month():
    """A second company scored the same month: a red station better than 鄞江 everywhere
    (100 on both indicators and nearer to 梅林), a yellow one and a blue one."""
    company = CompanyFactory(name="温州供电公司")
    county = company.counties.create(name="鹿城")
    found = {
        name: StationFactory(
            code=f"W{n}", name=name, county=county, latitude=29.0, longitude=121.5 + n / 100
        )
        for n, name in enumerate(["瓯海供电所", "龙湾供电所", "藤桥供电所"], start=1)
    }
    values = {
        found["瓯海供电所"]: {"safety": 100, "customer_satisfaction": 100},
        found["龙湾供电所"]: {"safety": 50, "customer_satisfaction": 50},
        found["藤桥供电所"]: {"safety": 0, "customer_satisfaction": 0},
    }
    write_values(SEPTEMBER, values, default=5)
    run_month(company, SEPTEMBER)
    return company, found


@pytest.mark.django_db
def test_pairing_never_crosses_companies(committee, stations, company):
    other, theirs = other_company_month()

    mine = selectors.pairing_month(company.pk, SEPTEMBER)
    their_plan = selectors.pairing_month(other.pk, SEPTEMBER)

    own_ids = {station.pk for station in stations.values()}
    their_ids = {station.pk for station in theirs.values()}
    paired = {s for pair in mine.proposal.as_pairs() for s in pair}
    assert paired and paired <= own_ids
    considered = set(mine.proposal.grades())
    assert considered <= own_ids
    assert {s for pair in their_plan.proposal.as_pairs() for s in pair} <= their_ids
    assert set(their_plan.proposal.grades()) <= their_ids
    # The page offers 梅林 only its own company's red station.
    response = committee.get(URL, {"period": "2026-09"})
    rows = {row.station.name: row for row in response.context["rows"]}
    offered = [label for _value, label in rows["梅林供电所"].field.field.choices]
    assert offered == ["no partner", "鄞江供电所"]
    # A partner from the other company is refused, and nothing is recorded.
    data = proposal_post(stations) | {
        f"partner_{stations['梅林供电所'].pk}": theirs["瓯海供电所"].pk
    }
    refused = committee.post(URL + "?period=2026-09", data)
    assert refused.status_code == 200
    assert BranchPairing.objects.count() == 0


@pytest.mark.django_db
def test_within_county_a_station_gets_partners_of_its_county_only(committee, stations, company):
    """鄞江, the only red station, is moved to another county: 梅林 (yellow) has none in
    its own; the green stations and their orange partners stay together in 海曙."""
    yinjiang = stations["鄞江供电所"]
    yinjiang.county = company.counties.create(name="鄞州")
    yinjiang.save()
    before = committee.get(URL, {"period": "2026-09"})
    assert "Partners are proposed from every county of the company." in before.content.decode()
    assert before.context["plan"].proposal.as_pairs()[0] == (
        stations["梅林供电所"].pk,
        yinjiang.pk,
    )

    PairingOptions.objects.create(company=company, within_county=True)
    response = committee.get(URL, {"period": "2026-09"})

    html = response.content.decode()
    assert "Partners are proposed and offered within each station's county." in html
    rows = {row.station.name: row for row in response.context["rows"]}
    assert rows["梅林供电所"].partner is None
    assert rows["梅林供电所"].sentence == (
        "No station of its county is graded Red · Excellent this month."
    )
    assert [label for _v, label in rows["梅林供电所"].field.field.choices] == ["no partner"]
    assert {name: row.partner.name for name, row in rows.items() if row.partner} == {
        "洞桥供电所": "古林供电所",
        "横溪供电所": "石碶供电所",
    }
    left = [(station.name, text) for station, _grade, text in response.context["left_strong"]]
    assert left == [
        ("鄞江供电所", "No station of its county is graded Yellow · Lagging this month.")
    ]
    # Only administrators are offered the options.
    assert "Change the pairing options" not in html


@pytest.mark.django_db
def test_administrators_change_the_option_in_the_admin(client, stations, company):
    admin = user_with_role("admin")
    admin.is_staff = True  # the Django admin's door
    admin.save()
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    page = client.get(URL, {"period": "2026-09"}).content.decode()
    assert "Change the pairing options" in page

    add = reverse("admin:improvement_pairingoptions_add")
    response = client.post(add, {"company": company.pk, "within_county": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("admin:improvement_pairingoptions_changelist")
    assert PairingOptions.objects.get(company=company).within_county
    assert selectors.pairs_within_county(company.pk)
    assert (
        "Partners are proposed and offered within each station's county."
        in client.get(URL, {"period": "2026-09"}).content.decode()
    )
