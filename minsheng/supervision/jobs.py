"""Background work for supervision, run by the task worker (Django's Tasks API)."""

import logging

from django.utils import timezone
from django_tasks import task

from minsheng.supervision import services

logger = logging.getLogger(__name__)


@task()
def watch_job() -> dict[str, int]:
    """One run of supervision's deadline watch (`services.watch_run`): notices issued and
    escalated by policy, notices warned about, return visits opened. Safe to repeat."""
    result = services.watch_run(now=timezone.now())
    logger.info("supervision watch: %s", result.as_dict())
    return result.as_dict()
