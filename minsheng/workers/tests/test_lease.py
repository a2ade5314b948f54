"""The database backend's lease: a task whose worker stopped beating is run again by another
worker within the lease; a live worker's long task is left alone; a task that took three
workers down is failed for good, saying why."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from minsheng.notify.jobs import notify_sweep_job
from minsheng.workers import services
from minsheng.workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _claimed_by(worker_id: str) -> DBTaskResult:
    """A queued task, taken by `worker_id` as db_worker takes one (then the worker dies)."""
    result = notify_sweep_job.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    return row


def _beat(worker_id: str, now) -> None:
    services.heartbeat_record(worker_id=worker_id, hostname="h", pid=1, started_at=now, now=now)


def test_a_dead_workers_task_is_run_again_and_a_live_workers_is_not(settings, monkeypatch):
    settings.TASKS_LEASE_SECONDS = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _beat("dead", start)
        _beat("alive", start)
        lost = _claimed_by("dead")
        long_running = _claimed_by("alive")

    # Within the lease nothing is taken from anyone.
    with time_machine.travel(start + timedelta(seconds=29), tick=False):
        assert services.tasks_requeue_abandoned(now=timezone.now()).requeued == []

    # Past it, only the silent worker loses its task; the live one kept beating.
    later = start + timedelta(seconds=31)
    with time_machine.travel(later, tick=False):
        _beat("alive", later)
        swept = services.tasks_requeue_abandoned(now=timezone.now())
        assert swept.requeued == [str(lost.pk)]
        assert services.tasks_requeue_abandoned(now=timezone.now()).requeued == []  # once
    lost.refresh_from_db()
    long_running.refresh_from_db()
    assert (lost.status, long_running.status) == ("READY", "RUNNING")

    # Another worker takes it up and finishes it. (The worker drops connections that are not
    # in autocommit mode, as the test's is; on PostgreSQL that would end the test's session.)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    lost.refresh_from_db()
    assert lost.status == "SUCCESSFUL"
    assert lost.worker_ids[0] == "dead"
    assert len(lost.worker_ids) == 2


def test_a_task_that_took_three_workers_down_fails_for_good(settings):
    settings.TASKS_LEASE_SECONDS = 30
    moment = timezone.now()
    row = _claimed_by("w1")
    for worker in ("w2", "w3"):
        moment += timedelta(seconds=31)
        with time_machine.travel(moment, tick=False):
            assert services.tasks_requeue_abandoned(now=timezone.now()).requeued == [str(row.pk)]
        row.refresh_from_db()
        row.claim(worker)
    moment += timedelta(seconds=31)
    with time_machine.travel(moment, tick=False):
        swept = services.tasks_requeue_abandoned(now=timezone.now())
    assert swept.failed == [str(row.pk)]
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == services.ABANDONED
    assert "3 times" in row.traceback


def test_task_worker_beats_runs_the_queue_and_leaves_no_heartbeat(settings, monkeypatch):
    # The worker drops connections that are not in autocommit mode, as the test's is.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    queued = notify_sweep_job.enqueue()
    seen: list[str] = []
    real_record = services.heartbeat_record

    def record(**kwargs):
        seen.append(kwargs["worker_id"])
        real_record(**kwargs)

    monkeypatch.setattr(services, "heartbeat_record", record)
    call_command(
        "task_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "w-test"
    )
    assert seen == ["w-test"]  # it beat before claiming anything
    assert DBTaskResult.objects.get(pk=queued.id).status == "SUCCESSFUL"
    assert not WorkerHeartbeat.objects.exists()  # a clean stop takes its row away
