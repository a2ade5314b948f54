"""`manage.py collective_sweep [--days N]`: look for collective complaints (集体投诉) among
the cases of the last N days and flag them; run it from cron beside the check that each
registration queues."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.routing import services


class Command(BaseCommand):
    help = "Flag collective complaints: five or more people, same unit and matter, in a window."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=services.COLLECTIVE_WINDOW_DAYS,
            help="look at cases filed in the last N days (default: the detection window)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        findings = services.collective_sweep(days=options["days"])
        for finding in findings:
            numbers = ", ".join(c.number for c in finding.flagged)
            self.stdout.write(f"{finding.people} people: flagged {numbers}")
        flagged = sum(len(f.flagged) for f in findings)
        self.stdout.write(self.style.SUCCESS(f"{flagged} cases flagged as collective."))
