"""The viewer's rights and roles are kept between requests, and a change is seen at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from stations.roles import ROLES_BY_KEY
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
COMMITTEE = ROLES_BY_KEY["party_committee"].group
#: The roles in the header's account menu.
ROLES_SHOWN = '<span class="user-roles">party committee</span>'


def test_a_right_taken_away_is_gone_on_the_next_request(
    client, company, django_assert_max_num_queries
):
    user = user_with_role("party_committee", company=company)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    assert client.get(reverse("mapviews:matrix")).status_code == 200
    page = client.get(reverse("mapviews:matrix"))
    assert page.status_code == 200 and ROLES_SHOWN in page.content.decode()
    user.groups.remove(Group.objects.get(name=COMMITTEE))
    refused = client.get(reverse("mapviews:matrix"))
    assert refused.status_code == 403
    assert ROLES_SHOWN not in refused.content.decode()  # the header's roles too
    user.groups.add(Group.objects.get(name=COMMITTEE))
    assert client.get(reverse("mapviews:matrix")).status_code == 200


def test_rights_are_read_once_per_state_of_the_data(client, django_assert_max_num_queries):
    from django.contrib.auth import get_user_model

    client.force_login(user_with_role("party_committee"))
    client.get(reverse("mapviews:ranking"))
    with django_assert_max_num_queries(6) as captured:  # session, user, stamp, station, notices
        client.get(reverse("mapviews:ranking"))
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "auth_permission" not in tables and "auth_group" not in tables
    assert get_user_model().objects.count() == 1
