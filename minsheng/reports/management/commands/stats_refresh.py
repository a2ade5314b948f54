"""`python manage.py stats_refresh [--rescan N] [--every SECONDS] [--rebuild]`: bring the figures'
per-case summary up to date with the case timelines (the first run reads every event).
The pages refresh before they count, so this only keeps them quick; run it from cron."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.reports.services import facts_refresh, facts_reread


class Command(BaseCommand):
    help = "Bring the statistics' per-case summary up to date with the case timelines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rescan",
            type=int,
            default=5000,
            help="Read again this many events before the last one read (late commits).",
        )
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Read every event again (after editing past days of the holiday calendar).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            facts_reread()
        while True:
            started = time.perf_counter()
            rebuilt = facts_refresh(rescan=options["rescan"])
            seconds = time.perf_counter() - started
            self.stdout.write(f"stats_refresh: {rebuilt} cases rebuilt in {seconds:.1f} s")
            if not options["every"]:
                return
            time.sleep(options["every"])
