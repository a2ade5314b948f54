"""Writes for the spreadsheet import: jobs, dry runs, the import itself
(`intake.channels.spreadsheet` reads the sheet and its rows)."""

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.cases.models import Channel
from minsheng.cases.services import CaseDraft
from minsheng.deadlines.models import Kind
from minsheng.intake.channels import spreadsheet as sheets
from minsheng.intake.models import ImportedRow, ImportJob
from minsheng.intake.services import drafts_register, submission_draft
from minsheng.lib import crypto
from minsheng.lib.tasks import enqueue, enqueue_on_commit


@dataclass
class ImportReport:
    """What a dry run or an import found: rows in total, rows that make (or made) a case,
    rows imported before (or repeated in the file), and every row's problems."""

    total: int = 0
    good: int = 0
    duplicates: int = 0
    problems: list[sheets.Problem] = field(default_factory=list)

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row > 1})


def import_dry_run(
    *, sheet: sheets.Sheet, mapping: dict[str, str], default_channel: str, default_kind: str
) -> ImportReport:
    """Check every row as the import would, and write nothing."""
    report = ImportReport(
        total=len(sheet.rows), problems=sheets.mapping_problems(mapping, sheet.headers)
    )
    if report.problems:
        return report
    seen: set[str] = set()
    keys = [sheets.row_key(cells, mapping) for _number, cells in sheet.rows]
    imported = set(ImportedRow.objects.filter(key__in=keys).values_list("key", flat=True))
    for (number, cells), key in zip(sheet.rows, keys, strict=True):
        if key in imported or key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        _submission, problems = sheets.row_read(
            number, cells, mapping, default_channel=default_channel, default_kind=default_kind
        )
        report.problems += problems
        report.good += not problems
    return report


def _sheet_of(job: ImportJob) -> sheets.Sheet:
    # The kept sheet is encrypted at rest (its rows hold names, phones and addresses).
    with job.file.open("rb") as stream:
        data = crypto.decrypt_bytes(stream.read())
    return sheets.sheet_read(io.BytesIO(data), name=job.original_name)


def _sheet_or_error(job: ImportJob) -> sheets.Sheet:
    try:
        return _sheet_of(job)
    except (OSError, sheets.SheetError) as error:
        raise ValidationError({"file": [_("The uploaded file can no longer be read.")]}) from error


# Problems kept on the job row (the counts stay exact); the command prints them all.
PROBLEMS_KEPT = 5000


def _problems_json(problems: list[sheets.Problem]) -> list[dict[str, Any]]:
    return [asdict(p) for p in problems[:PROBLEMS_KEPT]]


def _job_checked(job: ImportJob, report: ImportReport) -> None:
    job.total_rows = report.total
    job.rows_done = 0
    job.created_count = 0
    job.duplicate_count = report.duplicates
    job.error_count = report.rows_with_problems
    job.problems = _problems_json(report.problems)
    job.status = ImportJob.Status.CHECKED


@transaction.atomic
def import_job_create(
    *,
    upload: File,
    actor: User | None,
    mapping: dict[str, str] | None = None,
    default_channel: str = Channel.PHONE,
    default_kind: str = Kind.COMPLAINT,
) -> ImportJob:
    """Keep an uploaded sheet and dry-run it with the given mapping (or the guessed one).

    1. read the sheet (ValidationError on `file` if it can't be read);
    2. guess the mapping from the header names unless one is given;
    3. dry-run every row and store the report on a new ImportJob (status checked).
    """
    name = (upload.name or "import.csv")[-200:]
    try:
        sheet = sheets.sheet_read(upload, name=name)
    except sheets.SheetError as error:
        raise ValidationError({"file": [str(error)]}) from error
    upload.seek(0)
    job = ImportJob(
        original_name=name,
        mapping=mapping or sheets.mapping_guess(sheet.headers),
        default_channel=default_channel,
        default_kind=default_kind,
        created_by=actor,
        created_at=timezone.now(),
    )
    _job_checked(
        job,
        import_dry_run(
            sheet=sheet,
            mapping=job.mapping,
            default_channel=default_channel,
            default_kind=default_kind,
        ),
    )
    upload.seek(0)
    sealed = ContentFile(crypto.encrypt_bytes(upload.read()))
    job.file.save(PurePath(name).name, sealed, save=False)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def import_job_check(
    *,
    job: ImportJob,
    actor: User | None,
    mapping: dict[str, str],
    default_channel: str,
    default_kind: str,
) -> ImportJob:
    """Dry-run a kept sheet again with another mapping or other defaults."""
    if job.status not in {ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED}:
        raise ValidationError({"mapping": [_("This import has already started.")]})
    job.mapping, job.default_channel, job.default_kind = mapping, default_channel, default_kind
    report = import_dry_run(
        sheet=_sheet_or_error(job),
        mapping=mapping,
        default_channel=default_channel,
        default_kind=default_kind,
    )
    _job_checked(job, report)
    job.full_clean()
    job.save()
    return job


def import_job_headers(*, job: ImportJob) -> list[str]:
    """The column names of a kept sheet (the mapped ones if the file can't be read now)."""
    try:
        return _sheet_of(job).headers
    except (OSError, sheets.SheetError):
        return list(dict.fromkeys(job.mapping.values()))


@transaction.atomic
def import_job_start(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Queue the import of a checked sheet; the task worker runs `import_job_run`.
    A sheet whose mapping lacks a required column cannot start."""
    if any(p["row"] == 1 for p in job.problems):
        raise ValidationError({"mapping": [_("Fix the column mapping first.")]})
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.QUEUED
    )
    if not claimed:
        raise ValidationError({"mapping": [_("This import has already started.")]})
    job.refresh_from_db()
    from minsheng.intake import jobs  # the job module imports this one

    enqueue_on_commit(jobs.import_run_job, job_id=job.pk)
    return job


# A queued import that has not started this long after its upload lost its task (the
# broker was down when it was started, or dropped it); `import_jobs_requeue` queues it again.
REQUEUE_AFTER = timedelta(minutes=5)


def import_jobs_requeue(*, now: datetime) -> list[int]:
    """Enqueue again every import still waiting to run (queued) that was uploaded more than
    REQUEUE_AFTER ago; returns the ids the broker took (`manage.py import_requeue`, cron).

    Safe to repeat and to run beside the worker: `import_job_run` claims a job (queued →
    running) before importing, so a job whose first task is still waiting, and now has
    two, imports once and the second task does nothing.
    """
    from minsheng.intake import jobs  # the job module imports this one

    waiting = ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, created_at__lte=now - REQUEUE_AFTER
    ).order_by("created_at", "pk")
    return [
        pk for pk in waiting.values_list("pk", flat=True) if enqueue(jobs.import_run_job, job_id=pk)
    ]


# Rows written per transaction: short enough not to hold SQLite's write lock for long,
# long enough that a million-row archive is a few thousand transactions.
IMPORT_BATCH = 500


def rows_import(
    *,
    job: ImportJob,
    sheet: sheets.Sheet,
    actor: User | None,
    progress: Callable[[ImportReport, int], None] | None = None,
) -> ImportReport:
    """Import every row of `sheet` under `job`, `IMPORT_BATCH` rows per transaction through
    the bulk registration path (`drafts_register`); `progress(report, rows)` after each batch.

    For each batch: skip the rows whose key was imported before (one query); read and work
    out each other row (a broken row is reported and skipped, before anything is written);
    register the good ones with their ImportedRows in one transaction. A batch that meets a
    key imported meanwhile by another run is written again row by row, so that the unique
    key stops only the row imported twice.
    """
    report = ImportReport(
        total=len(sheet.rows), problems=sheets.mapping_problems(job.mapping, sheet.headers)
    )
    if report.problems:
        return report
    for start in range(0, len(sheet.rows), IMPORT_BATCH):
        batch = sheet.rows[start : start + IMPORT_BATCH]
        _batch_import(job, report, batch, actor)
        if progress is not None:
            progress(report, len(batch))
    return report


def _batch_import(
    job: ImportJob,
    report: ImportReport,
    batch: list[tuple[int, dict[str, Any]]],
    actor: User | None,
) -> None:
    keyed = [(number, cells, sheets.row_key(cells, job.mapping)) for number, cells in batch]
    seen = set(
        ImportedRow.objects.filter(key__in=[key for *_, key in keyed]).values_list("key", flat=True)
    )
    good: list[tuple[int, dict[str, Any], str, CaseDraft]] = []
    for number, cells, key in keyed:
        if key in seen:
            report.duplicates += 1  # imported before, or repeated in this file
            continue
        seen.add(key)
        draft = _row_draft(job, report, number, cells)
        if draft is not None:
            good.append((number, cells, key, draft))
    if not good:
        return
    try:
        with transaction.atomic():
            registered = drafts_register(drafts=[draft for *_, draft in good], actor=actor)
            now = timezone.now()
            ImportedRow.objects.bulk_create(
                [
                    ImportedRow(key=key, job=job, row_number=number, case=done.case, created_at=now)
                    for (number, _cells, key, _draft), done in zip(good, registered, strict=True)
                ]
            )
    except IntegrityError:  # a key imported meanwhile by another run
        for number, cells, key, _draft in good:
            _row_import(job, report, number, cells, key, actor)
    else:
        report.good += len(good)


def _row_draft(
    job: ImportJob, report: ImportReport, number: int, cells: dict[str, Any]
) -> CaseDraft | None:
    """The row worked out for registering, or None with its problems in `report`."""
    submission, problems = sheets.row_read(
        number,
        cells,
        job.mapping,
        default_channel=job.default_channel,
        default_kind=job.default_kind,
    )
    if submission is None:
        report.problems += problems
        return None
    try:
        return submission_draft(submission=submission)
    except ValidationError as error:
        _problems_add(report, number, error)
        return None


def _problems_add(report: ImportReport, number: int, error: ValidationError) -> None:
    for name, messages in getattr(error, "message_dict", {"": error.messages}).items():
        report.problems += [sheets.Problem(number, str(name), m) for m in messages]


def _row_import(
    job: ImportJob,
    report: ImportReport,
    number: int,
    cells: dict[str, Any],
    key: str,
    actor: User | None,
) -> None:
    """One row on its own (a batch met a key imported meanwhile): worked out afresh, then
    written with its ImportedRow, the unique key stopping it if it was imported meanwhile."""
    draft = _row_draft(job, report, number, cells)
    if draft is None:
        return
    try:
        with transaction.atomic():
            (registered,) = drafts_register(drafts=[draft], actor=actor)
            ImportedRow.objects.create(
                key=key, job=job, row_number=number, case=registered.case, created_at=timezone.now()
            )
    except IntegrityError:
        report.duplicates += 1  # imported meanwhile by another run
    else:
        report.good += 1


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import (the task worker calls this). Safe to repeat: only a queued job
    is claimed, and rows imported before are skipped by their key.

    1. claim the job (queued -> running) with a conditional update;
    2. import the rows, storing rows done / created / duplicates / problems as it goes;
    3. mark it done, or failed with the reason if the sheet cannot be read any more.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), rows_done=0
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    done = 0

    def progress(report: ImportReport, rows: int) -> None:
        nonlocal done
        done += rows
        ImportJob.objects.filter(pk=job_id).update(
            rows_done=done,
            created_count=report.good,
            duplicate_count=report.duplicates,
            error_count=report.rows_with_problems,
        )

    try:
        report = rows_import(job=job, sheet=_sheet_of(job), actor=job.created_by, progress=progress)
    except (OSError, sheets.SheetError) as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, reason=str(error), finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job_id)
    return import_job_finish(job=job, report=report)


def import_job_finish(*, job: ImportJob, report: ImportReport) -> ImportJob:
    """Store the final counts and problems of an import and mark it done."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        total_rows=report.total,
        rows_done=report.total,
        created_count=report.good,
        duplicate_count=report.duplicates,
        error_count=report.rows_with_problems,
        problems=_problems_json(report.problems),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
