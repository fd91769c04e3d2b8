"""A company's switch between its own weights and grading rules and the common method of
the units above it (the form on its weight, grading-rule and target pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from scoring.forms import OwnMethodForm
from scoring.services import set_own_method
from scoring.unitplan import months_regraded_by_choice
from scoring.views.common import OWN_METHOD_PERMISSIONS, company_or_404

#: The pages the form sits on, where it leads back to.
BACK_ROUTES = {"weights", "methods", "target_list"}


@permission_required(OWN_METHOD_PERMISSIONS, raise_exception=True)
@require_POST
def own_method(request: HttpRequest) -> HttpResponse:
    company = company_or_404(request)
    back = request.POST.get("back", "")
    back = f"scoring:{back if back in BACK_ROUTES else 'weights'}"
    if company.parent_id is None:
        messages.error(
            request,
            _("%(company)s is under no organisation unit: it always uses its own method.")
            % {"company": company.name},
        )
        return redirect(back)
    form = OwnMethodForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    own = form.cleaned_data["own"]
    months = months_regraded_by_choice(company, own=own)
    changed = set_own_method(
        company=company, own=own, reason=form.cleaned_data["reason"], user=request.user
    )
    if not changed:
        messages.info(request, _("Nothing changed: the company had chosen so already."))
    else:
        said = (
            _("%(company)s now uses its own weights and grading rules.")
            if own
            else _("%(company)s now uses the common method of the units above it.")
        )
        regraded = ngettext(
            "%(count)d month is re-graded.", "%(count)d months are re-graded.", len(months)
        )
        messages.success(
            request,
            f"{said % {'company': company.name}} {regraded % {'count': len(months)}}",
        )
    return redirect(back)
