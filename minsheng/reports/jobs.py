"""Background work for the statistics, run by the task worker (Django's Tasks API)."""

import logging

from django_tasks import task

from minsheng.reports import services

logger = logging.getLogger(__name__)


@task()
def export_run_job(*, job_id: int) -> str:
    """Write a queued case list export to its Excel file (`services.export_job_run`).
    Safe to repeat. Returns the job's status."""
    job = services.export_job_run(job_id=job_id)
    logger.info("reports: export %s %s, %s rows", job.pk, job.status, job.rows_done)
    return str(job.status)
