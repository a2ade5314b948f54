"""The lease of the database task backend (django-tasks-db has none): a worker that dies in
the middle of a task (SIGKILL, out of memory, the machine lost) leaves the task RUNNING for
ever; here every `task_worker` writes a heartbeat, and any worker gives back the tasks of a
worker whose heartbeat stopped.

    task_worker ─ every TASKS_LEASE_SECONDS / 3 ─→ heartbeat_record (its own row)
                                                 └→ tasks_requeue_abandoned (everyone's)
    RUNNING, its worker silent for TASKS_LEASE_SECONDS ─→ READY again (run from the start)
                                                       └→ FAILED after MAX_CLAIMS workers

Jobs are safe to repeat (STYLE.md §9), so running an abandoned task again is the cure; a
task that was itself what killed its workers is failed after MAX_CLAIMS tries instead of
killing every worker in turn.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from minsheng.workers.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task whose worker died this many times is not run again: it may be what kills them.
MAX_CLAIMS = 3
# A worker stopped this long ago is forgotten (its tasks were given back long before).
FORGET_AFTER = timedelta(days=1)
ABANDONED = "minsheng.workers.services.WorkerLost"


def lease() -> timedelta:
    """How long a worker may stay silent before its tasks are taken from it
    (setting TASKS_LEASE_SECONDS)."""
    return timedelta(seconds=settings.TASKS_LEASE_SECONDS)


def heartbeat_interval() -> float:
    """Seconds between two heartbeats: three fit in a lease, so one late beat (a busy
    database) does not lose the worker its tasks."""
    return float(settings.TASKS_LEASE_SECONDS) / 3


def heartbeat_record(
    *, worker_id: str, hostname: str, pid: int, started_at: datetime, now: datetime
) -> None:
    """Say that this worker is alive at `now`."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "pid": pid, "started_at": started_at, "seen_at": now},
    )


def heartbeat_remove(*, worker_id: str) -> None:
    """A worker that stops cleanly takes its row away (it finished or gave back its task)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass
class Abandoned:
    """The tasks one sweep took back from dead workers (their ids)."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_requeue_abandoned(*, now: datetime) -> Abandoned:
    """Give back the RUNNING tasks whose worker has been silent longer than the lease.

    1. the live workers: those with a heartbeat within the lease;
    2. the RUNNING tasks started before the lease began whose last worker is not live;
    3. each goes back to READY (keeping its place: priority, run_after, enqueued_at) with a
       conditional UPDATE on its status and start, so two workers sweeping at once, or a
       worker that was only slow and finished meanwhile, change nothing twice; after
       MAX_CLAIMS workers it is FAILED instead, saying why;
    4. rows of workers gone for a day are deleted.
    """
    cutoff = now - lease()
    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    result = Abandoned()
    candidates = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    for task in candidates.only("id", "worker_ids", "started_at", "task_path"):
        if task.worker_ids and task.worker_ids[-1] in live:
            continue  # a long task on a live worker
        same_claim = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if len(task.worker_ids) >= MAX_CLAIMS:
            changed = same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=ABANDONED,
                traceback=(
                    f"The worker running this task stopped without finishing it, "
                    f"{len(task.worker_ids)} times (workers {', '.join(task.worker_ids)}); "
                    f"it is not run again."
                ),
            )
            if changed:
                result.failed.append(str(task.pk))
                logger.error("task lease: %s %s failed for good", task.task_path, task.pk)
            continue
        if same_claim.update(status=TaskResultStatus.READY):
            result.requeued.append(str(task.pk))
            logger.warning(
                "task lease: %s %s given back (worker %s silent for %s)",
                task.task_path,
                task.pk,
                task.worker_ids[-1] if task.worker_ids else "?",
                lease(),
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return result
