"""`manage.py watch`: the deadline watch, the one periodic job. Every `--every` seconds
(WATCH_SECONDS, default 60) it enqueues each job of `settings.WATCH_JOBS` through the task
backend: supervision's notices by policy, notice warnings and return visits, and notify's
due-soon/overdue reminders and outbox catch-up. `--once` runs one round; `--inline` runs the
jobs in this process instead (cron without a worker)."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minsheng.lib.tasks import enqueue, periodic_jobs


class Command(BaseCommand):
    help = "Run the deadline watch: reminders, supervision notices by policy, catch-up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=settings.WATCH_SECONDS,
            metavar="SECONDS",
            help="Seconds between rounds (default: WATCH_SECONDS, 60).",
        )
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")
        parser.add_argument(
            "--inline", action="store_true", help="Run the jobs here, not on the task worker."
        )

    def handle(self, *args: Any, every: float, once: bool, inline: bool, **options: Any) -> None:
        while True:
            for job in periodic_jobs():
                if inline:
                    self.stdout.write(f"{job.name}: {job.call()}")
                elif enqueue(job):
                    self.stdout.write(f"{job.name}: queued")
            if once:
                return
            time.sleep(max(every, 1.0))
