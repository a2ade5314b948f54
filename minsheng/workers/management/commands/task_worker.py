"""`manage.py task_worker`: django-tasks-db's `db_worker` (same options) with a lease.

Beside the worker loop a thread writes this worker's heartbeat every TASKS_LEASE_SECONDS / 3
and gives back the tasks of workers whose heartbeat stopped (`workers.services`), so a task
whose worker was killed runs again within about TASKS_LEASE_SECONDS plus one beat. Run this
instead of `db_worker` wherever TASKS_BACKEND=database: a `db_worker` writes no heartbeat,
so its long tasks would be taken for abandoned.
"""

import logging
import os
import socket
import threading
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from minsheng.workers import services

logger = logging.getLogger(__name__)


class LeasedWorker(db_worker.Worker):
    """The database worker, beating and sweeping in a thread of its own (a long task in
    the main thread does not stop the heartbeat: only a dead process does)."""

    def run(self) -> None:
        self._started_at = timezone.now()
        self._stopping = threading.Event()
        self._beat()  # before the first claim, so no sweep takes this worker for dead
        beating = threading.Thread(target=self._keep_beating, name="heartbeat", daemon=True)
        beating.start()
        try:
            super().run()
        finally:
            self._stopping.set()
            beating.join(timeout=services.heartbeat_interval() + 5)
            services.heartbeat_remove(worker_id=self.worker_id)

    def _beat(self) -> None:
        now = timezone.now()
        services.heartbeat_record(
            worker_id=self.worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=self._started_at,
            now=now,
        )
        services.tasks_requeue_abandoned(now=now)

    def _keep_beating(self) -> None:
        try:
            while not self._stopping.wait(services.heartbeat_interval()):
                try:
                    self._beat()
                except DatabaseError:  # locked (SQLite) or gone for a moment: next beat
                    logger.warning("task lease: heartbeat of %s failed", self.worker_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection


class Command(db_worker.Command):
    help = "Run a database background worker with a heartbeat, taking over dead workers' tasks"

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_name.split(","):
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child that runs the worker
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
