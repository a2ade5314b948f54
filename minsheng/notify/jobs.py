"""Background work for notify, run by the task worker (Django's Tasks API): the request that
caused a case event never waits for mail, SMS or webhooks.

    CaseEvent saved ─(on commit)→ event_fan_out_job ─→ notification_deliver_job (per message)
                                                     └→ webhook_deliver_job (per subscriber)
    a failed attempt ─→ the same job again, enqueued with run_after = next attempt
    notify_sweep_job (cron / `manage.py notify_sweep`) ─→ reminders, catch-up, lost jobs

Jobs take ids, reload, and call a service; they are safe to repeat (rows are claimed).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone
from django_tasks import task

from minsheng.cases.models import CaseEvent
from minsheng.lib.tasks import enqueue, enqueue_on_commit
from minsheng.notify.models import DeliveryStatus
from minsheng.notify.services import events, notifications, sweep, webhooks

# True while made-up history is written (`events_muted`).
_muted: ContextVar[bool] = ContextVar("notify_events_muted", default=False)


# A job that could not be enqueued (broker down, or a backend that cannot defer a retry)
# is not lost: notify_sweep finds every pending row and every event not yet fanned out.
def _send_all(*, notification_ids: list[int], delivery_ids: list[int]) -> None:
    for notification_id in notification_ids:
        enqueue(notification_deliver_job, notification_id=notification_id)
    for delivery_id in delivery_ids:
        enqueue(webhook_deliver_job, delivery_id=delivery_id)


@task()
def event_fan_out_job(*, event_id: int) -> int:
    """Turn one committed case event into messages and webhook posts, and enqueue them.
    Returns how many rows were created."""
    fan_out = events.event_fan_out(event_id=event_id, now=timezone.now())
    _send_all(notification_ids=fan_out.notification_ids, delivery_ids=fan_out.delivery_ids)
    return len(fan_out.notification_ids) + len(fan_out.delivery_ids)


@task()
def notification_deliver_job(*, notification_id: int) -> str:
    """One attempt at one message; on failure the next attempt is enqueued for later.
    Returns the row's status afterwards ("skipped" if not ours to send now)."""
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


def case_event_saved(
    sender: type[CaseEvent], instance: CaseEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save receiver (connected in apps.py): once the event's transaction commits,
    enqueue its fan-out. Writes nothing, so a rolled-back action tells nobody."""
    if created and not raw and not _muted.get() and instance.action not in events.OWN_ACTIONS:
        enqueue_on_commit(event_fan_out_job, event_id=instance.pk)


def events_are_muted() -> bool:
    """Whether the events being written are made-up history (`events_muted`): other
    receivers (automatic dispatch) leave them alone too."""
    return _muted.get()


@contextmanager
def events_muted() -> Iterator[None]:
    """Announce none of the case events written inside (the demo data set's made-up
    history); on the way out the catch-up cursor moves past them, so the sweep does not
    announce them either."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)
        events.events_skip_to_latest(now=timezone.now())
