"""Background work for intake, run by the task worker (Django's Tasks API)."""

import logging

from django_tasks import task

from minsheng.intake.services import imports

logger = logging.getLogger(__name__)


@task()
def import_run_job(*, job_id: int) -> int:
    """Import a queued spreadsheet (`imports.import_job_run`). Safe to repeat. Returns the
    number of cases it created."""
    job = imports.import_job_run(job_id=job_id)
    logger.info(
        "intake: import %s %s, %s created, %s duplicates, %s rows with problems",
        job.pk,
        job.status,
        job.created_count,
        job.duplicate_count,
        job.error_count,
    )
    return job.created_count
