"""The login page, and the page shown when django-axes refuses a login.

django-axes counts failed logins per user name *and* address together (its
authentication backend refuses a locked pair before any password is checked, on
this page and on the Django admin's login alike); ``lockout_response`` is its
AXES_LOCKOUT_CALLABLE and answers with this site's login page, HTTP 429 and how
long the refusal lasts.
"""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TOO_MANY_REQUESTS = 429


class SiteLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your user name and password did not match. Please try again."),
    }


class SiteLoginView(auth_views.LoginView):
    form_class = SiteLoginForm
    redirect_authenticated_user = True


class WebLoginAxesBackend(AxesStandaloneBackend):
    """django-axes for logins made through a request (every web login passes one).

    ``authenticate()`` without a request (the test client's ``login``, the shell) cannot
    be counted per address; axes would raise there, this lets ModelBackend answer.
    """

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page again, with the refusal and the minutes left, as HTTP 429."""
    username = get_client_username(request, credentials) or ""
    context = {
        "form": SiteLoginForm(request, initial={"username": username}),
        "refusal": refusal_message(minutes_left(request, username)),
        "next": request.POST.get("next") or request.GET.get("next") or _admin_next(request),
    }
    return render(request, "registration/login.html", context, status=TOO_MANY_REQUESTS)


def _admin_next(request: HttpRequest) -> str:
    """From the admin's login, logging in again leads back to the admin."""
    admin_login = reverse("admin:login")
    return reverse("admin:index") if request.path == admin_login else ""


def minutes_left(request: HttpRequest, username: str) -> int:
    """Whole minutes until the cool-off from the last counted failure ends (at least 1)."""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    cool_off = get_cool_off(request)
    if last is None or cool_off is None:
        return 1
    seconds = (last + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def refusal_message(minutes: int) -> str:
    return ngettext(
        "Too many failed logins for this account from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed logins for this account from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
