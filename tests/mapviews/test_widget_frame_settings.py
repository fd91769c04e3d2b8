"""Who may frame the homepage widget, told to the administrator: a system check that warns
while WIDGET_FRAME_ANCESTORS is empty, and the admin's index page with the embed snippet
and the setting's current value."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.factories import user_with_role


def check_output() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_manage_py_check_warns_while_no_portal_may_frame_the_widget(settings):
    settings.WIDGET_FRAME_ANCESTORS = []
    output = check_output()
    assert "(mapviews.W001) WIDGET_FRAME_ANCESTORS is empty" in output
    assert "HINT: Set WIDGET_FRAME_ANCESTORS to the portal's origin" in output


def test_the_check_is_quiet_once_a_portal_is_named_or_it_is_silenced(settings):
    settings.WIDGET_FRAME_ANCESTORS = ["https://portal.intranet.example"]
    assert "mapviews.W001" not in check_output()
    settings.WIDGET_FRAME_ANCESTORS = []
    settings.SILENCED_SYSTEM_CHECKS = ["mapviews.W001"]
    assert "mapviews.W001" not in check_output()


@pytest.fixture
def admin_page(client):
    def page() -> str:
        client.force_login(user_with_role("admin", is_staff=True, is_superuser=True))
        client.cookies["django_language"] = "en"
        response = client.get("/admin/")
        assert response.status_code == 200
        return response.content.decode()

    return page


@pytest.mark.django_db
def test_the_admin_index_shows_the_embed_snippet_and_warns_when_unframeable(admin_page, settings):
    settings.WIDGET_FRAME_ANCESTORS = []
    page = admin_page()
    assert "Homepage widget" in page
    assert (
        "&lt;iframe src=&quot;http://testserver/widget/&quot; "
        "width=&quot;380&quot; height=&quot;520&quot;" in page
    )
    assert "not set: no portal may frame the widget" in page
    assert "mapviews.W001" in page


@pytest.mark.django_db
def test_the_admin_index_shows_the_origins_allowed_to_frame_the_widget(admin_page, settings):
    settings.WIDGET_FRAME_ANCESTORS = ["https://portal.intranet.example", "https://a.example"]
    page = admin_page()
    assert "https://portal.intranet.example, https://a.example" in page
    assert "Only these origins may frame the widget." in page
    assert "not set: no portal may frame the widget" not in page
