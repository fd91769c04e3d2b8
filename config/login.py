"""The login page and the admin's login, both behind the failed-login limits.

The forms ask config.loginguard before they check a password and report each
outcome to it; the views answer a refused login with HTTP 429 and the normal page.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables

from config import loginguard

REFUSED = "too_many_failures"
TOO_MANY_REQUESTS = 429


class LoginGuardMixin:
    """For an AuthenticationForm: refuse while a limit holds, count failures, clear on success."""

    @sensitive_variables("password")
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: nothing was tried
        address = loginguard.client_address(self.request)
        refused = loginguard.check_attempt(username, address)
        if refused is not None:
            raise ValidationError(refusal_message(refused.minutes_left), code=REFUSED)
        try:
            cleaned_data = super().clean()
        except ValidationError:
            # user_cache is set when the password was right but the account may not
            # log in here (a non-staff user at the admin): that is no guess.
            if self.user_cache is None:
                loginguard.record_failure(username, address)
            raise
        loginguard.clear_failures(username)
        return cleaned_data


def refusal_message(minutes: int) -> str:
    return ngettext(
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def was_refused(form: Form | None) -> bool:
    return form is not None and form.has_error(NON_FIELD_ERRORS, code=REFUSED)


class GuardedLoginForm(LoginGuardMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your user name and password did not match. Please try again."),
    }


class GuardedAdminLoginForm(LoginGuardMixin, AdminAuthenticationForm):
    pass


class GuardedLoginView(auth_views.LoginView):
    form_class = GuardedLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if was_refused(form):
            response.status_code = TOO_MANY_REQUESTS
        return response


class StationMapAdminSite(admin.AdminSite):
    """The default admin site (see config.apps), logging in through the guarded form."""

    login_form = GuardedAdminLoginForm

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if was_refused(context.get("form")):
            response.status_code = TOO_MANY_REQUESTS
        return response
