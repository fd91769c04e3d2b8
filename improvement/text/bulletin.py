"""The bulletin in words: its summary line and its sections as tables of cells, in the
active language. The Excel and PDF renderers draw these tables; the page uses the same
wording, so the three say the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from improvement.engine.progress import ON_TRACK, PROGRESS_GROUPS
from improvement.models import ProjectStatus
from improvement.selectors import StationWork
from improvement.selectors.bulletin import (
    MOVES,
    PROJECTS,
    STREAK_MONTHS,
    WEAK,
    Bulletin,
    Listing,
    ProjectLine,
    StationMove,
    WeakStation,
)
from improvement.text.labels import PROGRESS_GROUP_LABELS, PROGRESS_STATES
from indicators.periods import format_period
from mapviews.text import signed
from scoring.engine.grades import RED
from scoring.gradechange import contradiction_text
from scoring.grades import GradeDisplay


@dataclass(frozen=True)
class GradeCell:
    """A grade: drawn filled with its colour and always carrying its label."""

    grade: GradeDisplay
    note: str = ""  # e.g. the month: "Blue · Average (2026-11)"

    @property
    def text(self) -> str:
        return f"{self.grade.label} ({self.note})" if self.note else self.grade.label


@dataclass(frozen=True)
class Alert:
    """Text that must stand out (a weak station with nothing being done)."""

    text: str


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters (Excel); the PDF shares the page width in proportion
    kind: str = "text"  # text, number, score (two decimals), change (signed), grade


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    sheet: str  # a short name for the Excel sheet (at most 31 characters)
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    empty: str  # said instead of the table when it has no rows
    note: str = ""
    #: What the table leaves out, when a list is longer than the bulletin shows
    #: ("and 3,012 more weak stations"), and where the whole list is.
    more: tuple[str, ...] = ()


def title(bulletin: Bulletin) -> str:
    """The title of every format; a month under review says so (the PDF and the workbook
    carry no page badge)."""
    text = _("Five-colour map monthly bulletin %(period)s") % {
        "period": format_period(bulletin.period)
    }
    return f"{text} ({_('Provisional')})" if bulletin.provisional else text


def file_stem(bulletin: Bulletin) -> str:
    """The downloaded file's name without extension: 通报-2026-11 / bulletin-2026-11."""
    stem = _("bulletin")
    return f"{stem}-{format_period(bulletin.period)}"


def summary(bulletin: Bulletin) -> str:
    """One line for the top: red stations and moves, weak stations, secretary projects."""
    red = bulletin.count_of(RED)
    colours = ngettext("%(count)d %(grade)s station", "%(count)d %(grade)s stations", red.now) % {
        "count": red.now,
        "grade": red.grade.label,
    }
    if bulletin.previous_period is None:
        colours += _(", last month not scored")
    else:
        up, down = bulletin.moved_up.total, bulletin.moved_down.total
        colours += _(" (%(change)s)") % {"change": signed(red.change, 0)}
        colours += ngettext(
            ", %(up)d station moved up, %(down)d down",
            ", %(up)d stations moved up, %(down)d down",
            up,
        ) % {"up": up, "down": down}
    weak = ngettext(
        "%(count)d weak station, %(nothing)d with nothing being done",
        "%(count)d weak stations, %(nothing)d with nothing being done",
        bulletin.weak.total,
    ) % {"count": bulletin.weak.total, "nothing": bulletin.nothing_done_count}
    projects = ngettext(
        "%(count)d secretary project, %(on_track)d on track",
        "%(count)d secretary projects, %(on_track)d on track",
        len(bulletin.projects),
    ) % {"count": len(bulletin.projects), "on_track": len(bulletin.projects_in(ON_TRACK))}
    return _("%(period)s: %(colours)s; %(weak)s; %(projects)s.") % {
        "period": format_period(bulletin.period),
        "colours": colours,
        "weak": weak,
        "projects": projects,
    }


def sections(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> list[Section]:
    """The bulletin's tables; ``whole_lists``: where each cut list can be downloaded whole
    (list key → address), said under it."""
    return [
        counts_section(bulletin),
        moves_section(bulletin, whole_lists),
        weak_section(bulletin, whole_lists),
        projects_section(bulletin, whole_lists),
    ]


def more_moved_up(more: int) -> str:
    return ngettext(
        "and %(count)d more station moved up", "and %(count)d more stations moved up", more
    ) % {"count": more}


def more_moved_down(more: int) -> str:
    return ngettext(
        "and %(count)d more station moved down", "and %(count)d more stations moved down", more
    ) % {"count": more}


def more_weak(more: int) -> str:
    return ngettext("and %(count)d more weak station", "and %(count)d more weak stations", more) % {
        "count": more
    }


def more_projects(more: int) -> str:
    return ngettext(
        "and %(count)d more secretary project", "and %(count)d more secretary projects", more
    ) % {"count": more}


def shown_text(listing: Listing) -> str:
    """ "Showing the first 30 of 8,123" for a cut list."""
    return _("Showing the first %(shown)d of %(total)d") % {
        "shown": len(listing.rows),
        "total": listing.total,
    }


def whole_list_text(url: str) -> str:
    return _("The whole list: %(url)s") % {"url": url}


def _more(lines: list[str], key: str, whole_lists: Mapping[str, str] | None) -> tuple[str, ...]:
    """The lines under a cut list, with where the whole list is."""
    if lines and whole_lists and key in whole_lists:
        lines.append(whole_list_text(whole_lists[key]))
    return tuple(lines)


def counts_section(bulletin: Bulletin) -> Section:
    before = format_period(bulletin.previous_period) if bulletin.previous_period else "–"
    return Section(
        key="counts",
        title=_("Stations per colour"),
        sheet=_("Colours"),
        columns=(
            Column(_("Grade"), 16, "grade"),
            Column(
                _("This month (%(period)s)") % {"period": format_period(bulletin.period)},
                16,
                "number",
            ),
            Column(_("Last month (%(month)s)") % {"month": before}, 16, "number"),
            Column(_("Change"), 10, "change"),
        ),
        rows=tuple(
            (GradeCell(count.grade), count.now, count.before, count.change)
            for count in bulletin.counts
        ),
        empty="",
        note="" if bulletin.previous_period else _("Last month was not scored."),
    )


def moves_section(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> Section:
    up, down = bulletin.moved_up, bulletin.moved_down
    moves = (*up.rows, *down.rows)
    more = []
    if up.more:
        more.append(f"{shown_text(up)}: {more_moved_up(up.more)}.")
    if down.more:
        more.append(f"{shown_text(down)}: {more_moved_down(down.more)}.")
    return Section(
        key="moves",
        title=_("Stations that moved a grade"),
        sheet=_("Moves"),
        columns=(
            Column(_("Station"), 16),
            Column(_("County"), 9),
            Column(_("Change"), 12),
            Column(_("Last month"), 15, "grade"),
            Column(_("This month"), 15, "grade"),
            Column(_("Score then"), 9, "score"),
            Column(_("Score now"), 9, "score"),
            Column(_("Rank then"), 8, "number"),
            Column(_("Rank now"), 8, "number"),
        ),
        rows=tuple(_move_row(move) for move in moves),
        empty=(
            _("No station changed its grade since last month.")
            if bulletin.previous_period
            else _("Last month was not scored, so there is nothing to compare with.")
        ),
        more=_more(more, MOVES, whole_lists),
    )


def move_text(move: StationMove) -> str:
    """The grades moved, and why when the score moved the other way (so the scores next
    to it never contradict the colours silently)."""
    if move.steps > 0:
        text = ngettext("up %(n)d grade", "up %(n)d grades", move.steps) % {"n": move.steps}
    else:
        text = ngettext("down %(n)d grade", "down %(n)d grades", -move.steps) % {"n": -move.steps}
    note = contradiction_text(move.against_score)
    return _("%(change)s. %(why)s") % {"change": text, "why": note} if note else text


def _move_row(move: StationMove) -> tuple:
    return (
        move.station.name,
        move.station.county.name,
        move_text(move),
        GradeCell(move.before),
        GradeCell(move.after),
        move.score_before,
        move.score_now,
        move.rank_before,
        move.rank_now,
    )


def weak_months_value(station: WeakStation) -> int | str:
    """The weak streak: a number, or "24+" when it runs past the months read."""
    return months_run(station.weak_months)


def months_run(months: int, counted: int = STREAK_MONTHS) -> int | str:
    """A run of months as every page writes it: the number, or "24+" ("12+") when it
    runs past the ``counted`` months read. The one wording of the bulletin and the review."""
    return f"{counted}+" if months > counted else months


def weak_streak_text(months: int) -> str:
    """The review's words for a station's weak streak, in the bulletin's numbers."""
    return ngettext(
        "green or yellow for %(months)s month in a row",
        "green or yellow for %(months)s months in a row",
        months,
    ) % {"months": months_run(months)}


def months_text(months: int, counted: int) -> str:
    """ "3 months", or "12+ months" for a run that fills all ``counted`` months read."""
    shown = f"{counted}+" if months >= counted else months
    return ngettext("%(months)s month", "%(months)s months", months) % {"months": shown}


def work_lines(work: StationWork, station_id: int) -> list[str]:
    """What is being done for a station, one line per measure, pairing, help, project."""
    lines = [
        _("Measure: %(title)s (due %(month)s)")
        % {"title": measure.title, "month": format_period(measure.due_month)}
        for measure in work.measures
    ]
    for pairing in work.pairings:
        partner = pairing.partner_of(station_id).station
        lines.append(
            _("Branch pairing with %(station)s until %(month)s")
            % {"station": partner.name, "month": format_period(pairing.end_month)}
        )
    for item in work.help:
        lines.append(
            _("Help from %(department)s on %(indicator)s until %(month)s")
            % {
                "department": item.department_label,
                "indicator": item.indicator.name,
                "month": format_period(item.end_month),
            }
        )
    for project in work.projects:
        lines.append(_("Secretary project: %(title)s") % {"title": project.title})
    return lines


def nothing_done_text() -> str:
    return _("Nothing being done")


def weak_section(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> Section:
    weak = bulletin.weak
    more = [f"{shown_text(weak)}: {more_weak(weak.more)}."] if weak.more else []
    rows = []
    for station in weak.rows:
        lines = work_lines(station.work, station.station.pk)
        rows.append(
            (
                station.station.name,
                station.station.county.name,
                GradeCell(station.grade),
                _list([indicator.name for indicator in station.lagging]) or "–",
                weak_months_value(station),
                "\n".join(lines) if lines else Alert(nothing_done_text()),
            )
        )
    return Section(
        key="weak",
        title=_("Weak stations"),
        sheet=_("Weak stations"),
        columns=(
            Column(_("Station"), 14),
            Column(_("County"), 9),
            Column(_("Grade"), 12, "grade"),
            Column(_("Indicators graded yellow"), 30),
            Column(_("Months weak in a row"), 11, "number"),
            Column(_("What is being done"), 38),
        ),
        rows=tuple(rows),
        empty=_("No weak station this month."),
        note=_(
            "Weak: graded green or yellow, or yellow on any indicator. Months weak in a row "
            "counts the months graded green or yellow."
        ),
        more=_more(more, WEAK, whole_lists),
    )


def group_text(group: str) -> str:
    return str(PROGRESS_GROUP_LABELS[group])


def state_text(line: ProjectLine) -> str:
    text = str(PROGRESS_STATES[line.progress.state])
    if line.ended_status == ProjectStatus.COMPLETED:
        text += _(", completed this month")
    elif line.ended_status == ProjectStatus.STOPPED:
        text += _(", stopped this month")
    return text


def projects_section(bulletin: Bulletin, whole_lists: Mapping[str, str] | None = None) -> Section:
    rows, more = [], []
    shown = [bulletin.projects_shown(group) for group in PROGRESS_GROUPS]
    for listing in shown:
        if listing.more:
            group = group_text(listing.rows[0].group)
            more.append(f"{group}: {shown_text(listing)}: {more_projects(listing.more)}.")
    for line in (line for listing in shown for line in listing.rows):
        latest = line.progress.latest
        rows.append(
            (
                group_text(line.group),
                line.project.station.name,
                line.project.title,
                line.project.indicator.name,
                GradeCell(line.latest_grade, format_period(latest.period)) if latest else "–",
                GradeCell(
                    line.goal, _("by %(month)s") % {"month": format_period(line.project.goal_month)}
                ),
                state_text(line),
            )
        )
    return Section(
        key="projects",
        title=_("Secretary projects"),
        sheet=_("Secretary projects"),
        columns=(
            Column(_("Progress"), 12),
            Column(_("Station"), 16),
            Column(_("Project"), 28),
            Column(_("Indicator"), 12),
            Column(_("Indicator's latest grade"), 22, "grade"),
            Column(_("Goal"), 22, "grade"),
            Column(_("State"), 20),
        ),
        rows=tuple(rows),
        empty=_("No secretary project was running this month."),
        more=_more(more, PROJECTS, whole_lists),
    )


def _list(items: list[str]) -> str:
    return pgettext("list separator", ", ").join(items)
