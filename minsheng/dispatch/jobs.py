"""Background work for auto-dispatch, run by the task worker (Django's Tasks API):

    CaseEvent (accept, assign, re-assign, return) saved ─(on commit)→ case_event_review_job
    drift_watch_job (settings.WATCH_JOBS, `manage.py watch`) ─→ pause ─→ pause_announce_job

Jobs take ids, reload, and call a service; they are safe to repeat.
"""

from typing import Any

from django.utils import timezone
from django_tasks import task

from minsheng.cases.models import CaseEvent
from minsheng.dispatch import services
from minsheng.lib.tasks import enqueue_on_commit
from minsheng.notify.jobs import events_are_muted


@task()
def case_event_review_job(*, event_id: int) -> None:
    """Decide on an accepted case (assign it automatically or not), or record a person's
    correction of the suggestion (`services.event_review`)."""
    services.event_review(event_id=event_id)


@task()
def drift_watch_job() -> list[int]:
    """Pause the policies whose measured precision fell below theirs; returns their ids."""
    return [policy.pk for policy in services.drift_check(now=timezone.now())]


@task()
def pause_announce_job(*, policy_id: int) -> int:
    """Tell the administrators a policy paused itself; returns how many were told."""
    return services.pause_announce(policy_id=policy_id)


def case_event_saved(
    sender: type[CaseEvent], instance: CaseEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save receiver (connected in apps.py): once the event's transaction commits,
    enqueue its review. Writes nothing, so a rolled-back action decides nothing; made-up
    history (the demo's, `notify.jobs.events_muted`) is not reviewed."""
    if (
        created
        and not raw
        and not events_are_muted()
        and instance.action in services.REVIEWED_ACTIONS
    ):
        enqueue_on_commit(case_event_review_job, event_id=instance.pk)
