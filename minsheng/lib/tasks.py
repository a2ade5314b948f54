"""Enqueueing background tasks (Django's Tasks API) so that a task broker that is down
(Redis stopped, the queue table locked) never fails the caller.

Whatever asked for the task has already written what the task needs, so an enqueue that
fails is logged and left to that work's catch-up, which finds it in the database:
`notify_sweep` (messages, webhooks), `collective_sweep` (collective complaints),
`import_requeue` (spreadsheet imports). Use `enqueue_on_commit` inside a transaction, so
that nothing runs on data that may still roll back and the request never sees the broker.
"""

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)


def enqueue(job: Task[..., Any], *, run_after: datetime | None = None, **kwargs: Any) -> bool:
    """Enqueue `job` with keyword arguments `kwargs`; returns whether it was queued.

    With `run_after` it runs then, if the backend can defer (database, Redis); a backend
    that cannot (immediate) queues nothing, and the work waits for its catch-up. A broker
    that refuses the job is logged, not raised.
    """
    try:
        if run_after is not None:
            if not job.get_backend().supports_defer:
                logger.info(
                    "tasks: %s %s waits for its sweep (no deferred tasks)", job.name, kwargs
                )
                return False
            job = job.using(run_after=run_after)
        job.enqueue(**kwargs)
    # Any backend's error (redis.ConnectionError, a database error, a timeout ...): the work
    # is in the database and its sweep will queue it again.
    except Exception:
        logger.exception("tasks: could not enqueue %s %s; its sweep will", job.name, kwargs)
        return False
    return True


def enqueue_on_commit(job: Task[..., Any], **kwargs: Any) -> None:
    """Enqueue `job` so that it runs only once the current transaction has committed (at
    once outside one), never raising: see `enqueue`.

    On the database backend inside a transaction the task row is written at once, in the
    transaction: the worker cannot see it before the commit, and it rolls back with the
    data. A failure to write it fails the transaction, as any of its rows would. Any other
    backend (Redis) is asked after the commit."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and _is_in_database(job):
        job.enqueue(**kwargs)
        return
    transaction.on_commit(partial(enqueue, job, **kwargs))


def _is_in_database(job: Task[..., Any]) -> bool:
    """Whether `job`'s queue is a table of our (default) database: the database backend."""
    return isinstance(job.get_backend(), DatabaseBackend)


def periodic_jobs() -> list[Task[..., Any]]:
    """The jobs of the deadline watch, in order (`settings.WATCH_JOBS`)."""
    return [import_string(path) for path in settings.WATCH_JOBS]
