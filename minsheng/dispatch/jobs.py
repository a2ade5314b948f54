"""Background work for auto-dispatch, run by the task worker (Django's Tasks API):

    CaseEvent (accept, assign, re-assign, return) committed ─→ cases.jobs.events_consume_job
        ─→ events_consume (settings.EVENT_CONSUMERS) ─→ services.event_review
    drift_watch_job (settings.WATCH_JOBS, `manage.py watch`) ─→ pause ─→ pause_announce_job

Jobs take ids, reload, and call a service; they are safe to repeat.
"""

from django.utils import timezone
from django_tasks import task

from minsheng.cases.models import CaseEvent
from minsheng.dispatch import services


def events_consume(case_events: list[CaseEvent]) -> None:
    """A consumer of committed case events (`settings.EVENT_CONSUMERS`): decide on each
    accepted case (assign it automatically or not), or record a person's correction of the
    suggestion (`services.event_review`). Made-up history (`cases.jobs.events_muted`) is
    never queued, so never reviewed."""
    for event in case_events:
        if event.action in services.REVIEWED_ACTIONS:
            services.event_review(event_id=event.pk)


@task()
def drift_watch_job() -> list[int]:
    """Pause the policies whose measured precision fell below theirs; returns their ids."""
    return [policy.pk for policy in services.drift_check(now=timezone.now())]


@task()
def pause_announce_job(*, policy_id: int) -> int:
    """Tell the administrators a policy paused itself; returns how many were told."""
    return services.pause_announce(policy_id=policy_id)
