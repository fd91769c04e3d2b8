"""Weight versions, method versions and imports are recorded once, with their actor and
the values before (the previous version) and after."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from indicators.models import ImportSource
from indicators.services import import_indicator_file
from scoring.engine import ScoringMethod
from scoring.services import create_method_version, create_weight_set
from scoring.services.versions import INITIAL_METHOD_REASON
from tests.conftest import TODAY
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip
EQUAL = dict.fromkeys(CODES, "10.00")
SAFETY_FIRST = {**dict.fromkeys(CODES, "9.00"), "safety": "19.00"}


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_new_company_records_its_initial_weights_without_a_user(on_commit):
    with on_commit():
        company = CompanyFactory(name="宁波")
    [entry] = entries(Action.WEIGHTS_CREATED)
    assert (entry.actor, entry.actor_name, entry.before) == (None, "", None)
    assert entry.after == {
        "company": "宁波",
        "version": 1,
        "effective_from": "2000-01",
        "reason": "Initial equal weights",
        "weights": EQUAL,
    }
    assert entry.reason == "Initial equal weights"
    assert (entry.target_type, entry.target_id) == (
        "scoring.weightset",
        str(company.weight_sets.get().pk),
    )
    with translation.override("en"):
        assert entry.actor_label == "system / command line"


def test_a_weight_version_is_recorded_on_commit_with_the_previous_weights(on_commit):
    with on_commit():
        company = CompanyFactory(name="宁波")
    user = UserFactory(username="planner")
    with on_commit():
        weight_set = create_weight_set(
            company=company,
            weights={code: Decimal(value) for code, value in SAFETY_FIRST.items()},
            effective_from=date(2026, 10, 1),
            reason="safety first",
            user=user,
        )
        assert entries(Action.WEIGHTS_CREATED)[1:] == [], "the weights are not written yet"
    [_initial, entry] = entries(Action.WEIGHTS_CREATED)
    assert (entry.actor, entry.actor_name, entry.target_id) == (user, "planner", str(weight_set.pk))
    assert entry.before == {
        "company": "宁波",
        "version": 1,
        "effective_from": "2000-01",
        "reason": "Initial equal weights",
        "weights": EQUAL,
    }
    assert entry.after == {
        "company": "宁波",
        "version": 2,
        "effective_from": "2026-10",
        "reason": "safety first",
        "weights": SAFETY_FIRST,
    }
    assert entry.reason == "safety first"


def test_set_weights_on_the_command_line_is_recorded_without_a_user(on_commit, write_file):
    with on_commit():
        CompanyFactory()
    path = write_file("w.csv", "indicator_code,weight\n" + "".join(
        f"{code},{value}\n" for code, value in SAFETY_FIRST.items()
    ))  # fmt: skip
    with on_commit(), translation.override("en"):
        call_command("set_weights", str(path), "--effective-from", "2026-10", stdout=io.StringIO())
    entry = entries(Action.WEIGHTS_CREATED)[-1]
    assert (entry.actor, entry.actor_name) == (None, "")
    assert entry.after["weights"] == SAFETY_FIRST
    assert entry.before["weights"] == EQUAL


def test_a_method_version_is_recorded_against_the_default_then_the_previous_version():
    company = CompanyFactory(name="宁波", method=None)  # version 1 as a new company gets it
    user = UserFactory(username="planner")
    zscore = ScoringMethod(normalisation="zscore")
    first = create_method_version(
        company=company,
        method=zscore,
        effective_from=date(2026, 9, 1),
        reason="z-scores",
        user=user,
        recompute=False,
    )
    quotas = ScoringMethod(normalisation="zscore", quotas_pct=(10, 20, 40, 20, 10))
    create_method_version(
        company=company, method=quotas, effective_from=date(2026, 10, 1), reason="", user=None
    )
    [initial, entry, second] = entries(Action.METHOD_CREATED)
    default = json.loads(json.dumps(ScoringMethod().as_record()))
    # The company's version 1 (absolute, the seeded targets) against the default.
    assert (initial.actor, initial.reason) == (None, INITIAL_METHOD_REASON)
    assert initial.before == {"company": "宁波", "params": default}
    assert initial.after["version"] == 1
    assert initial.after["params"]["goalposts"]["line_loss"] == [3.0, 9.0]
    assert (entry.actor, entry.target_id, entry.reason) == (user, str(first.pk), "z-scores")
    assert entry.before == initial.after
    assert entry.after == {
        "company": "宁波",
        "version": 2,
        "effective_from": "2026-09",
        "reason": "z-scores",
        "params": json.loads(json.dumps(zscore.as_record())),
    }
    assert entry.after["params"]["normalisation"] == "zscore"
    assert (second.actor, second.actor_name) == (None, "")
    assert second.before == entry.after
    assert second.after["params"]["quotas_pct"] == [10, 20, 40, 20, 10]
    assert second.after["version"] == 3


def test_an_import_is_recorded_with_its_file_and_the_user_who_loaded_it(three_stations, write_file):
    user = UserFactory(username="loader")
    path = write_file(
        "may.csv",
        "station_code,period,indicator_code,value\nS1,2026-05,safety,90\nS2,2026-05,safety,80\n",
    )
    with translation.override("en"):
        result = import_indicator_file(
            path, source=ImportSource.COMMAND_LINE, user=user, today=TODAY
        )
    [entry] = entries(Action.IMPORT_LOADED)
    assert (entry.actor, entry.actor_name, entry.before) == (user, "loader", None)
    assert (entry.target_type, entry.target_id) == ("indicators.importbatch", str(result.batch.pk))
    assert entry.after == {
        "company": three_stations[0].county.company.name,
        "file_name": "may.csv",
        "file_sha256": result.batch.file_sha256,
        "source": "cli",
        "row_count": 2,
        "value_count": 2,
        "periods": ["2026-05"],
    }
    assert len(entry.after["file_sha256"]) == 64


def test_an_unused_weight_version_deleted_in_the_admin_is_recorded_with_what_it_held(
    client, superuser
):
    company = CompanyFactory(name="宁波")
    typo = create_weight_set(
        company=company,
        weights={code: Decimal(value) for code, value in SAFETY_FIRST.items()},
        effective_from=date(2030, 1, 1),
        reason="typo",
        recompute=False,
    )
    client.force_login(superuser)
    url = reverse("admin:scoring_weightset_delete", args=[typo.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    [entry] = entries(Action.WEIGHTS_DELETED)
    assert (entry.actor, entry.target_id, entry.after, entry.reason) == (
        superuser,
        str(typo.pk),
        None,
        "typo",
    )
    assert entry.before == {
        "company": "宁波",
        "version": 2,
        "effective_from": "2030-01",
        "reason": "typo",
        "weights": SAFETY_FIRST,
    }


def test_a_deleted_method_version_is_recorded_with_its_parameters():
    company = CompanyFactory(name="宁波")
    method = ScoringMethod(normalisation="zscore")
    version = create_method_version(
        company=company, method=method, effective_from=date(2030, 1, 1), reason="", recompute=False
    )
    version.delete()
    [entry] = entries(Action.METHOD_DELETED)
    assert (entry.actor, entry.after) == (None, None)
    assert entry.before == {
        "company": "宁波",
        "version": 2,  # after the company's version 1
        "effective_from": "2030-01",
        "reason": "",
        "params": json.loads(json.dumps(method.as_record())),
    }
