"""The demo's two secretary projects: 梅林's works, 大碶's does not (as the README says)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from demo.company import COMPANY_NAME, ensure_users, load_demo
from demo.work import record_demo_work
from improvement.engine.progress import OFF_TRACK, ON_TRACK
from improvement.models import SecretaryProject
from improvement.selectors import projects_progress
from stations.models import Company

LAST = date(2026, 10, 1)


@pytest.mark.django_db
def test_the_demo_projects_progress_as_told(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo(today=date(2026, 11, 21)) is True  # the last month is 2026-10
    # In a test the months are scored on commit, after load_demo: record the work now.
    ensure_users()
    users = {user.username: user for user in get_user_model().objects.all()}
    record_demo_work(Company.objects.get(name=COMPANY_NAME), LAST, users)
    projects = {
        project.station.name: project
        for project in SecretaryProject.objects.select_related("station", "secretary")
    }
    assert set(projects) == {"梅林供电所", "大碶供电所"}
    progress = projects_progress(list(projects.values()))
    meilin, daqi = projects["梅林供电所"], projects["大碶供电所"]
    assert (meilin.secretary.username, meilin.start_month) == ("secretary", date(2026, 7, 1))
    assert progress[meilin.pk].state == ON_TRACK
    assert progress[daqi.pk].state == OFF_TRACK
    assert daqi.secretary.username == "daqi"
    assert meilin.milestones.filter(done_on__isnull=False).count() == 2
    assert meilin.check_ins.count() == 3
    # The rest of the month's work: measures with causes and check-ins, 梅林's pairing
    # until the last month, last month's round (two partners swapped by the committee),
    # and department help.
    from improvement.models import BranchPairing, DepartmentHelp, Measure

    measures = Measure.objects.prefetch_related("links", "check_ins")
    assert sorted(m.station.name for m in measures) == [
        "大碶供电所",
        "梅林供电所",
        "梅林供电所",
        "溪口供电所",
    ]
    assert all(m.links.count() >= 1 for m in measures)
    assert sum(m.check_ins.count() for m in measures) == 6
    meilin_pairing = BranchPairing.objects.get(weak_station__name="梅林供电所")
    assert (meilin_pairing.end_month, meilin_pairing.as_proposed) == (LAST, True)
    latest_round = BranchPairing.objects.filter(start_month=LAST)
    assert latest_round.count() >= 10
    assert latest_round.filter(as_proposed=False).count() == 2
    assert set(latest_round.values_list("weak_grade", "strong_grade").distinct()) == {
        ("yellow", "red"),
        ("green", "orange"),
    }
    assert DepartmentHelp.objects.filter(start_month=LAST).count() == 6
