"""Background work for the statistics, run by the task worker (Django's Tasks API)."""

import logging

from django_tasks import task

from minsheng.reports import services

logger = logging.getLogger(__name__)
# Events read again behind the last one read: one whose transaction committed late.
FACTS_RESCAN = 1000


@task()
def export_run_job(*, job_id: int) -> str:
    """Write a queued case list export to its Excel file (`services.export_job_run`).
    Safe to repeat. Returns the job's status."""
    job = services.export_job_run(job_id=job_id)
    logger.info("reports: export %s %s, %s rows", job.pk, job.status, job.rows_done)
    return str(job.status)


@task()
def facts_refresh_job() -> int:
    """Bring the figures' per-case summary up to date with the timelines (run by the
    deadline watch every minute, `settings.WATCH_JOBS`; the pages refresh too, this keeps
    them quick). Safe to repeat. Returns the cases rebuilt."""
    rebuilt = services.facts_refresh(rescan=FACTS_RESCAN)
    if rebuilt:
        logger.info("reports: %s case summaries rebuilt", rebuilt)
    return rebuilt


@task()
def report_run_job(*, job_id: int) -> str:
    """Render a queued monthly report PDF (`services.report_job_run`), with the hot topics of
    `services.topics_source`. Safe to repeat. Returns the job's status."""
    job = services.report_job_run(job_id=job_id, topics_source=services.topics_source())
    logger.info("reports: monthly report %s %s", job.pk, job.status)
    return str(job.status)
