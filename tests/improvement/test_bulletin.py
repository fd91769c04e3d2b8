"""The monthly bulletin: what the reader finds in scored months, and the page, Excel and
PDF that show it."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from improvement.engine.progress import (
    MISSED,
    OFF_TRACK,
    ON_TRACK,
    PROGRESS_GROUPS,
    REACHED,
    WAITING,
)
from improvement.models import (
    CheckIn,
    MeasureStatus,
    ProjectStatus,
)
from improvement.reports import fonts
from improvement.selectors.bulletin import read_bulletin
from improvement.text import bulletin as text
from indicators.models import Indicator
from tests.downloads import body, saved_name
from tests.factories import (
    DepartmentHelpFactory,
    MeasureFactory,
    PairingFactory,
    ProjectFactory,
    StationFactory,
    user_with_role,
)
from tests.mapviews.months import score_month

AUG, SEP, OCT, NOV, DEC = (date(2026, month, 1) for month in (8, 9, 10, 11, 12))
NAMES = ["梅林供电所", "鄞江供电所", "横溪供电所", "古林供电所", "石碶供电所"]


@pytest.fixture
def stations(company):
    """Five stations over three months; one value for every indicator (six are
    higher-is-better, four lower-is-better), so the ranks follow the value:

    - August  50 40 30 20 10: red, orange, blue, green, yellow (S1 … S5);
    - September 10 20 – 15 5: S2 red, S4 orange, S1 green, S5 yellow, S3 no data;
    - October as August. S1 is red, but last on the four lower-is-better indicators
      (yellow there), so it is weak too.
    """
    county = company.counties.create(name="海曙")
    found = [
        StationFactory(code=f"S{n}", name=name, county=county)
        for n, name in enumerate(NAMES, start=1)
    ]
    score_month(found, AUG, [50, 40, 30, 20, 10])
    score_month(found, SEP, [10, 20, None, 15, 5])
    score_month(found, OCT, [50, 40, 30, 20, 10])
    return found


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def _project(station, code, start, goal_grade, goal_month, title, status=ProjectStatus.ACTIVE):
    return ProjectFactory(
        station=station,
        indicator=_indicator(code),
        title=title,
        start_month=start,
        goal_grade=goal_grade,
        goal_month=goal_month,
        status=status,
    )


def _ended(project, status, on: date) -> None:
    """The check-in that ended the project, dated ``on``."""
    check_in = CheckIn.objects.create(project=project, note="done", new_status=status)
    when = timezone.make_aware(datetime(on.year, on.month, on.day, 10))
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=when)


@pytest.fixture
def work(stations):
    """S4: an open measure. S1: department help to December. S5: only a finished
    measure and a pairing that ended in September (nothing being done in October).
    Projects: S1 safety (red in October: goal reached), S4 safety (not red at its goal
    month, October: missed), S3 one from November (no data yet) and one from December
    (not listed in October), S2 one completed in October and one stopped in September."""
    s1, s2, s3, s4, s5 = stations
    MeasureFactory(station=s4, title="巡视整改", owner="张", due_month=DEC, based_on=OCT)
    MeasureFactory(
        station=s5, title="旧举措", owner="李", due_month=SEP, based_on=AUG,
        status=MeasureStatus.DONE,
    )  # fmt: skip
    PairingFactory(weak_station=s5, strong_station=s1, based_on=AUG, start_month=SEP, end_month=SEP)
    DepartmentHelpFactory(
        department="营销部", indicator=_indicator("line_loss"), station=s1, based_on=AUG,
        start_month=OCT, end_month=DEC,
    )  # fmt: skip
    projects = {
        "reached": _project(s1, "safety", SEP, "orange", DEC, "安全提升"),
        "missed": _project(s4, "safety", SEP, "red", OCT, "安全攻坚"),
        "waiting": _project(s3, "safety", NOV, "blue", DEC, "新项目"),
        "future": _project(s3, "line_loss", DEC, "blue", DEC, "明年项目"),
        "completed": _project(s2, "safety", SEP, "red", DEC, "已完成", ProjectStatus.COMPLETED),
        "stopped": _project(s2, "line_loss", AUG, "red", DEC, "已终止", ProjectStatus.STOPPED),
    }
    _ended(projects["completed"], ProjectStatus.COMPLETED, date(2026, 10, 20))
    _ended(projects["stopped"], ProjectStatus.STOPPED, date(2026, 9, 10))
    return projects


def _codes(items) -> list[str]:
    return [item.station.code for item in items]


# --- The reader ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_compare_each_colour_with_last_month(stations):
    bulletin = read_bulletin(stations[0].county.company, OCT)
    counts = [
        (count.grade.code, count.now, count.before, count.change) for count in bulletin.counts
    ]
    assert counts == [
        ("red", 1, 1, 0),
        ("orange", 1, 1, 0),
        ("blue", 1, 0, 1),  # S3 is back
        ("green", 1, 1, 0),
        ("yellow", 1, 1, 0),
        ("ungraded", 0, 1, -1),  # shown: last month had one
    ]
    assert sum(count.now for count in bulletin.counts) == 5  # every station this month
    assert bulletin.previous_period == SEP


@pytest.mark.django_db
def test_moves_list_moved_up_first_then_the_biggest_drop_first(stations):
    bulletin = read_bulletin(stations[0].county.company, OCT)
    up = [(m.station.code, m.before.code, m.after.code, m.steps) for m in bulletin.moved_up.rows]
    down = [
        (m.station.code, m.before.code, m.after.code, m.steps) for m in bulletin.moved_down.rows
    ]
    assert up == [("S1", "green", "red", 3)]
    assert down == [("S4", "orange", "green", -2), ("S2", "red", "orange", -1)]
    assert (bulletin.moved_up.total, bulletin.moved_down.total) == (1, 2)
    s1 = bulletin.moved_up.rows[0]  # S3 (no data → blue) is no move
    assert (s1.score_before, s1.score_now, s1.rank_before, s1.rank_now) == (46.67, 60.0, 3, 1)


@pytest.mark.django_db
def test_the_first_scored_month_has_nothing_to_compare_with(stations):
    bulletin = read_bulletin(stations[0].county.company, AUG)
    assert bulletin.previous_period is None
    assert bulletin.moved_up.rows == bulletin.moved_down.rows == ()
    assert bulletin.moved_up.total == bulletin.moved_down.total == 0
    assert [count.before for count in bulletin.counts] == [None] * 5
    assert "last month not scored" in _english(text.summary, bulletin)


@pytest.mark.django_db
def test_an_unscored_month_has_no_bulletin(stations):
    assert read_bulletin(stations[0].county.company, NOV) is None


@pytest.mark.django_db
def test_weak_stations_worst_first_with_streak_and_work(work, stations):
    bulletin = read_bulletin(stations[0].county.company, OCT)
    assert _codes(bulletin.weak.rows) == ["S5", "S4", "S1"]
    assert (bulletin.weak.total, bulletin.weak.more) == (3, 0)
    s5, s4, s1 = bulletin.weak.rows
    assert (s5.grade.code, s5.weak_months) == ("yellow", 3)  # yellow since August
    assert (s4.grade.code, s4.weak_months) == ("green", 1)  # orange in September
    assert (s1.grade.code, s1.weak_months) == ("red", 0)  # weak by its indicators only
    assert [i.code for i in s1.lagging] == [
        "fault_outage",
        "frequent_outage",
        "line_loss",
        "integrity_risk",
    ]
    assert "safety" in [i.code for i in s5.lagging] and s4.lagging == ()
    # A finished measure and an ended pairing are not work: nothing is being done for S5.
    assert s5.nothing_done and s5.work.is_empty
    assert not s4.nothing_done and [m.title for m in s4.work.measures] == ["巡视整改"]
    assert not s1.nothing_done and [h.department for h in s1.work.help] == ["营销部"]
    assert bulletin.nothing_done_count == 1


@pytest.mark.django_db
def test_projects_grouped_on_track_off_track_then_waiting(work, stations):
    bulletin = read_bulletin(stations[0].county.company, OCT)
    listed = {line.project.title: line for line in bulletin.projects}
    assert set(listed) == {"安全提升", "安全攻坚", "新项目", "已完成"}  # not: future, stopped
    assert listed["安全提升"].progress.state == REACHED
    assert listed["安全提升"].group == ON_TRACK
    assert listed["安全提升"].latest_grade.code == "red"
    assert listed["安全攻坚"].progress.state == MISSED
    assert listed["安全攻坚"].group == OFF_TRACK
    assert listed["新项目"].progress.state == WAITING and listed["新项目"].group == WAITING
    assert listed["已完成"].ended_status == ProjectStatus.COMPLETED
    groups = [line.group for line in bulletin.projects]
    assert groups == sorted(groups, key=PROGRESS_GROUPS.index)
    assert [line.project.title for line in bulletin.projects_in(WAITING)] == ["新项目"]


@pytest.mark.django_db
def test_a_project_ended_later_shows_as_it_stood_in_the_month(work, stations):
    september = read_bulletin(stations[0].county.company, SEP)
    listed = {line.project.title: line for line in september.projects}
    assert listed["已终止"].ended_status == ProjectStatus.STOPPED  # stopped in September
    assert listed["已完成"].ended_status is None  # completed only in October
    assert "新项目" not in listed  # starts in November


@pytest.mark.django_db
def test_the_summary_line(work, stations):
    bulletin = read_bulletin(stations[0].county.company, OCT)
    assert _english(text.summary, bulletin) == (
        "2026-10: 1 Red · Excellent station (±0), 1 station moved up, 2 down; "
        "3 weak stations, 1 with nothing being done; "
        "4 secretary projects, 1 on track."
    )


@pytest.mark.django_db
def test_the_bulletin_is_read_in_a_fixed_number_of_queries(
    work, stations, django_assert_num_queries
):
    """Two months' runs, their grade counts and the moves between them (one aggregate),
    the work as of the month (with the check-ins that closed measures and projects), the
    moves up and down shown (each one query with their stations and both months' flags),
    the order of the weak stations, those shown and their streaks, and the projects: no
    query per station. A second reading finds the counts and the order kept for the runs."""
    with django_assert_num_queries(24):
        bulletin = read_bulletin(stations[0].county.company, OCT)
    with django_assert_num_queries(0):
        text.sections(bulletin)  # the renderers read nothing more
    with django_assert_num_queries(21):
        assert read_bulletin(stations[0].county.company, OCT) == bulletin


def _english(function, bulletin):
    """Read the bulletin again in English (grades carry their labels as text), word it."""
    with translation.override("en"):
        return function(read_bulletin(bulletin.company, bulletin.period))


# --- The page -----------------------------------------------------------------------------


@pytest.fixture
def committee(client, stations):
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("station_staff", 403), ("station_secretary", 403), ("admin", 200)]
)
def test_only_the_committee_and_admins_open_the_bulletin(client, stations, role, status):
    client.force_login(user_with_role(role, station=stations[0]))
    page = client.get(reverse("improvement:bulletin"), {"period": "2026-10"})
    download = client.get(reverse("improvement:bulletin_download", args=["2026-10", "pdf"]))
    assert (page.status_code, download.status_code) == (status, status)


@pytest.mark.django_db
def test_the_page_shows_the_bulletin(committee, work):
    response = committee.get(reverse("improvement:bulletin"), {"period": "2026-10"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Five-colour map monthly bulletin 2026-10" in page
    assert "3 weak stations, 1 with nothing being done" in page
    assert page.count("Nothing being done") == 1  # S5 only
    assert "巡视整改" in page and "Help from 营销部" in page
    assert "Yellow · Lagging" in page and "up 3 grades" in page and "down 2 grades" in page
    assert reverse("improvement:bulletin_download", args=["2026-10", "xlsx"]) in page
    moves = page[page.index('id="moves-title"') : page.index('id="weak-title"')]
    assert moves.index("梅林供电所") < moves.index("古林供电所") < moves.index("鄞江供电所")


@pytest.mark.django_db
def test_the_page_opens_on_the_latest_month_and_says_when_a_month_has_no_scores(committee):
    latest = committee.get(reverse("improvement:bulletin")).content.decode()
    assert "Five-colour map monthly bulletin 2026-10" in latest
    empty = committee.get(reverse("improvement:bulletin"), {"period": "2026-11"})
    assert empty.status_code == 200
    assert "2026-11 has no scores, so there is no bulletin for it." in empty.content.decode()


@pytest.mark.django_db
def test_the_page_is_in_chinese_by_default(client, work):
    client.force_login(user_with_role("party_committee"))
    page = client.get(reverse("improvement:bulletin"), {"period": "2026-10"}).content.decode()
    assert "红 · 优秀" in page and "黄 · 落后" in page


# --- The downloads ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unscored_month_downloads_nothing(committee):
    for file_format in ("xlsx", "pdf"):
        url = reverse("improvement:bulletin_download", args=["2026-11", file_format])
        response = committee.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == (
            "2026-11 has no scores, so there is no bulletin for it."
        )


def _workbook(response):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(body(response)))


@pytest.mark.django_db
def test_the_workbook_has_a_sheet_per_section_with_filled_labelled_grades(committee, work):
    response = committee.get(reverse("improvement:bulletin_download", args=["2026-10", "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert saved_name(response) == "bulletin-2026-10.xlsx"
    book = _workbook(response)
    assert book.sheetnames == ["Summary", "Colours", "Moves", "Weak stations", "Secretary projects"]
    assert book["Summary"]["A1"].value == "Five-colour map monthly bulletin 2026-10"
    summary = book["Summary"]
    assert [summary["A3"].value, summary["B3"].value] == ["Month", "2026-10"]
    assert summary["B4"].value.startswith("2026-10: 1 Red · Excellent station (±0)")
    weak = book["Weak stations"]
    assert weak.freeze_panes == "A2"
    assert [cell.value for cell in weak[1]][:3] == ["Station", "County", "Grade"]
    s5 = [cell for cell in weak[2]]
    assert [s5[0].value, s5[1].value, s5[2].value, s5[4].value] == [
        "石碶供电所",
        "海曙",
        "Yellow · Lagging",
        3,
    ]
    assert s5[2].fill.fgColor.rgb == "00FFD92F"  # the grade's colour, with its label
    assert s5[5].value == "Nothing being done" and s5[5].font.b
    assert weak.column_dimensions["F"].width > weak.column_dimensions["B"].width
    moves = book["Moves"]
    assert [moves.cell(2, c).value for c in (1, 3, 4, 5, 6, 7, 8, 9)] == [
        "梅林供电所",
        "up 3 grades",
        "Green · Weak",
        "Red · Excellent",
        46.67,
        60.0,
        3,
        1,
    ]
    assert moves.cell(2, 5).fill.fgColor.rgb == "00D7191C"
    counts = book["Colours"]
    assert [c.value for c in counts[4]] == ["Blue · Average", 1, 0, 1]


@pytest.mark.django_db
def test_the_chinese_workbook_has_chinese_labels(client, work):
    client.force_login(user_with_role("party_committee"))  # no language chosen: Chinese
    response = client.get(reverse("improvement:bulletin_download", args=["2026-10", "xlsx"]))
    assert saved_name(response) == "通报-2026-10.xlsx"
    assert _workbook(response).worksheets[3]["C2"].value == "黄 · 落后"


@pytest.mark.django_db
def test_a_chinese_file_name_is_sent_as_rfc_5987_asks(client, work):
    client.force_login(user_with_role("party_committee"))  # no language chosen: Chinese
    response = client.get(reverse("improvement:bulletin_download", args=["2026-10", "pdf"]))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E9%80%9A%E6%8A%A5-2026-10.pdf"
    )
    assert saved_name(response) == "通报-2026-10.pdf"
    assert int(response["Content-Length"]) == len(body(response))


def _pdf_text(content: bytes) -> str:
    """The PDF's text without any white space (the layout spaces words apart)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return "".join(result.stdout.decode().split())


@pytest.fixture
def font_cache():
    """The chosen font is cached per candidate list: each test chooses afresh."""
    fonts._first_usable.cache_clear()
    yield
    fonts._first_usable.cache_clear()


def pdf_fonts(content: bytes) -> dict[str, set[str]]:
    """Each font the PDF's pages use (its /BaseFont) and the keys of its font file in
    the descriptor (/FontFile2 for TrueType): read from the PDF's own dictionaries, so
    no poppler is needed. reportlab writes plain objects (no object streams)."""
    objects = {
        int(number): source
        for number, source in re.findall(rb"(\d+) 0 obj(.*?)endobj", content, flags=re.DOTALL)
    }
    found = {}
    for source in objects.values():
        if not re.search(rb"/Type\s*/Font\b", source) or b"/BaseFont" not in source:
            continue
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]]+)", source).group(1).decode()
        files: set[str] = set()
        for kind, reference in [
            ("descriptor", re.search(rb"/FontDescriptor\s+(\d+) 0 R", source)),
            ("descendant", re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", source)),
        ]:
            if reference is None:
                continue
            target = objects[int(reference.group(1))]
            if kind == "descendant":
                inner = re.search(rb"/FontDescriptor\s+(\d+) 0 R", target)
                target = objects[int(inner.group(1))] if inner else b""
            files |= {key.decode() for key in re.findall(rb"/(FontFile[23]?)\b", target)}
        found[name] = files
    return found


@pytest.mark.django_db
def test_the_pdf_embeds_its_chinese_font(client, work, font_cache, settings):
    """With nothing configured and no font installed on the machine, the PDF carries
    the project's Noto Sans SC subset: a reader without Chinese fonts still shows it."""
    settings.PDF_CJK_FONT = ""
    client.force_login(user_with_role("party_committee"))
    response = client.get(reverse("improvement:bulletin_download", args=["2026-10", "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    content = body(response)
    assert content.startswith(b"%PDF-")
    assert saved_name(response) == "通报-2026-10.pdf"
    used = pdf_fonts(content)
    assert used, "the PDF names no font"
    assert all(files == {"FontFile2"} for files in used.values()), used  # all embedded
    assert any("BulletinSansSC" in name for name in used)
    assert b"STSong-Light" not in content
    assert len(content) < 400_000  # a subset, not the whole 7 MB font
    if shutil.which("pdffonts") is not None:  # poppler agrees: emb yes, sub yes
        listing = subprocess.run(
            ["pdffonts", "-"], input=content, capture_output=True, check=False
        ).stdout.decode()
        if listing:
            rows = [line.split() for line in listing.splitlines()[2:]]
            assert rows and all(row[-5:-3] == ["yes", "yes"] for row in rows), listing
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    words = _pdf_text(content)
    assert all(name in words for name in NAMES[:2] + NAMES[3:])
    assert "黄·落后" in words and "2026-10" in words


def test_the_shipped_font_has_every_character_gbk_writes():
    """Station and company names come from GBK or UTF-8 tables: every ideograph GBK can
    write is in the font, and the grade labels' middle dot."""
    from reportlab.pdfbase.ttfonts import TTFont

    face = TTFont("shipped", str(fonts.BUNDLED_FONT)).face
    ideographs = [chr(code) for code in range(0x4E00, 0xA000) if _gbk_writes(chr(code))]
    assert len(ideographs) > 20_000
    missing = [
        char for char in ideographs + list("·—…“”（）：，。") if ord(char) not in face.charToGlyph
    ]
    assert missing == []
    licence = fonts.BUNDLED_FONT.parent / "OFL.txt"
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence.read_text(encoding="utf-8")


def _gbk_writes(char: str) -> bool:
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def write_cjk_font(path: Path, chars: str) -> Path:
    """A tiny TrueType font: one box glyph for each of ``chars`` (enough to embed and
    to extract text from; what the glyphs look like does not matter here)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 800))
    pen.lineTo((900, 800))
    pen.lineTo((900, 0))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap(dict.fromkeys(map(ord, chars), "box"))
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "box": (1000, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Bulletin Test", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))
    return path


#: Latin, punctuation, CJK symbols and the unified ideographs.
CJK_CHARS = "".join(
    chr(code)
    for first, last in [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2000, 0x206F),
        (0x3000, 0x30FF),
        (0x4E00, 0x9FFF),
        (0xFF00, 0xFFEF),
    ]
    for code in range(first, last + 1)
)


@pytest.mark.django_db
def test_the_pdf_embeds_a_configured_truetype_font(client, work, font_cache, settings, tmp_path):
    pytest.importorskip("fontTools")
    settings.PDF_CJK_FONT = str(write_cjk_font(tmp_path / "test-cjk.ttf", CJK_CHARS))
    client.force_login(user_with_role("party_committee"))
    response = client.get(reverse("improvement:bulletin_download", args=["2026-10", "pdf"]))
    content = body(response)
    assert content.startswith(b"%PDF-")
    assert all(files == {"FontFile2"} for files in pdf_fonts(content).values())
    names = list(pdf_fonts(content))
    assert names and all("Bulletin-Test" in name for name in names)  # the configured one
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    words = _pdf_text(content)
    assert all(name in words for name in NAMES[:2] + NAMES[3:])
    assert "黄·落后" in words  # the embedded font draws the middle dot itself


def test_a_font_without_chinese_is_passed_over(font_cache, settings, tmp_path, caplog):
    pytest.importorskip("fontTools")
    settings.PDF_CJK_FONT = str(write_cjk_font(tmp_path / "latin.ttf", "abcdefgh 0123456789"))
    # Listened to on the module's own logger: an earlier test's logging set-up may stop
    # its records before the root logger, where caplog listens by default.
    logger = logging.getLogger(fonts.__name__)
    caplog.set_level(logging.WARNING, logger=fonts.__name__)
    logger.addHandler(caplog.handler)
    try:
        font = fonts.cjk_font()
    finally:
        logger.removeHandler(caplog.handler)
    assert font.path == str(fonts.BUNDLED_FONT)  # the shipped font instead
    assert "cannot be embedded" in caplog.text


def test_a_font_path_that_is_no_file_stops_the_start_up(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_file

    monkeypatch.setenv("PDF_CJK_FONT", str(tmp_path / "missing.ttc"))
    with pytest.raises(ImproperlyConfigured, match="is not a file that exists"):
        env_file("PDF_CJK_FONT")
    monkeypatch.setenv("PDF_CJK_FONT", "")
    assert env_file("PDF_CJK_FONT") == ""
