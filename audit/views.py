"""The audit trail page: every recorded change the reader may see (their companies' and
the shared ones, ``audit.visibility``), newest first, for those allowed to see it."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit import selectors
from audit.changes import entry_changes
from audit.forms import AuditFilterForm

PAGE_SIZE = 50


@require_GET
@permission_required("audit.view_auditentry", raise_exception=True)
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actor_names=selectors.actor_names(request.user))
    filters = {}
    if form.is_bound:
        form.is_valid()  # a bad filter is shown on the form and left out; the others apply
        filters = form.cleaned_data
    paginator = Paginator(selectors.audit_entries(request.user, **filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    names = selectors.indicator_names()
    context = {
        "form": form,
        "filtered": any(filters.values()),
        "page": page,
        "rows": [(entry, entry_changes(entry, indicator_names=names)) for entry in page],
    }
    return render(request, "audit/entry_list.html", context)
