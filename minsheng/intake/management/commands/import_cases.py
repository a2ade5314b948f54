"""Import hotline records from a .xlsx or .csv file: `import_cases FILE [--mapping ...]
[--dry-run]`. The dry run writes nothing and lists every row's problems."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from minsheng.cases.models import Channel
from minsheng.deadlines.models import Kind
from minsheng.intake.channels import spreadsheet as sheets
from minsheng.intake.services import imports


class Command(BaseCommand):
    help = "Import hotline records (xlsx or csv) as cases; --dry-run only reports problems."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            default="",
            help="field=column pairs, e.g. 'subject=标题,body=内容,phone=电话' "
            f"(fields: {', '.join(sheets.FIELDS)}); unmapped fields are guessed from the headers",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--channel", default=Channel.PHONE, choices=Channel.values)
        parser.add_argument("--kind", default=Kind.COMPLAINT, choices=Kind.values)
        parser.add_argument("--user", default="", help="username recorded as the registrar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open("rb") as stream:
                sheet = sheets.sheet_read(stream, name=path.name)
            mapping = {
                **sheets.mapping_guess(sheet.headers),
                **sheets.mapping_parse(options["mapping"]),
            }
        except (OSError, sheets.SheetError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write("mapping: " + ", ".join(f"{k}={v}" for k, v in mapping.items()))
        defaults = {"default_channel": options["channel"], "default_kind": options["kind"]}
        if options["dry_run"]:
            report = imports.import_dry_run(sheet=sheet, mapping=mapping, **defaults)
            self._report(report, verb="would create")
            return
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        with path.open("rb") as stream:
            try:
                job = imports.import_job_create(
                    upload=File(stream, name=path.name), actor=user, mapping=mapping, **defaults
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        with tqdm(total=len(sheet.rows), unit="row", disable=None) as bar:
            report = imports.rows_import(
                job=job, sheet=sheet, actor=user, progress=lambda _report, rows: bar.update(rows)
            )
        imports.import_job_finish(job=job, report=report)
        self._report(report, verb="created")

    def _report(self, report: imports.ImportReport, *, verb: str) -> None:
        for problem in report.problems:
            self.stdout.write(f"row {problem.row}, {problem.field}: {problem.message}")
        self.stdout.write(
            f"{report.total} rows: {report.good} {verb}, {report.duplicates} already imported, "
            f"{report.rows_with_problems} with problems"
        )
