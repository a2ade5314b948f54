"""RQ workers (TASKS_BACKEND=redis) with the same lease as `task_worker`, from RQ's own
mechanisms: a job's entry in the started-job registry lives as long as its worker's last
heartbeat plus a TTL, and the registry cleanup (a worker's maintenance) finds expired
entries, calls the exception handlers with `AbandonedJobError`, and retries the job if it
has retries left.

RQ's defaults make that slow (a TTL of the monitoring interval plus 60 s, cleanup every
10 minutes) and final (django-tasks-rq gives jobs no retries, so an abandoned job is only
moved to the failed registry). This worker class, named in settings.RQ["WORKER_CLASS"]:

- beats every TASKS_LEASE_SECONDS / 3 and lets an entry expire TASKS_LEASE_SECONDS after
  the last beat, and cleans the registries every TASKS_LEASE_SECONDS / 2, waking that
  often when idle too (RQ's idle wait is the worker TTL less 15 s: 405 s by default);
- gives an abandoned job one more run, up to MAX_CLAIMS runs in all (the same rule as the
  database lease). A job that failed by raising is not retried: only abandoned ones;
- calls each of settings.TASKS_WORKER_PRELOAD once, before it forks a work horse per job:
  what they load (the routing model) is then in every horse, copy-on-write, instead of
  being read again by every job (seconds each), as gunicorn's `when_ready` does for the web.
"""

import logging
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string
from rq.defaults import DEFAULT_WORKER_TTL
from rq.exceptions import AbandonedJobError
from rq.job import Job
from rq.worker import Worker as BaseWorker

from minsheng.workers.services import MAX_CLAIMS

logger = logging.getLogger(__name__)

ABANDONED_COUNT = "minsheng_abandoned"  # job.meta key: how often its worker died


def abandoned_job_retry(
    job: Job,
    exc_type: type[BaseException],
    exc_value: BaseException,
    traceback: TracebackType | None,
) -> None:
    """RQ exception handler: an abandoned job gets one retry, up to MAX_CLAIMS runs."""
    if exc_type is not AbandonedJobError or job.retries_left:
        return
    abandoned = int(job.meta.get(ABANDONED_COUNT, 0)) + 1
    job.meta[ABANDONED_COUNT] = abandoned
    job.save_meta()  # type: ignore[no-untyped-call]
    if abandoned < MAX_CLAIMS:
        job.retries_left = 1  # the cleanup that called us re-enqueues it, at the front


class Worker(BaseWorker):
    """rqworker's worker with a lease of TASKS_LEASE_SECONDS (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        lease = int(settings.TASKS_LEASE_SECONDS)
        kwargs.setdefault("job_monitoring_interval", max(lease // 3, 1))
        kwargs.setdefault("maintenance_interval", max(lease // 2, 2))
        if kwargs.get("worker_ttl") in (None, DEFAULT_WORKER_TTL):  # rqworker passes 420
            kwargs["worker_ttl"] = kwargs["maintenance_interval"] + 15
        super().__init__(*args, **kwargs)
        self.push_exc_handler(abandoned_job_retry)  # type: ignore[no-untyped-call]
        self._preload()

    def _preload(self) -> None:
        for path in settings.TASKS_WORKER_PRELOAD:
            try:
                import_string(path)()
            except Exception:  # each job loads it itself instead; say why
                logger.exception("tasks: %s not preloaded", path)
        connections.close_all()  # a forked horse must never share the parent's connection

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        lease = int(settings.TASKS_LEASE_SECONDS)
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, self.job_monitoring_interval)) + lease
        return int(self.job_monitoring_interval) + lease
