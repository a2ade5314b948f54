"""`python manage.py monthly_report YYYY-MM OUT.pdf [--language en] [--no-hot-topics]`: the
monthly report of a month as a PDF file, at once: the same as the statistics page's
"Monthly report (PDF)" makes in the background (figures, charts, department ranking, hot
topics from `settings.MINSHENG_TOPICS_SOURCE`, cases answered late or overdue and supervised
ones)."""

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from minsheng.reports import documents
from minsheng.reports.services import facts_refresh, topics_source


class Command(BaseCommand):
    help = "Write the monthly report of a month (YYYY-MM) as a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="The month, YYYY-MM.")
        parser.add_argument("out", type=Path, help="The PDF file to write.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The report's language (default: %(default)s).",
        )
        parser.add_argument(
            "--no-hot-topics", action="store_true", help="Leave the hot topics out (faster)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = datetime.strptime(options["month"], "%Y-%m").date()  # noqa: DTZ007 - a date
        except ValueError as error:
            raise CommandError(f"Not a month (YYYY-MM): {options['month']!r}") from error
        started = time.perf_counter()
        facts_refresh()
        source = None if options["no_hot_topics"] else topics_source()
        with translation.override(options["language"]):
            report = documents.monthly_report_for(month=month, topics_source=source)
            content = documents.monthly_report_pdf(report)
        out: Path = options["out"]
        out.write_bytes(content)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"monthly_report: {report.month} written to {out} ({len(content):,} bytes, "
            f"{seconds:.1f} s)"
        )
