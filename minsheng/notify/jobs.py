"""Background work for notify, run by the task worker (Django's Tasks API): the request that
caused a case event never waits for mail, SMS or webhooks.

    CaseEvent saved ─(with its transaction)→ cases.jobs.events_consume_job ─→ events_consume
        (settings.EVENT_CONSUMERS): its messages created and sent in that task,
        its webhook posts → webhook_deliver_job (per subscriber)
    a failed attempt ─→ notification_deliver_job / webhook_deliver_job, run_after = next attempt
    notify_sweep_job (cron / `manage.py notify_sweep`) ─→ reminders, catch-up, lost jobs

Jobs take ids, reload, and call a service; they are safe to repeat (rows are claimed).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone
from django_tasks import task

from minsheng.cases import jobs as case_jobs
from minsheng.cases.models import CaseEvent
from minsheng.lib.tasks import enqueue
from minsheng.notify import selectors
from minsheng.notify.models import DeliveryStatus
from minsheng.notify.services import events, notifications, sweep, webhooks


# A job that could not be enqueued (broker down, or a backend that cannot defer a retry)
# is not lost: notify_sweep finds every pending row and every event not yet fanned out.
def _send_all(*, notification_ids: list[int], delivery_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue(notification_deliver_job, notification_id=notification_id)
    for delivery_id in delivery_ids:
        enqueue(webhook_deliver_job, delivery_id=delivery_id)


def events_consume(case_events: list[CaseEvent]) -> None:
    """A consumer of committed case events (`settings.EVENT_CONSUMERS`): create each
    event's messages and webhook posts, then send its messages here, in the consumer's
    task (a task per message would be three more queue writes each), and queue the webhook
    posts. Safe to repeat: run again (its worker died), it sends what is still pending."""
    now = timezone.now()
    for event in case_events:
        fan_out = events.event_fan_out(event_id=event.pk, now=now)
        # Created just now; or, run again after a worker died, the rows it left unsent.
        pending = fan_out.notification_ids or (
            selectors.pending_for_event(event.pk) if notifications.kinds_for(event) else []
        )
        for notification_id in pending:
            _deliver(notification_id)
        _send_all(notification_ids=[], delivery_ids=fan_out.delivery_ids)


def _deliver(notification_id: int) -> str:
    """One attempt at one message; on failure the next attempt is queued for later."""
    notification = notifications.notification_deliver(notification_id=notification_id)
    if notification is None:
        return "skipped"
    if notification.status == DeliveryStatus.PENDING:
        enqueue(
            notification_deliver_job,
            run_after=notification.next_attempt_at,
            notification_id=notification_id,
        )
    return notification.status


@task()
def notification_deliver_job(*, notification_id: int) -> str:
    """One attempt at one message; on failure the next attempt is enqueued for later.
    Returns the row's status afterwards ("skipped" if not ours to send now)."""
    return _deliver(notification_id)


@task()
def webhook_deliver_job(*, delivery_id: int) -> str:
    """One attempt at one webhook post; on failure the next attempt is enqueued for later."""
    delivery = webhooks.webhook_deliver(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.PENDING:
        enqueue(webhook_deliver_job, run_after=delivery.next_attempt_at, delivery_id=delivery_id)
    return delivery.status


@task()
def notify_sweep_job() -> dict[str, int]:
    """Reminders of due and overdue clocks, catch-up on missed events, lost jobs re-enqueued.
    Run it every few minutes (`manage.py notify_sweep`, from cron or a systemd timer)."""
    result = sweep.notify_sweep(now=timezone.now())
    _send_all(notification_ids=result.notification_ids, delivery_ids=result.delivery_ids)
    return {
        "due_soon": result.due_soon,
        "overdue": result.overdue,
        "unstuck": result.unstuck,
        "messages": len(result.notification_ids),
        "webhooks": len(result.delivery_ids),
    }


@contextmanager
def events_muted() -> Iterator[None]:
    """Announce none of the case events written inside (the demo data set's made-up
    history: `cases.jobs.events_muted`, so no consumer hears of them); on the way out the
    catch-up cursor moves past them, so the sweep does not announce them either."""
    try:
        with case_jobs.events_muted():
            yield
    finally:
        events.events_skip_to_latest(now=timezone.now())
