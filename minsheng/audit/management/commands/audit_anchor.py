"""manage.py audit_anchor [--date YYYY-MM-DD] [--output FILE]: the daily anchor, a small
JSON naming the last entry of the day and its hash, for an outside party to keep and later
give to `verify_audit --anchor`."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minsheng.audit.selectors import anchor_for


class Command(BaseCommand):
    help = "Print (or write) the audit record's anchor for a day (default: yesterday)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="the day, YYYY-MM-DD, local time (default: yesterday, the last whole day)",
        )
        parser.add_argument("--output", type=Path, help="write the JSON to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"] or timezone.localdate() - timedelta(days=1)
        anchor = anchor_for(day)
        if anchor is None:
            raise CommandError(f"nothing was recorded by the end of {day.isoformat()}")
        text = json.dumps(anchor, indent=2) + "\n"
        if options["output"]:
            options["output"].write_text(text)
        self.stdout.write(text, ending="")
