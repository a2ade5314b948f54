"""`manage.py notify_sweep`: reminders of due and overdue cases, catch-up on missed events,
re-enqueue of lost sends. Run it every few minutes (cron, a systemd timer), or with
`--every SECONDS` as a long-running process beside the worker."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.notify.jobs import notify_sweep_job


class Command(BaseCommand):
    help = "Send due-soon and overdue reminders and catch up on notifications not yet sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Repeat every SECONDS until interrupted (default: run once).",
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            figures = notify_sweep_job.call()
            self.stdout.write(", ".join(f"{name} {count}" for name, count in figures.items()))
            if every <= 0:
                return
            time.sleep(every)
