"""Recompute runs are safe under at-least-once delivery and never lose a request."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from indicators.jobqueue import owned
from indicators.models import ImportBatch, Indicator, IndicatorValue
from mapviews.pagecache import DATA
from scoring import services
from scoring.models import RunStatus, RunTrigger, ScoreRun, StationScore
from scoring.services import runs
from tests.builders import run_month, score_month
from tests.factories import SEPTEMBER, ScoreRunFactory

PERIOD = date(2026, 9, 1)


def add_values(stations, period=PERIOD):
    company = stations[0].county.company
    batch = ImportBatch.objects.create(company=company, file_name="t.csv", source="cli")
    indicators = list(Indicator.objects.order_by("display_order"))
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            station=station, period=period, indicator=indicator, value=10 + 5 * n + i, batch=batch
        )
        for n, station in enumerate(stations)
        for i, indicator in enumerate(indicators)
    )
    return company


def new_run(company, period=PERIOD) -> ScoreRun:
    return ScoreRunFactory(company=company, period=period)


def stuck_run(stations, **fields) -> ScoreRun:
    """A run whose worker died two hours ago, mid-task."""
    run = new_run(add_values(stations))
    long_ago = timezone.now() - timedelta(hours=2)
    ScoreRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=long_ago, created_at=long_ago, **fields
    )
    return run


def score_rows():
    return list(
        StationScore.objects.order_by("id").values_list("id", "station_id", "score", "grade")
    )


@pytest.mark.django_db
class TestExecuteRun:
    def test_records_weights_method_counts_and_timing(self, three_stations):
        company = add_values(three_stations)
        run = new_run(company)
        outcome = services.execute_run(run.pk)
        run.refresh_from_db()
        assert outcome.status == RunStatus.DONE
        assert run.is_current and run.status == RunStatus.DONE
        assert run.weight_set.version == 1
        assert run.method == "minmax/quotas"
        assert run.method_params["quotas_pct"] == [20, 20, 20, 20, 20]
        assert run.method_params["coverage_min_pct"] == 80.0
        assert run.method_params["directions"]["line_loss"] == "lower"
        assert (run.station_count, run.graded_count, run.attempts) == (3, 3, 1)
        assert run.total_ms is not None and run.started_at <= run.finished_at
        assert sorted(run.scores.values_list("grade", flat=True)) == ["blue", "red", "yellow"]
        # The same inputs scored again are recognised as such.
        again = run_month(company, PERIOD)
        assert again.unchanged and again.input_fingerprint == run.input_fingerprint

    def test_executing_the_same_run_twice_changes_nothing(self, three_stations):
        run = new_run(add_values(three_stations))
        services.execute_run(run.pk)
        rows = score_rows()
        again = services.execute_run(run.pk)
        assert again.status == RunStatus.DONE
        assert score_rows() == rows
        run.refresh_from_db()
        assert run.attempts == 1

    def test_a_second_run_with_the_same_inputs_writes_no_rows(self, three_stations):
        company = add_values(three_stations)
        first = new_run(company)
        services.execute_run(first.pk)
        rows = score_rows()
        second = new_run(company)
        outcome = services.execute_run(second.pk)
        assert outcome.unchanged
        assert score_rows() == rows
        first.refresh_from_db()
        assert first.is_current

    def test_changed_data_makes_a_new_current_run_and_keeps_the_old(self, three_stations):
        company = add_values(three_stations)
        first = new_run(company)
        services.execute_run(first.pk)
        IndicatorValue.objects.filter(station=three_stations[0]).update(value=99)
        second = new_run(company)
        services.execute_run(second.pk)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.is_current, second.is_current) == (False, True)
        assert first.scores.count() == second.scores.count() == 3

    def test_transient_database_error_leaves_the_run_for_a_retry(self, three_stations, monkeypatch):
        run = new_run(add_values(three_stations))

        def broken(*args, **kwargs):
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(runs, "load_period_inputs", broken)
        with pytest.raises(OperationalError):
            services.execute_run(run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.QUEUED  # given back: the retry claims it at once
        monkeypatch.undo()
        assert services.execute_run(run.pk).status == RunStatus.DONE
        run.refresh_from_db()
        assert run.attempts == 2

    def test_a_bug_marks_the_run_failed_with_the_error(self, three_stations, monkeypatch):
        run = new_run(add_values(three_stations))

        def broken(*args, **kwargs):
            raise ValueError("bad shape")

        monkeypatch.setattr(runs.engine, "score_period", broken)
        assert services.execute_run(run.pk).status == RunStatus.FAILED
        run.refresh_from_db()
        assert run.error == "ValueError: bad shape"
        assert StationScore.objects.count() == 0

    def test_missing_run_is_ignored(self, db):
        assert services.execute_run(123456).status == "missing"


@pytest.mark.django_db
class TestRequests:
    def test_requests_for_a_waiting_month_are_coalesced(self, company):
        first = services.request_recompute(company, PERIOD, trigger=RunTrigger.IMPORT)
        second = services.request_recompute(company, PERIOD, trigger=RunTrigger.WEIGHTS)
        assert first.pk == second.pk
        assert ScoreRun.objects.count() == 1

    def test_run_is_enqueued_only_when_the_transaction_commits(
        self, three_stations, django_capture_on_commit_callbacks
    ):
        company = add_values(three_stations)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run = services.request_recompute(company, PERIOD, trigger=RunTrigger.IMPORT)
            assert ScoreRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
        # The enqueue, then the run's own: announcing the published grades (grades_published);
        # and the kept pages' new generation (mapviews/pagecache.py), once per transaction.
        assert len([c for c in callbacks if c != DATA.bump]) == 2
        run.refresh_from_db()
        assert run.status == RunStatus.DONE  # eager Celery ran it on commit
        assert run.enqueued_at is not None

    def test_broker_failure_leaves_the_run_queued(self, three_stations, monkeypatch):
        from scoring.tasks import recompute_period

        run = new_run(add_values(three_stations))

        def unreachable(*args, **kwargs):
            raise ConnectionRefusedError("broker down")

        monkeypatch.setattr(recompute_period, "apply_async", unreachable)
        services.enqueue_run(run.pk)  # must not raise
        run.refresh_from_db()
        assert (run.status, run.enqueued_at) == (RunStatus.QUEUED, None)

    def test_beat_job_sends_runs_left_behind(self, three_stations):
        company = add_values(three_stations)
        now = timezone.now()
        lost = new_run(company)
        ScoreRun.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=30))
        fresh = new_run(company, date(2026, 8, 1))  # just requested: not touched
        assert services.enqueue_pending_runs(now=now) == 1
        lost.refresh_from_db()
        fresh.refresh_from_db()
        assert lost.status == RunStatus.DONE
        assert fresh.status == RunStatus.QUEUED

    def test_beat_job_resends_a_run_whose_worker_died(self, three_stations):
        run = stuck_run(three_stations, attempts=1)
        assert services.enqueue_pending_runs() == 1
        run.refresh_from_db()
        assert (run.status, run.attempts) == (RunStatus.DONE, 2)

    def test_beat_job_resends_a_stuck_run_once_a_lease(self, three_stations):
        sent_lately = timezone.now() - timedelta(seconds=20)
        run = stuck_run(three_stations, attempts=1, enqueued_at=sent_lately)
        assert services.enqueue_pending_runs() == 0
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING

    def test_beat_job_resends_a_run_whose_worker_stopped_its_heartbeat(self, three_stations):
        """Before: a dead worker's run waited for the time limit plus 5 minutes (20 min)."""
        now = timezone.now()
        silent = stuck_run(three_stations, attempts=1)
        ScoreRun.objects.filter(pk=silent.pk).update(
            started_at=now - timedelta(seconds=90), heartbeat_at=now - timedelta(seconds=61)
        )
        assert services.enqueue_pending_runs(now=now) == 1
        silent.refresh_from_db()
        assert (silent.status, silent.attempts, StationScore.objects.count()) == (
            RunStatus.DONE,
            2,
            3,
        )

    def test_beat_job_leaves_a_run_whose_worker_is_alive(self, three_stations):
        now = timezone.now()
        alive = stuck_run(three_stations, attempts=1)
        ScoreRun.objects.filter(pk=alive.pk).update(
            started_at=now - timedelta(minutes=10), heartbeat_at=now - timedelta(seconds=20)
        )
        assert services.enqueue_pending_runs(now=now) == 0
        alive.refresh_from_db()
        assert (alive.status, alive.attempts) == (RunStatus.RUNNING, 1)

    def test_a_second_delivery_leaves_a_run_whose_worker_is_alive(self, three_stations):
        """Before: any delivery re-claimed a running run and held a worker slot on the
        month's lock for the whole run; now it answers at once and changes nothing."""
        alive = stuck_run(three_stations, attempts=1)
        ScoreRun.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now())
        outcome = services.execute_run(alive.pk)
        alive.refresh_from_db()
        assert (outcome.status, alive.status, alive.attempts) == ("running", "running", 1)
        assert StationScore.objects.count() == 0

    def test_beat_job_sends_a_run_that_never_reached_the_broker_at_once(self, three_stations):
        """Redis was down when the run was asked for: the next sweep sends it (before:
        5 minutes after the request)."""
        now = timezone.now()
        unsent = new_run(add_values(three_stations))
        ScoreRun.objects.filter(pk=unsent.pk).update(created_at=now - timedelta(seconds=30))
        assert services.enqueue_pending_runs(now=now) == 1
        unsent.refresh_from_db()
        assert unsent.status == RunStatus.DONE

    def test_a_twin_delivery_cannot_fail_a_finished_run(self, three_stations):
        run = new_run(add_values(three_stations))
        services.execute_run(run.pk)
        outcome = runs._fail(run.pk, owned(run.pk, 1, runs.WORKING), "SoftTimeLimitExceeded")
        run.refresh_from_db()
        assert (outcome.status, run.status, run.error) == (RunStatus.DONE, RunStatus.DONE, "")

    def test_beat_job_gives_up_after_max_attempts(self, three_stations):
        run = stuck_run(three_stations, attempts=services.MAX_ATTEMPTS)
        assert services.enqueue_pending_runs() == 0
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
        assert "Gave up" in run.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_runs_of_one_month_do_not_interleave(three_stations):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite test database locks whole tables")
    company = add_values(three_stations)
    IndicatorValue.objects.filter(station=three_stations[1]).update(value=1)
    runs = [new_run(company) for _ in range(4)]
    errors = []
    barrier = threading.Barrier(len(runs))

    def work(run_id):
        try:
            barrier.wait()
            services.execute_run(run_id)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(run.pk,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert ScoreRun.objects.filter(status=RunStatus.DONE).count() == 4
    assert ScoreRun.objects.filter(is_current=True).count() == 1
    # one run wrote the rows, the other three saw identical inputs and wrote none
    assert ScoreRun.objects.filter(unchanged=True).count() == 3
    assert StationScore.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_weight_versions_saved_at_once_get_distinct_numbers(company):
    from decimal import Decimal

    from scoring.models import WeightSet

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the in-memory SQLite test database locks whole tables")
    weights = {code: Decimal(10) for code in Indicator.objects.values_list("code", flat=True)}
    errors = []
    barrier = threading.Barrier(2)

    def save(month):
        try:
            barrier.wait()
            services.create_weight_set(
                company=company, weights=weights, effective_from=month, reason="t"
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(date(2026, month, 1),)) for month in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(WeightSet.objects.values_list("version", flat=True)) == [1, 2, 3]


def test_stored_rows_equal_the_engine_and_omit_missing_indicators(three_stations):
    """The same rows whichever way they are written (COPY on PostgreSQL, bulk_create else)."""
    score_month(three_stations, SEPTEMBER, [10, 20, None])
    rows = {
        row.station.code: row
        for row in StationScore.objects.select_related("station").filter(run__is_current=True)
    }
    assert rows["S3"].normalised == {} and rows["S3"].ungraded_reason == "no_data"
    assert rows["S3"].score is None and rows["S3"].rank is None
    assert rows["S1"].normalised["safety"] == 0.0 and rows["S2"].normalised["safety"] == 100.0
    assert rows["S1"].normalised["line_loss"] == 100.0  # lower is better
    assert len(rows["S1"].normalised) == 10
    # N = 2 graded: cut-offs 0, 1, 1, 2, 2, so the best of two is orange.
    assert (rows["S2"].score, rows["S2"].rank, rows["S2"].grade) == (60.0, 1, "orange")
    assert rows["S1"].coverage == 1.0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({"a": [1.0, np.nan], "b": [np.nan, np.nan]}, ['"a":1.0', ""]),
        ({"a": [np.nan, 2.5], "b": [np.nan, 1e-07]}, ["", '"a":2.5,"b":0.0000001']),
        ({}, []),
    ],
)
def test_normalised_values_are_written_as_json_without_missing_indicators(rows, expected):
    import json

    frame = pd.DataFrame(rows, dtype=float)
    cells = runs._normalised_json(frame)
    assert cells == expected
    for cell, (_index, row) in zip(cells, frame.iterrows(), strict=True):
        assert json.loads("{" + cell + "}") == {k: v for k, v in row.items() if v == v}


def test_no_indicator_columns_still_gives_one_cell_per_station():
    assert runs._normalised_json(pd.DataFrame(index=[1, 2])) == ["", ""]


def test_a_run_stored_without_a_complete_summary_is_computed_afresh(three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    ScoreRun.objects.update(summary={"median_score": 50.0})  # as before the summary grew
    company = three_stations[0].county.company
    again = run_month(company, SEPTEMBER)
    assert again.unchanged is False and again.is_current
    assert again.summary.keys() >= runs.SUMMARY_KEYS
    # With the summary complete, the same inputs are recognised as unchanged.
    third = run_month(company, SEPTEMBER)
    assert third.unchanged is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_renews_the_heartbeat_of_the_run_it_computes(three_stations, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so no heartbeat is sent")
    from django.conf import settings

    monkeypatch.setattr(settings, "JOB_LEASE_SECONDS", 0.4)  # renewed every 0.1 s
    run = new_run(add_values(three_stations))
    seen = []
    real_score = runs.engine.score_period

    def slow_score(*args, **kwargs):
        for _ in range(20):  # until the heartbeat thread has renewed the row
            stamp = ScoreRun.objects.values_list("heartbeat_at", flat=True)
            seen.append(stamp.get(pk=run.pk))
            if len(set(seen)) > 1:
                break
            threading.Event().wait(0.1)
        return real_score(*args, **kwargs)

    monkeypatch.setattr(runs.engine, "score_period", slow_score)
    assert services.execute_run(run.pk).status == RunStatus.DONE
    assert len(set(seen)) > 1
