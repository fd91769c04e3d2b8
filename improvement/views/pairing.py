"""The committee's branch pairing (支部联建) page: the month's proposal from the engine, the
committee's edit of it, and what is in force. Department help is ``views.help``; what the
two share is ``views.spans``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from improvement import selectors, services
from improvement.engine import PAIRING_RULE, Pair, PairingEvaluation, Unpaired
from improvement.forms import PairingForm, PairingPageForm
from improvement.forms.pairing import Resolver
from improvement.models import BranchPairing
from improvement.text.pairing import (
    lines_from_record,
    lines_from_strengths,
    pair_sentence,
    unpaired_text,
)
from improvement.views import pairing_draft
from improvement.views.access import record_or_404
from improvement.views.spans import (
    end_early,
    in_force_page,
    month_page,
    page_url,
    posted_period,
)
from indicators.periods import format_period
from scoring.grades import GradeDisplay, grade_display
from scoring.selectors import opening_period
from scoring.viewer import MonthChoice
from stations.models import Company, Station
from stations.roles import MANAGE_ALL_STATIONS
from stations.viewer import counties, viewed_company

#: The grades that are given a partner (yellow, green).
PAIRED_WEAK_GRADES = [weak for weak, _strong in PAIRING_RULE]
PAIRING_GRADES = {grade for rule in PAIRING_RULE for grade in rule}
#: Above this many weak stations to pair, the page shows them a page at a time, each with
#: its best candidates and a code to type any other (``_paged``); up to it, every weak
#: station on one page with every station of its partner grade offered.
PAGED_ABOVE = 200
#: Weak stations per page of a paged pairing.
PAGE_ROWS = 50
#: Best candidates a weak station's select offers on a paged pairing (besides the
#: proposal's partner and the one chosen so far).
OFFERED = 15
#: Partners left over and stations already paired named at most on a paged pairing.
NAMED_AT_MOST = 100


@dataclass(frozen=True)
class InForceRow:
    pairing: BranchPairing
    weak_grade: GradeDisplay
    strong_grade: GradeDisplay
    sentence: str
    end_initial: str
    end_min: str


@dataclass(frozen=True)
class ChosenRow:
    """A weak station's partner as the committee chose it, scored by the month's rule."""

    partner: Station
    grade: GradeDisplay
    benefit: float
    as_proposed: bool
    sentence: str


@dataclass(frozen=True)
class WeakRow:
    """A weak station's line of the proposal, with its partner choice."""

    station: Station
    grade: GradeDisplay
    field: BoundField
    partner: Station | None  # the proposal's
    partner_grade: GradeDisplay | None
    benefit: float | None
    km: float | None
    sentence: str  # the pair's reasons, or why it has no partner
    chosen: ChosenRow | None  # after "Check"
    code_field: BoundField | None = None  # a paged pairing's "another station (code)"


@dataclass(frozen=True)
class Check:
    total: float
    optimal: float
    share_pct: int | None
    warnings: list[str]


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE_ALL_STATIONS, raise_exception=True)
def pairing(request: HttpRequest) -> HttpResponse:
    month, context = month_page(request)
    if month.company is None or month.period is None:
        return render(request, "improvement/pairing.html", context)
    company, period = month.company, month.period
    names = selectors.indicator_names()
    held = in_force_page(request, selectors.pairings_in_force(company.pk, period))
    context["in_force_page"] = held
    context["in_force"] = [
        _in_force_row(pairing, names, period, opening_period(month.runs))
        for pairing in held.object_list
    ]
    plan = selectors.pairing_month(company.pk, period) if month.run else None
    if plan is None:
        return render(request, "improvement/pairing.html", context)
    if len(plan.weak_stations()) > PAGED_ABOVE:
        return _paged(request, month, context, plan, names)
    form = PairingForm(
        request.POST if request.method == "POST" else None,
        based_on=period,
        weak=_weak_choices(plan),
    )
    check = evaluation = None
    if form.is_bound and form.is_valid():
        evaluation = plan.evaluate(form.chosen_pairs())
        if request.POST.get("action") == "accept" and _accept(
            request, form, company, plan, evaluation
        ):
            return redirect(page_url("improvement:pairing", period))
        check = _check(plan, evaluation)
    context.update(
        plan=plan,
        form=form,
        check=check,
        start_period=format_period(plan.start),
        rows=_weak_rows(plan, form, evaluation, names),
        left_strong=_left_strong(plan),
        already_paired=_already_paired(plan),
    )
    return render(request, "improvement/pairing.html", context)


def _paged(
    request: HttpRequest,
    month: MonthChoice,
    context: dict,
    plan: selectors.PairingMonth,
    names: dict[str, str],
) -> HttpResponse:
    """The pairing of a company with many weak stations, a page at a time (of a county
    if chosen): the changes the committee makes are kept (``pairing_draft``) as it moves
    between pages, and Check and Accept take the whole company, every row nobody
    changed with the proposal's partner."""
    company, period = month.company, month.period
    draft = pairing_draft.load(request, plan)
    page = Paginator(plan.weak_stations(month.county_id), PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    form = PairingPageForm(
        request.POST if request.method == "POST" else None,
        based_on=period,
        weak=_page_choices(plan, list(page.object_list), draft),
        resolve=_resolver(plan),
    )
    check = evaluation = None
    here = _paged_url(period, month.county_id, page.number)
    if form.is_bound:
        action = request.POST.get("action")
        if action == "discard":
            pairing_draft.discard(request, plan)
            messages.info(request, _("Your changes were discarded: every row takes the proposal."))
            return redirect(here)
        if form.rows_valid():
            draft = pairing_draft.save(request, plan, draft, form.chosen())
            if action not in ("check", "accept"):  # a page button: the choices are kept
                # (a page button posts no action; "Go" posts "goto")
                return redirect(_paged_url(period, month.county_id, _page_number(request)))
            if form.is_valid():
                evaluation = plan.evaluate(draft.pairs(plan))
                if action == "accept" and _accept(request, form, company, plan, evaluation):
                    pairing_draft.discard(request, plan)
                    return redirect(page_url("improvement:pairing", period))
                check = _check(plan, evaluation)
    left_strong, already_paired = _left_strong(plan), _already_paired(plan)
    context.update(
        plan=plan,
        form=form,
        check=check,
        start_period=format_period(plan.start),
        rows=_weak_rows(plan, form, evaluation, names),
        left_strong=left_strong[:NAMED_AT_MOST],
        left_strong_count=len(left_strong),
        already_paired=already_paired[:NAMED_AT_MOST],
        already_paired_count=len(already_paired),
        paged=True,
        page=page,
        changes=len(draft.changes),
        counties=counties(company.pk),
        county_id=month.county_id,
        offered=OFFERED,
    )
    return render(request, "improvement/pairing.html", context)


def _page_choices(
    plan: selectors.PairingMonth, weak_ids: list[int], draft: pairing_draft.Draft
) -> list[tuple[int, str, list, int | None]]:
    """A page's weak stations, each with its proposed partner, the one chosen so far
    and its best candidates (``OFFERED``) to choose from."""
    best = plan.best_partners(weak_ids, OFFERED)
    proposed = plan.proposed_partners()
    weak = []
    for station_id in weak_ids:
        current = draft.partner(plan, station_id)
        offered = dict.fromkeys(
            [pk for pk in (proposed.get(station_id), current) if pk is not None]
            + best.get(station_id, [])
        )
        partners = [(pk, _partner_label(plan, pk)) for pk in offered]
        weak.append((station_id, plan.stations[station_id].name, partners, current))
    return weak


def _resolver(plan: selectors.PairingMonth) -> Resolver:
    """Finds a typed code among the company's stations and checks it by the plan's rule
    (``PairingMonth.refusal``); says why one is refused, naming it."""

    def resolve(weak: int, code: str) -> tuple[int | None, str | None]:
        strong = plan.station_with_code(code)
        if strong is None:
            return None, _("No station of %(company)s has the code %(code)s.") % {
                "company": plan.month.run.company.name,
                "code": code[:64],
            }
        reason = plan.refusal(weak, strong)
        if reason is None:
            return strong, None
        return None, _refusal_text(plan, weak, strong, reason)

    return resolve


def _refusal_text(plan: selectors.PairingMonth, weak: int, strong: int, reason: str) -> str:
    station = plan.stations[strong]
    named = {"station": station.name, "code": station.code, "weak": plan.stations[weak].name}
    if reason == selectors.OTHER_COUNTY:
        return _(
            "%(station)s (%(code)s) is in %(county)s: %(weak)s takes a partner of its own "
            "county, %(own)s."
        ) % (named | {"county": station.county.name, "own": plan.stations[weak].county.name})
    if reason == selectors.ALREADY_PAIRED:
        return _("%(station)s (%(code)s) is already in a pairing until %(month)s.") % (
            named | {"month": format_period(plan.busy[strong].end_month)}
        )
    grade = plan.grade(strong)
    wanted = plan.partner_grade(weak)
    return _(
        "%(station)s (%(code)s) is graded %(grade)s this month: %(weak)s takes a partner "
        "graded %(wanted)s."
    ) % (
        named
        | {
            "grade": grade_display(grade).label if grade else _("not graded"),
            "wanted": grade_display(wanted).label if wanted else "–",
        }
    )


def _page_number(request: HttpRequest) -> int:
    """The page a page button asks for (the paginator clamps it when shown)."""
    text = request.POST.get("goto") or request.POST.get("goto_page") or ""
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 7 else 1


def _paged_url(period: date, county_id: int | None, number: int) -> str:
    county = f"&county={county_id}" if county_id else ""
    return f"{page_url('improvement:pairing', period)}{county}&page={number}#proposal"


def _accept(
    request: HttpRequest,
    form: PairingForm | PairingPageForm,
    company: Company,
    plan: selectors.PairingMonth,
    evaluation: PairingEvaluation,
) -> bool:
    """Record the pairs checked (one page or all of a paged one); False, with the
    service's refusal on the form, when it refuses."""
    try:
        accepted = services.accept_pairing(
            company=company,
            based_on=plan.month.period,
            pairs=services.chosen_pairs(plan, evaluation),
            span=form.span(),
            user=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    _report_accepted(request, accepted)
    return True


def _in_force_row(
    pairing: BranchPairing, names: dict, period: date, latest: date | None
) -> InForceRow:
    weak, strong = pairing.weak_station, pairing.strong_station
    sentence = pair_sentence(
        weak.name,
        strong.name,
        lines_from_record(pairing.reasons, names),
        selectors.station_distance_km(weak, strong),
    )
    end = pairing.end_proposed(period, latest)
    return InForceRow(
        pairing,
        grade_display(pairing.weak_grade),
        grade_display(pairing.strong_grade),
        sentence,
        format_period(end),
        format_period(pairing.earliest_end(latest)),
    )


def _weak_choices(plan: selectors.PairingMonth) -> list[tuple[int, str, list, int | None]]:
    """Every yellow and green station (weakest first) with the stations of its partner
    grade (best first; of its county only, when the company pairs within counties); a
    station already paired is marked, and proposed to nobody."""
    proposed = plan.proposed_partners()
    weak = []
    for weak_grade, strong_grade in PAIRING_RULE:
        partners = [
            (station_id, _partner_label(plan, station_id))
            for station_id in plan.stations_graded(strong_grade, best_first=True)
        ]
        for station_id in plan.stations_graded(weak_grade, best_first=False):
            name = plan.stations[station_id].name
            offered = [item for item in partners if plan.same_county(station_id, item[0])]
            weak.append((station_id, name, offered, proposed.get(station_id)))
    return weak


def _partner_label(plan: selectors.PairingMonth, station_id: int) -> str:
    name = plan.stations[station_id].name
    busy = plan.busy.get(station_id)
    if busy is None:
        return name
    return _("%(station)s (already paired until %(month)s)") % {
        "station": name,
        "month": format_period(busy.end_month),
    }


def _sentence(plan: selectors.PairingMonth, weak: int, strong: int, names: dict) -> str:
    return pair_sentence(
        plan.stations[weak].name,
        plan.stations[strong].name,
        lines_from_strengths(plan.reasons(weak, strong), names),
        plan.distance_km(weak, strong),
    )


def _weak_rows(
    plan: selectors.PairingMonth,
    form: PairingForm | PairingPageForm,
    evaluation: PairingEvaluation | None,
    names: dict[str, str],
) -> list[WeakRow]:
    """The rows of the weak stations not already paired (with the committee's choice
    scored, once it was checked)."""
    station_names = {pk: station.name for pk, station in plan.stations.items()}
    pairs = {pair.weak: pair for pair in plan.proposal.pairs}
    left = {item.station: item for item in plan.proposal.unpaired}
    chosen = (
        {weak: (strong, benefit) for weak, strong, benefit in evaluation.benefits}
        if evaluation
        else {}
    )
    rows = []
    for station_id in form.weak_ids:
        if station_id in plan.busy:
            continue
        pair = pairs.get(station_id)
        if pair is not None:
            sentence = _sentence(plan, station_id, pair.strong, names)
        else:
            item = left[station_id]
            sentence = unpaired_text(
                item,
                station_names,
                _all_taken(plan, item),
                within_county=plan.within_county,
            )
        choice = chosen.get(station_id)
        rows.append(
            WeakRow(
                station=plan.stations[station_id],
                grade=grade_display(plan.grade(station_id)),
                field=form[PairingForm.partner_field(station_id)],
                partner=plan.stations[pair.strong] if pair else None,
                partner_grade=grade_display(pair.strong_grade) if pair else None,
                benefit=pair.benefit if pair else None,
                km=pair.distance_km if pair else None,
                sentence=sentence,
                chosen=_chosen_row(plan, station_id, choice, pair, names) if choice else None,
                code_field=(
                    form[form.code_field(station_id)] if isinstance(form, PairingPageForm) else None
                ),
            )
        )
    return rows


def _chosen_row(
    plan: selectors.PairingMonth,
    weak: int,
    choice: tuple[int, float],
    pair: Pair | None,
    names: dict[str, str],
) -> ChosenRow:
    strong, benefit = choice
    return ChosenRow(
        partner=plan.stations[strong],
        grade=grade_display(plan.grade(strong)),
        benefit=benefit,
        as_proposed=pair is not None and pair.strong == strong,
        sentence=_sentence(plan, weak, strong, names),
    )


def _check(plan: selectors.PairingMonth, evaluation: PairingEvaluation) -> Check:
    """The committee's pairing against the proposal, and what is wrong with it."""
    name = {pk: station.name for pk, station in plan.stations.items()}
    warnings = []
    partners = Counter(strong for _weak, strong, _benefit in evaluation.benefits)
    for station in evaluation.over_capacity:
        warnings.append(
            _("%(station)s is chosen as the partner of %(count)d stations; a station takes one.")
            % {"station": name[station], "count": partners[station]}
        )
    for weak, strong in evaluation.off_rule:
        if weak in plan.busy or strong in plan.busy:
            continue  # said below
        warnings.append(
            _("%(weak)s and %(strong)s are not a yellow–red or green–orange pair.")
            % {"weak": name[weak], "strong": name[strong]}
        )
    chosen = dict.fromkeys(s for weak, strong, _b in evaluation.benefits for s in (weak, strong))
    for station in chosen:
        if station in plan.busy:
            warnings.append(
                _("%(station)s is already in a pairing until %(month)s: accepting is refused.")
                % {"station": name[station], "month": format_period(plan.busy[station].end_month)}
            )
    if not evaluation.benefits:
        warnings.append(_("No station is given a partner."))
    share = evaluation.share
    return Check(
        total=evaluation.total_benefit,
        optimal=evaluation.optimal_benefit,
        share_pct=round(share * 100) if share is not None else None,
        warnings=warnings,
    )


def _report_accepted(request: HttpRequest, accepted: services.PairingAcceptance) -> None:
    if not accepted.created:
        messages.info(request, _("These pairs were already recorded; nothing was added."))
        return
    first = accepted.pairings[0]
    count = len(accepted.pairings)
    messages.success(
        request,
        ngettext(
            "%(count)d pair was recorded; it runs %(months)s.",
            "%(count)d pairs were recorded; they run %(months)s.",
            count,
        )
        % {"count": count, "months": first.span_text},
    )


def _left_strong(plan: selectors.PairingMonth) -> list[tuple[Station, GradeDisplay, str]]:
    """The red and orange stations the proposal leaves without a partner, and why."""
    weak = set(PAIRED_WEAK_GRADES)
    names = {pk: station.name for pk, station in plan.stations.items()}
    return [
        (
            plan.stations[item.station],
            grade_display(item.grade),
            unpaired_text(item, names, _all_taken(plan, item), within_county=plan.within_county),
        )
        for item in plan.proposal.unpaired
        if item.grade not in weak
    ]


def _all_taken(plan: selectors.PairingMonth, item: Unpaired) -> bool:
    """Whether stations of the partner grade exist this month, all already paired."""
    return any(plan.grade(station_id) == item.partner_grade for station_id in plan.busy)


def _already_paired(plan: selectors.PairingMonth) -> list[tuple[Station, GradeDisplay, object]]:
    """Stations of a pairing grade left out because a pairing runs into the start month."""
    rows = []
    for station_id, pairing in plan.busy.items():
        grade = plan.grade(station_id)
        if grade in PAIRING_GRADES:
            rows.append((plan.stations[station_id], grade_display(grade), pairing))
    return sorted(rows, key=lambda row: (row[1].position, row[0].sort_key, row[0].code))


# --- Ending early -----------------------------------------------------------------------


@require_POST
@permission_required(MANAGE_ALL_STATIONS, raise_exception=True)
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    company = viewed_company(request)
    item = record_or_404(
        BranchPairing.objects.select_related("weak_station", "strong_station"),
        pk=pk,
        company=company,
    )
    label = f"{item.weak_station.name} – {item.strong_station.name}"
    if end_early(request, item, label, services.end_pairing, "pairing"):
        messages.success(
            request,
            _("The pairing of %(weak)s and %(strong)s now ends in %(month)s.")
            % {
                "weak": item.weak_station.name,
                "strong": item.strong_station.name,
                "month": format_period(item.end_month),
            },
        )
    return redirect(page_url("improvement:pairing", posted_period(request)))
