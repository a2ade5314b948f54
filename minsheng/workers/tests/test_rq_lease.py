"""The lease on Redis (TASKS_BACKEND=redis), on a real redis-server: a job left started by a
worker that died is found by the next registry cleanup once its entry expired (the lease
after the dead worker's last heartbeat) and queued again, at most MAX_CLAIMS runs in all;
a job that raised is not retried."""

import time

import django_rq
import pytest
from django_tasks_rq import Job
from rq.job import JobStatus

from minsheng.notify.jobs import notify_sweep_job
from minsheng.notify.tests.test_redis import on_redis, redis_url  # noqa: F401 - fixtures
from minsheng.workers.rq_worker import ABANDONED_COUNT, Worker
from minsheng.workers.services import MAX_CLAIMS

pytestmark = pytest.mark.django_db


def _job(job_id: str) -> Job:
    job = django_rq.get_queue("default", job_class=Job).fetch_job(job_id)
    assert job is not None
    return job  # type: ignore[return-value]  # the queue makes its own job class


def _dies_in(job_id: str, name: str) -> None:
    """A worker takes the job and dies in it: its execution is in the started registry,
    the job STARTED, and nothing beats for it any more."""
    queue = django_rq.get_queue("default", job_class=Job)
    worker = Worker([queue], connection=queue.connection, name=name)
    job = _job(job_id)
    assert queue.remove(job) == 1  # what dequeueing does
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)


def _cleanup_after(seconds: float) -> None:
    """The registry cleanup a live worker runs, `seconds` from now."""
    queue = django_rq.get_queue("default", job_class=Job)
    survivor = Worker([queue], connection=queue.connection, name=f"alive-{time.monotonic_ns()}")
    queue.started_job_registry.cleanup(
        timestamp=time.time() + seconds, exception_handlers=survivor._exc_handlers
    )


def test_an_abandoned_job_is_queued_again_until_it_took_three_workers_down(settings, on_redis):  # noqa: F811
    settings.TASKS_LEASE_SECONDS = 15
    job_id = notify_sweep_job.enqueue().id
    queue = django_rq.get_queue("default", job_class=Job)

    _dies_in(job_id, "w1")
    assert job_id not in queue.job_ids
    _cleanup_after(10)  # within the lease (10 s monitoring + 15 s): still its worker's
    assert _job(job_id).get_status() == JobStatus.STARTED

    for run, worker in enumerate(["w2", "w3"], start=1):
        _cleanup_after(25)  # past it: queued again, at the front
        job = _job(job_id)
        assert (job.get_status(), job.meta[ABANDONED_COUNT]) == (JobStatus.QUEUED, run)
        assert queue.job_ids[0] == job_id
        _dies_in(job_id, worker)

    _cleanup_after(25)
    job = _job(job_id)
    assert (job.get_status(), job.meta[ABANDONED_COUNT]) == (JobStatus.FAILED, MAX_CLAIMS)
    assert job_id in queue.failed_job_registry


def test_the_lease_sets_rqs_heartbeat_and_cleanup_intervals(settings, on_redis):  # noqa: F811
    settings.TASKS_LEASE_SECONDS = 30
    queue = django_rq.get_queue("default", job_class=Job)
    worker = django_rq.get_worker("default")  # the class settings.RQ names, as rqworker's
    assert isinstance(worker, Worker)
    worker = Worker([queue], connection=queue.connection, worker_ttl=420)  # rqworker's default
    assert (worker.job_monitoring_interval, worker.maintenance_interval) == (10, 15)
    assert worker.worker_ttl == 30  # so an idle worker wakes to clean every 15 s
    job = _job(notify_sweep_job.enqueue().id)
    assert worker.get_heartbeat_ttl(job) == 10 + 30
