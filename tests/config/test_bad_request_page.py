"""A wrong parameter answers the site's 400 page with its reason, under DEBUG too (Django's
debug page for a refused request is a traceback)."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_bad_month_is_the_sites_400_page_with_its_reason(client, users, settings, debug):
    settings.DEBUG = debug
    client.force_login(users["committee"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("mapviews:ranking"), {"period": "2026-13"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Traceback" not in text and "Request Method" not in text
    assert "2026-13" in text  # the reason, said to the user
