"""``set_targets --unit CODE``: a unit's common targets, like ``set_weights``/``set_method
--unit``: checked whole, audited, and the inheriting companies re-graded."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from audit.models import Action, AuditEntry
from scoring.engine import ScoringMethod
from scoring.engine.method import MINMAX
from scoring.models import MethodVersion, RunTrigger, ScoreRun
from scoring.services import publish_unit_method
from scoring.targets import SEED_TARGETS, SEED_THRESHOLDS
from tests.scoring.test_unit_methods import OCTOBER, SEPTEMBER, make_province


def _command(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def province(db):
    return make_province()


@pytest.mark.django_db
def test_set_targets_for_a_unit_regrades_the_inheriting_companies(
    province, write_file, django_capture_on_commit_callbacks
):
    unit, (ningbo, wenzhou, taizhou) = province
    path = write_file("targets.csv", "indicator_code,floor,target\nsafety,50,95\n")
    with django_capture_on_commit_callbacks(execute=True):
        output = _command(
            "set_targets", str(path), "--from", "2026-10", "--unit", "ZJ", "--reason", "省计划"
        )
    version = MethodVersion.objects.get(unit=unit)
    assert version.version == 1 and version.company is None and version.reason == "省计划"
    assert "Saved the targets of 1 indicators as method version 1" in output
    assert "Re-grade requested for 2 companies, 2 months in all." in output
    method = ScoringMethod.from_record(version.params)
    # The unit had no rules: the seeded method, with this target replaced.
    assert method.goalposts_for("safety") == (50.0, 95.0)
    low, high = sorted(SEED_TARGETS["line_loss"])
    assert method.goalposts_for("line_loss") == (low, high)
    assert method.thresholds == SEED_THRESHOLDS
    for company in (ningbo, wenzhou):
        [run] = ScoreRun.objects.filter(company=company, method_version=version)
        assert run.period == OCTOBER and run.trigger == RunTrigger.UNIT
    assert not ScoreRun.objects.filter(company=taizhou, method_version=version).exists()
    assert not ScoreRun.objects.filter(period=SEPTEMBER, method_version=version).exists()
    entry = AuditEntry.objects.filter(action=Action.METHOD_CREATED).latest("pk")
    assert entry.after["unit"] == "浙江省"


@pytest.mark.django_db
def test_a_units_targets_keep_its_common_rules_in_force(province, write_file):
    unit, _companies = province
    league = ScoringMethod(normalisation=MINMAX)
    publish_unit_method(
        unit=unit, method=league, effective_from=SEPTEMBER, reason="", recompute=False
    )
    path = write_file("targets.csv", "indicator_code,floor,target\nsafety,50,95\n")
    # Relative common rules: targets would not count, so nothing is saved.
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_targets", str(path), "--from", "2026-10", "--unit", "ZJ")
    assert "targets count only under absolute scoring" in str(caught.value)
    assert "Nothing was saved." in str(caught.value)
    assert MethodVersion.objects.filter(unit=unit).count() == 1


@pytest.mark.django_db
def test_set_targets_for_a_unit_checks_the_file_whole_and_the_unit(province, write_file):
    unit, _companies = province
    path = write_file("targets.csv", "indicator_code,floor,target\nsafety,50,95\nspeed,1,2\n")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_targets", str(path), "--from", "2026-10", "--unit", "ZJ")
    assert "line 3, column indicator_code: unknown indicator code 'speed'" in str(caught.value)
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("set_targets", str(path), "--from", "2026-10", "--unit", "NOPE")
    assert "There is no organisation unit with the code 'NOPE'." in str(caught.value)
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command(
            "set_targets", str(path), "--from", "2026-10", "--unit", "ZJ", "--company", "宁波"
        )
    assert "Give --company or --unit, not both." in str(caught.value)
    assert not MethodVersion.objects.filter(unit=unit).exists()
