"""A realistic month of the committee's work in the demo company, recorded through the
real services: measures with causes and check-ins, accepted branch pairings and
department help, and two secretary projects whose progress the data measures (梅林's
line-loss project works: ``demo.company.PROJECT_GAINS``; 大碶's does not).

Dates are set as if the work had been recorded month by month (``_backdate``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from improvement import services
from improvement.models import CheckIn, Measure, SecretaryProject
from improvement.selectors import default_span, help_month, pairing_month
from improvement.services import IndicatorCause, MeasureFields
from indicators.models import Indicator
from indicators.periods import add_months
from scoring.engine.grades import GREEN
from stations.models import Station

MEILIN = "梅林供电所"


@dataclass(frozen=True)
class DemoMeasure:
    station: str
    months_before: int  # based on the grades of this many months before the last
    title: str
    owner: str
    due_in: int  # months after the month it is based on
    causes: tuple[IndicatorCause, ...]
    details: str = ""
    check_ins: tuple[tuple[int, str, str], ...] = ()  # (days after recording, note, status)
    recorded_by: str = "committee"  # a demo user name


DEMO_MEASURES = (
    DemoMeasure(
        "梅林供电所",
        4,
        "台区线损逐户排查与计量装置更换",
        "王旭东（所长）",
        4,
        (
            IndicatorCause("line_loss", "station", "计量装置老化，抄表不同步"),
            IndicatorCause("frequent_outage", "external", "山区线路长，雷雨季节跳闸多"),
        ),
        details="对全所 126 个台区逐户核对户变关系，更换老旧电能表，每周通报线损率。",
        recorded_by="secretary",
        check_ins=(
            (12, "完成 43 个高损台区的户变关系核对。", "in_progress"),
            (40, "更换老旧电能表 210 只，高损台区降至 18 个。", ""),
            (75, "线损率连续两个月下降，继续跟踪剩余高损台区。", ""),
        ),
    ),
    DemoMeasure(
        "梅林供电所",
        3,
        "故障抢修“一小时到场”承诺",
        "陈建国（运维班班长）",
        2,
        (IndicatorCause("fault_outage", "station", "抢修力量分散，夜间响应慢"),),
        recorded_by="secretary",
        check_ins=(
            (20, "设立两个抢修驻点，夜间值班表已公布。", "in_progress"),
            (58, "近两个月平均到场时间 48 分钟，措施完成。", "done"),
        ),
    ),
    DemoMeasure(
        "大碶供电所",
        2,
        "客户回访与投诉闭环管理",
        "周敏（营业班班长）",
        3,
        (
            IndicatorCause("customer_satisfaction", "station", "投诉回访不及时"),
            IndicatorCause("getting_electricity", "unknown"),
        ),
        check_ins=((15, "建立投诉工单日清制度。", "in_progress"),),
        recorded_by="daqi",
    ),
    DemoMeasure(
        "溪口供电所",
        1,
        "频繁停电线路专项治理",
        "何立新（运维班）",
        3,
        (IndicatorCause("frequent_outage", "external", "林区线路树障多，需政府协调砍伐"),),
    ),
)


def record_demo_work(company, last: date, users: dict) -> None:
    """The committee's work up to the demo's last month ``last``, recorded by the demo
    ``users`` (user name → user; a missing one records as nobody)."""
    for demo in DEMO_MEASURES:
        _record_measure(company, demo, last, users.get(demo.recorded_by))
    committee = users.get("committee")
    _record_pairings(company, last, committee)
    _record_help(company, last, committee)
    for project in DEMO_PROJECTS:
        _record_project(company, project, last, users)


#: 梅林's pairing was chosen from the grades of this many months before the last.
MEILIN_PAIRED_MONTHS_BEFORE = 4
#: Last month's department help: this many stations of each of the first departments.
HELP_PER_DEPARTMENT = 2
HELP_DEPARTMENTS = 3


def _record_pairings(company, last: date, user) -> None:
    """梅林 paired with the red station the proposal gave it four months before the last,
    until the last month; then last month's review: the whole proposal from the grades
    of the month before the last, for a quarter, but for two partners the committee
    swapped."""
    meilin = Station.objects.get(name=MEILIN, county__company=company)
    based_on = add_months(last, -MEILIN_PAIRED_MONTHS_BEFORE)
    plan = pairing_month(company.pk, based_on)
    partner = plan.proposed_partners()[meilin.pk]
    services.accept_pairing(
        company=company,
        based_on=based_on,
        pairs=services.chosen_pairs(plan, plan.evaluate([(meilin.pk, partner)])),
        span=services.Span(add_months(based_on, 1), last, "党建联建：线损与抢修经验交流"),
        user=user,
    )
    based_on = add_months(last, -1)
    plan = pairing_month(company.pk, based_on)
    pairs = plan.proposal.as_pairs()
    green = [index for index, pair in enumerate(plan.proposal.pairs) if pair.weak_grade == GREEN]
    if len(green) >= 2:  # the committee knows two partners better placed the other way
        first, second = green[-2], green[-1]
        pairs[first], pairs[second] = (
            (pairs[first][0], pairs[second][1]),
            (pairs[second][0], pairs[first][1]),
        )
    services.accept_pairing(
        company=company,
        based_on=based_on,
        pairs=services.chosen_pairs(plan, plan.evaluate(pairs)),
        span=services.Span(*default_span(based_on)),
        user=user,
    )


def _record_help(company, last: date, user) -> None:
    """Last month's review: the first departments help their first lagging stations."""
    based_on = add_months(last, -1)
    plan = help_month(company.pk, based_on)
    rows = [
        services.ChosenHelp(row.station, row.indicator, row.indicator.department)
        for department, department_rows in plan.groups[:HELP_DEPARTMENTS]
        if department
        for row in department_rows[:HELP_PER_DEPARTMENT]
    ]
    services.accept_help(
        company=company,
        based_on=based_on,
        rows=rows,
        span=services.Span(*default_span(based_on)),
        user=user,
    )


def _record_measure(company, demo: DemoMeasure, last: date, user) -> Measure:
    station = Station.objects.get(name=demo.station, county__company=company)
    based_on = add_months(last, -demo.months_before)
    measure = services.create_measure(
        station=station,
        fields=MeasureFields(
            title=demo.title,
            owner=demo.owner,
            due_month=add_months(based_on, demo.due_in),
            details=demo.details,
        ),
        based_on=based_on,
        causes=list(demo.causes),
        user=user,
    )
    recorded = _backdate(Measure, measure.pk, add_months(based_on, 1), days=3)
    for days, note, status in demo.check_ins:
        check_in = services.add_check_in(measure=measure, note=note, new_status=status, user=user)
        _backdate(CheckIn, check_in.pk, recorded, days=days)
    return measure


def _backdate(model, pk: int, start: date | datetime, *, days: int) -> datetime:
    """Set a row's ``created_at`` to ``days`` after ``start`` (a month's first day or a
    time), as if it had been recorded then."""
    if isinstance(start, datetime):
        when = start + timedelta(days=days)
    else:
        when = timezone.make_aware(datetime.combine(start, time(9, 30))) + timedelta(days=days)
    model.objects.filter(pk=pk).update(created_at=when)
    return when


@dataclass(frozen=True)
class DemoProject:
    station: str
    secretary: str  # a demo user name
    indicator: str
    months_before: int  # its first month is this many months before the last
    goal_grade: str
    goal_in: int  # the goal month, this many months after the last
    title: str
    plan: str
    milestones: tuple[tuple[int, str, int | None], ...] = ()  # (due, title, done days after)
    check_ins: tuple[tuple[int, str], ...] = ()  # (days after recording, note)


DEMO_PROJECTS = (
    DemoProject(  # the one that works (demo.company.PROJECT_GAINS)
        "梅林供电所",
        "secretary",
        "line_loss",
        3,
        "orange",
        4,
        "线损治理攻坚",
        "书记任组长，成立线损治理攻坚小组：逐台区核对户变关系，更换老旧计量装置，"
        "每周通报高损台区，每月在支部会上讲评。",
        milestones=(
            (0, "完成全部高损台区户变关系核对", 25),
            (2, "更换老旧电能表 300 只", 70),
            (4, "高损台区清零", None),
        ),
        check_ins=(
            (10, "攻坚小组成立，43 个高损台区分包到人。"),
            (45, "高损台区降至 18 个，线损指数回升。"),
            (80, "线损指数连续上升，继续巩固剩余高损台区。"),
        ),
    ),
    DemoProject(
        "大碶供电所",
        "daqi",
        "team_performance",
        2,
        "green",
        3,
        "班组绩效提升",
        "修订班组绩效考核细则，每月开展班组绩效讲评，党员班组长带头认领短板任务。",
        milestones=((0, "修订班组绩效考核细则", None), (2, "每月班组绩效讲评会", None)),
        check_ins=((20, "已召开班组长会议，考核细则初稿待讨论。"),),
    ),
)


def _record_project(company, demo: DemoProject, last: date, users: dict) -> SecretaryProject:
    station = Station.objects.get(name=demo.station, county__company=company)
    start = add_months(last, -demo.months_before)
    user = users.get(demo.secretary)
    project = services.create_project(
        station=station,
        indicator=Indicator.objects.get(code=demo.indicator),
        start_month=start,
        fields=services.ProjectFields(
            title=demo.title,
            plan=demo.plan,
            goal_grade=demo.goal_grade,
            goal_month=add_months(last, demo.goal_in),
            secretary=user,
        ),
        user=user,
    )
    recorded = _backdate(SecretaryProject, project.pk, start, days=3)
    for due_in, title, done_after in demo.milestones:
        milestone = services.add_milestone(
            project=project, title=title, due_month=add_months(start, due_in)
        )
        if done_after is not None:
            services.set_milestone_done(
                milestone=milestone, done=True, today=(recorded + timedelta(days=done_after)).date()
            )
    for days, note in demo.check_ins:
        check_in = services.check_in_on_project(project=project, note=note, user=user)
        _backdate(CheckIn, check_in.pk, recorded, days=days)
    return project
