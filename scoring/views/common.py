"""What the weight and grading-rule pages share: the governed months and their re-grades."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.periods import add_months, format_period, month_start
from scoring.engine import ScoringMethod
from scoring.forms import OwnMethodForm
from scoring.methodsource import governing_versions, method_source
from scoring.models import MethodOverride, MethodVersion, RunStatus, ScoreRun, WeightSet
from scoring.regrade_preview import Comparison, preview
from scoring.selectors import current_runs, periods_with_data
from scoring.services import (
    PREVIEW_MAX_AGE,
    PublishRefused,
    claim_preview,
    create_method_version,
    months_governed_by,
    next_version_start,
    publish_run,
)
from scoring.unitplan import months_regraded_by_choice
from scoring.viewer import parse_id
from stations.models import Company
from stations.viewer import viewed_company

#: Switching a company between its own method and its units' common one: administrators
#: of the company (both kinds of version change with it).
OWN_METHOD_PERMISSIONS = ("scoring.add_weightset", "scoring.add_methodversion")
#: How long the version page waits before looking at its re-grades again.
PROGRESS_REFRESH_SECONDS = 3


def source_context(
    company: Company,
    model: type[WeightSet | MethodVersion],
    describe: Callable[..., str],
    *,
    user=None,
) -> dict:
    """What a version page says of where the company's version in force this month
    comes from: inherited from a unit (which one, which version, ``describe`` of it) or
    its own (overriding a unit's). Nothing for a company under no unit. With ``user``
    an administrator of the company, also the switch between its own method and the
    units' (``own_choice``: its choice now and the months switching re-grades)."""
    if company.parent_id is None:
        return {}
    source = method_source(model, company, month_start(timezone.localdate()))
    context = {
        "source": source,
        "source_text": describe(source.version) if source.inherited else "",
    }
    if user is not None and user.has_perms(OWN_METHOD_PERMISSIONS):
        own = MethodOverride.objects.filter(company=company).exists()
        months = months_regraded_by_choice(company, own=not own)
        context["own_choice"] = {
            "own": own,
            "months": [format_period(month) for month in months],
            "form": OwnMethodForm(),
        }
    return context


def company_or_404(request: HttpRequest) -> Company:
    company = viewed_company(request)
    if company is None:
        raise Http404(_("There is no company yet: import stations first."))
    return company


@dataclass(frozen=True)
class GovernedMonth:
    period: date
    published: ScoreRun | None
    waiting: ScoreRun | None  # a re-grade waiting to be published

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def pending(self) -> bool:
        return self.waiting is not None and self.waiting.status in (
            RunStatus.QUEUED,
            RunStatus.RUNNING,
        )

    @property
    def ready(self) -> bool:
        return (
            self.waiting is not None
            and self.waiting.status == RunStatus.DONE
            and not self.waiting.unchanged
        )


def governed_months(version: WeightSet | MethodVersion) -> list[GovernedMonth]:
    """The months a version governs, each with its published run and the newest re-grade
    under this version that waits (or is still being computed), in three queries."""
    periods = months_governed_by(version)
    published = {
        run.period: run
        for run in ScoreRun.objects.filter(
            company_id=version.company_id, period__in=periods, is_current=True
        ).select_related("weight_set", "method_version")
    }
    mine = {"weight_set" if isinstance(version, WeightSet) else "method_version": version}
    proposals = (
        ScoreRun.objects.filter(
            Q(**mine) | Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
            company_id=version.company_id,
            period__in=periods,
            publish=False,
            is_current=False,
        )
        .select_related("weight_set", "method_version")
        .order_by("pk")
    )
    waiting: dict[date, ScoreRun] = {}
    for run in proposals:  # oldest first: the newest of a month wins
        shown = published.get(run.period)
        if shown is None or run.pk > shown.pk:
            waiting[run.period] = run
    return [GovernedMonth(period, published.get(period), waiting.get(period)) for period in periods]


def preview_month(company: Company, effective_from: date) -> date | None:
    """The month a preview shows: the effective month, or the latest month with data
    before it when it has none yet."""
    months = periods_with_data(company.pk)
    if effective_from in months:
        return effective_from
    earlier = [month for month in months if month < effective_from]
    return earlier[-1] if earlier else None


def regrade_plan(company: Company, effective_from: date, model) -> dict:
    """What saving a version from the month will do: months already published get a
    re-grade to review; the others are graded at once (until a later version's month)."""
    later = next_version_start(model, company.pk, effective_from)
    months = [
        month
        for month in periods_with_data(company.pk, since=effective_from)
        if later is None or month < later
    ]
    # Months a unit's common version grades (the company inherits it) stay as they are.
    governing = governing_versions(model, company.pk, months)
    months = [m for m in months if governing[m] is None or governing[m].company_id is not None]
    published = set(
        ScoreRun.objects.filter(company=company, period__in=months, is_current=True).values_list(
            "period", flat=True
        )
    )
    return {
        "regraded_periods": [m for m in months if m in published],
        "regraded": [format_period(m) for m in months if m in published],
        "graded_now": [format_period(m) for m in months if m not in published],
        "until": format_period(later) if later else None,
    }


#: How many re-graded months a preview computes. Each is the month's data read and graded
#: again beside its published grades: a few milliseconds at 60 stations, about 0.7 s at
#: 30,000 (300,000 values read, the engine, the comparison), so 12 months stay under ten
#: seconds there (an estimate from the measured parts); the months after are named, not
#: computed (docs/scoring.md).
PREVIEW_MONTHS_MAX = 12


@dataclass(frozen=True)
class PreviewedMonth:
    comparison: Comparison

    @property
    def label(self) -> str:
        return format_period(self.comparison.period)


def previewed_months(
    periods: list[date], compare: Callable[[date], Comparison], first: Comparison | None
) -> tuple[list[PreviewedMonth], list[str]]:
    """Each month saving re-grades, graded the new way beside its published grades (the
    first ``PREVIEW_MONTHS_MAX``; the labels of the others, not computed)."""
    shown = []
    for period in periods[:PREVIEW_MONTHS_MAX]:
        reused = first is not None and first.period == period
        shown.append(PreviewedMonth(first if reused else compare(period)))
    return shown, [format_period(period) for period in periods[PREVIEW_MONTHS_MAX:]]


def publish_from_request(request: HttpRequest, company: Company) -> None:
    """Publish the re-grades of the company the form names (``run`` ids); say what
    happened to each."""
    run_ids = [parse_id(value) for value in request.POST.getlist("run") if value]
    done = 0
    for run_id in run_ids:
        run = ScoreRun.objects.filter(pk=run_id, company=company).first()
        if run is None:
            continue
        try:
            publish_run(run_id, request.user)
            done += 1
        except PublishRefused as refusal:
            messages.error(request, f"{format_period(run.period)}: {refusal}")
    if done:
        messages.success(
            request,
            ngettext(
                "Published the new grades of %(count)d month.",
                "Published the new grades of %(count)d months.",
                done,
            )
            % {"count": done},
        )


def progress_context(version: WeightSet | MethodVersion, request: HttpRequest) -> dict:
    """The version page's months, its re-grades' progress and what can be published
    (by whom: those who may make such versions)."""
    months = governed_months(version)
    pending = any(month.pending for month in months)
    return {
        "months": months,
        "computed": sum(
            1 for month in months if month.waiting and month.waiting.status == RunStatus.DONE
        ),
        "waiting": sum(1 for month in months if month.waiting),
        "ready": [month for month in months if month.ready],
        "refresh_seconds": PROGRESS_REFRESH_SECONDS if pending else None,
        "can_publish": request.user.has_perm(f"scoring.add_{type(version)._meta.model_name}"),
    }


#: How many of the latest scored months the version lists offer to review.
REVIEW_MONTHS = 6


def review_months(company: Company) -> list[str]:
    """The latest scored months, newest first (links to compare each with the latest
    weights and grading rules)."""
    periods = sorted({run.period for run in current_runs(company.pk)}, reverse=True)
    return [format_period(period) for period in periods[:REVIEW_MONTHS]]


def next_month_label(company: Company) -> str:
    """The month after the latest scored one: the usual start of a new version."""
    periods = [run.period for run in current_runs(company.pk)]
    return format_period(add_months(max(periods), 1)) if periods else ""


def preview_token(values: dict) -> str:
    """A signed copy of what a preview showed: saving must send it back unchanged."""
    return signing.dumps({**values, "nonce": secrets.token_hex(8)}, salt="version-preview")


def _previewed_nonce(request: HttpRequest, values: dict) -> str | None:
    """The nonce of the preview the form sends back, when it showed exactly ``values``."""
    try:
        shown = signing.loads(
            request.POST.get("previewed", ""),
            salt="version-preview",
            max_age=PREVIEW_MAX_AGE.total_seconds(),
        )
    except signing.BadSignature:
        return None
    nonce = shown.pop("nonce", "")
    if not nonce or shown != json.loads(json.dumps(values)):  # tuples came back as lists
        return None
    return nonce


def save_if_previewed(
    request: HttpRequest,
    shown: dict,
    create: Callable[[], WeightSet | MethodVersion],
    saved_text: str,
    detail_route: str | Callable[[WeightSet | MethodVersion], str],
) -> HttpResponse | None:
    """Step 2 of a version form: save when "save" was pressed with exactly the values
    its preview showed, once (a second click on "save" does not save a second version),
    and go to the version's page (``detail_route``: a route taking the version number,
    or what gives the page's address); otherwise None: the page shows the preview of the
    values as they are, and says why. ``saved_text`` takes ``%(version)d`` and
    ``%(period)s``."""
    if request.POST.get("action") != "save":
        return None
    nonce = _previewed_nonce(request, shown)
    version = None
    if nonce is not None:
        with transaction.atomic():
            if claim_preview(nonce):
                version = create()
    if version is None:
        messages.warning(
            request, _("Check this preview before saving: it shows the values as they are now.")
        )
        return None
    messages.success(
        request,
        saved_text % {"version": version.version, "period": format_period(version.effective_from)},
    )
    if callable(detail_route):  # a unit's version: its page's address
        return redirect(detail_route(version))
    return redirect(detail_route, version=version.version)


def preview_context(
    company: Company,
    shown: dict,
    model: type[WeightSet | MethodVersion],
    compare: Callable[[date], Comparison],
) -> dict:
    """Step 1 of a version form: the effective month (or the latest with data) graded
    the new way beside its published grades, station by station; every month saving
    re-grades, colour counts before → after (``previewed_months``); and the token that
    lets exactly these values be saved."""
    effective_from = date.fromisoformat(shown["effective_from"])
    month = preview_month(company, effective_from)
    comparison = compare(month) if month else None
    plan = regrade_plan(company, effective_from, model)
    months, not_previewed = previewed_months(plan["regraded_periods"], compare, comparison)
    return {
        "comparison": comparison,
        "preview_period": format_period(month) if month else None,
        "effective_period": format_period(effective_from),
        "plan": plan,
        "regraded_months": months,
        "not_previewed": not_previewed,
        "previewed": preview_token(shown),
    }


def method_version_step(
    request: HttpRequest,
    company: Company,
    method: ScoringMethod,
    *,
    effective_from: date,
    reason: str,
    saved_text: str,
) -> tuple[HttpResponse | None, dict]:
    """A new method version from a form (grading rules or targets): saved when "save" was
    pressed on its preview (the redirect is returned), or else the preview's context."""
    shown = {
        "method": method.as_record(),
        "effective_from": effective_from.isoformat(),
        "reason": reason,
    }
    saved = save_if_previewed(
        request,
        shown,
        lambda: create_method_version(
            company=company,
            method=method,
            effective_from=effective_from,
            reason=reason,
            user=request.user,
            publish=False,
        ),
        saved_text,
        "scoring:method_detail",
    )
    if saved:
        return saved, {}
    return None, preview_context(
        company, shown, MethodVersion, lambda month: preview(company.pk, month, method=method)
    )
