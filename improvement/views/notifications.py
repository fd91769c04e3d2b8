"""The viewer's own notifications: the list (newest first) and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from improvement.selectors.notices import notices_for
from improvement.services import notices
from improvement.text.notices import notice_text, rank_text, station_url
from scoring.viewer import parse_id

PAGE_SIZE = 30


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notices_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            notice,
            notice_text(notice),
            rank_text(notice),
            station_url(notice),
        )
        for notice in page
    ]
    return render(request, "improvement/notifications.html", {"page": page, "rows": rows})


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the notice ``id`` read, or all of the viewer's notices without one."""
    notice_id = parse_id(request.POST.get("id"))
    changed = notices.mark_read(user=request.user, notice_id=notice_id)
    if notice_id is None and changed:
        messages.success(request, _("All notifications are marked as read."))
    return HttpResponseRedirect(_back(request))


def _back(request: HttpRequest) -> str:
    """Where the form came from (a path on this site), else the notifications page."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("improvement:notifications")
