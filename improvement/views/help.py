"""The committee's department help (帮扶) page: the month's proposal of which department
helps which station on which indicator, the committee's choice of it, and what is in force.
What it shares with the branch-pairing page is ``views.spans``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from improvement import selectors, services
from improvement.forms import HelpForm
from improvement.models import DepartmentHelp
from improvement.views.access import record_or_404
from improvement.views.spans import (
    end_early,
    in_force_page,
    month_page,
    page_url,
    posted_period,
)
from indicators.periods import format_period
from mapviews.text import list_separator
from scoring.selectors import opening_period
from scoring.viewer import parse_id
from stations.models import Company
from stations.roles import MANAGE_ALL_STATIONS
from stations.viewer import viewed_company

#: Above this many rows, the page shows one line per department (its count, "accept all
#: of this department") and the rows of one department at a time, a page of them.
PAGED_ABOVE = 500
#: Rows of a department a page of a paged help page lists.
PAGE_ROWS = 50


@dataclass(frozen=True)
class HelpInForceRow:
    item: DepartmentHelp
    department: str
    end_initial: str
    end_min: str


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_ALL_STATIONS, raise_exception=True)
def department_help(request: HttpRequest) -> HttpResponse:
    month, context = month_page(request)
    if month.company is None or month.period is None:
        return render(request, "improvement/help.html", context)
    company, period = month.company, month.period
    latest = opening_period(month.runs)
    held = in_force_page(request, selectors.help_in_force(company.pk, period))
    context["in_force_page"] = held
    context["in_force"] = [
        HelpInForceRow(
            item,
            item.department_label,
            format_period(item.end_proposed(period, latest)),
            format_period(item.earliest_end(latest)),
        )
        for item in held.object_list
    ]
    outline = selectors.help_outline(company.pk, period) if month.run else None
    if outline is None:
        return render(request, "improvement/help.html", context)
    if outline.count > PAGED_ABOVE:
        return _paged(request, company, period, context, outline)
    plan = outline.whole()
    rows = {row.key: row for row in plan.rows}
    form = HelpForm(
        request.POST if request.method == "POST" else None,
        based_on=period,
        keys=[key for key, row in rows.items() if row.department],
    )
    if form.is_bound and form.is_valid():
        chosen = [rows[key] for key in form.cleaned_data["rows"]]
        if _accepted(request, form, company, period, chosen):
            return redirect(page_url("improvement:help", period))
    context.update(
        plan=plan,
        form=form,
        ticked=set(form["rows"].value() or []),
        start_period=format_period(plan.start),
    )
    return render(request, "improvement/help.html", context)


def _accepted(
    request: HttpRequest, form: HelpForm, company: Company, period: date, chosen: list
) -> bool:
    """Record the chosen rows (``HelpRow``); on refusal, the form says why."""
    try:
        accepted = services.accept_help(
            company=company,
            based_on=period,
            rows=[
                services.ChosenHelp(row.station, row.indicator, row.indicator.department)
                for row in chosen
            ],
            span=form.span(),
            user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    _report_help(request, accepted)
    return True


def _paged(
    request: HttpRequest,
    company: Company,
    period: date,
    context: dict,
    outline: selectors.HelpOutline,
) -> HttpResponse:
    """A large company's help: one line per department, the rows of the one asked for a
    page at a time (only those are read); "accept all" takes every row of a department
    not yet helped, on the server."""
    summary = [
        DepartmentLine(
            n,
            department,
            len(keys),
            sum(_helped(outline, key) for key in keys) if outline.helped else 0,
        )
        for n, (department, keys) in enumerate(outline.groups, 1)
    ]
    shown = _shown(request, outline, summary)
    rows = {row.key: row for row in (shown.rows if shown else [])}
    form = HelpForm(
        request.POST if request.method == "POST" else None,
        based_on=period,
        keys=[key for key, row in rows.items() if row.department],
        departments=[line.department for line in summary if line.department],
    )
    if form.is_bound and form.is_valid():
        # "Accept all" names the department itself, not its place in the list: the list
        # may have changed between showing the page and pressing the button.
        whole = form.cleaned_data.get("whole") or None
        if whole is None:
            chosen = [rows[key] for key in form.cleaned_data["rows"]]
        else:
            department, keys = next(group for group in outline.groups if group[0] == whole)
            chosen = outline.rows([key for key in keys if not _helped(outline, key)])
        if whole is not None and not chosen:
            form.add_error(
                None,
                _("Every row of %(department)s already has help in force.")
                % {"department": department},
            )
        elif _accepted(request, form, company, period, chosen):
            return redirect(page_url("improvement:help", period))
    context.update(
        plan=outline,
        form=form,
        ticked=set(form["rows"].value() or []),
        start_period=format_period(outline.start),
        paged=True,
        summary=summary,
        shown=shown,
    )
    return render(request, "improvement/help.html", context)


def _helped(outline: selectors.HelpOutline, key: tuple[str, int]) -> bool:
    code, station_id = key
    return (station_id, code) in outline.helped


@dataclass(frozen=True)
class DepartmentLine:
    """A department's line of a paged help page: its number (``?department=``), how many
    rows it has and how many of them already have help in force."""

    number: int
    department: str | None
    count: int
    in_force: int

    @property
    def open(self) -> int:
        return self.count - self.in_force


@dataclass(frozen=True)
class ShownRows:
    """One department's rows on a paged help page: a page of them, read."""

    line: DepartmentLine
    page: Page
    rows: list[selectors.HelpRow]

    @property
    def groups(self) -> list[tuple[str | None, list[selectors.HelpRow]]]:
        """As the one-page form's groups: this department's rows (``_help_table.html``)."""
        return [(self.line.department, self.rows)]


def _shown(
    request: HttpRequest, outline: selectors.HelpOutline, summary: list[DepartmentLine]
) -> ShownRows | None:
    """The department ``?department=`` names (its number in the summary; a bad one is a
    bad request, one the month does not have shows none), at ``?page=``."""
    number = parse_id(request.GET.get("department"))
    if number is None or number > len(summary):
        return None
    _department, keys = outline.groups[number - 1]
    page = Paginator(keys, PAGE_ROWS).get_page(request.GET.get("page"))
    return ShownRows(summary[number - 1], page, outline.rows(list(page.object_list)))


def _report_help(request: HttpRequest, accepted: services.HelpAcceptance) -> None:
    if accepted.created:
        count = len(accepted.created)
        messages.success(
            request,
            ngettext(
                "Department help was recorded for %(count)d station and indicator; it runs "
                "%(months)s.",
                "Department help was recorded for %(count)d stations and indicators; it runs "
                "%(months)s.",
                count,
            )
            % {"count": count, "months": accepted.created[0].span_text},
        )
    if accepted.skipped:
        messages.warning(
            request,
            _("Already in force, not recorded again: %(rows)s.")
            % {
                "rows": list_separator().join(
                    f"{item.station.name} · {item.indicator.name} ({item.span_text})"
                    for item in accepted.skipped
                )
            },
        )


@require_POST
@permission_required(MANAGE_ALL_STATIONS, raise_exception=True)
def help_end(request: HttpRequest, pk: int) -> HttpResponse:
    company = viewed_company(request)
    item = record_or_404(
        DepartmentHelp.objects.select_related("station", "indicator"), pk=pk, company=company
    )
    label = f"{item.department_label} → {item.station.name} · {item.indicator.name}"
    if end_early(request, item, label, services.end_help, "help_item"):
        messages.success(
            request,
            _("%(help)s now ends in %(month)s.")
            % {"help": label, "month": format_period(item.end_month)},
        )
    return redirect(page_url("improvement:help", posted_period(request)))
