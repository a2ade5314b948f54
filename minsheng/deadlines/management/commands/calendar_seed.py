"""`manage.py calendar_seed [--year 2027 ...]`: add holidays from the chinese_calendar package.

Run it after upgrading the package, once the State Council has published a new year.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.deadlines.services import calendar_seed_from_package


class Command(BaseCommand):
    help = "Add the holidays and make-up working days the chinese_calendar package knows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            dest="years",
            type=int,
            action="append",
            help="Only this year (repeatable); default: every year the package knows.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = calendar_seed_from_package(years=options["years"])
        self.stdout.write(f"Added {created} calendar days.")
