"""`manage.py import_requeue`: queue again the spreadsheet imports that were started but
whose task never reached the worker (the task broker was down). Run it every few minutes
from cron, beside `notify_sweep` and `collective_sweep`; it is safe to repeat."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from minsheng.intake.services import imports


class Command(BaseCommand):
    help = "Queue again the spreadsheet imports left waiting to run."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = imports.import_jobs_requeue(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Imports queued again: {len(ids)}."))
