"""The periodic sweep (`manage.py notify_sweep`): warn about clocks due soon and overdue,
catch up on missed events, and find outbox rows whose job was lost.

Every part is idempotent: running the sweep twice, or in two workers at once, sends
nothing twice (each clock is warned once per kind, claimed by a unique row).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from minsheng.cases.models import CaseClock
from minsheng.deadlines.models import Unit
from minsheng.notify import selectors
from minsheng.notify.models import (
    ClockMark,
    ClockNotice,
    NoticeKind,
    Notification,
    WebhookDelivery,
)
from minsheng.notify.services import events, notifications, outbox

logger = logging.getLogger(__name__)

# How long before the due time "due soon" is sent: a working day for day clocks, two
# hours for the hour clocks of urgent cases.
DUE_SOON_DAYS_WINDOW = timedelta(hours=24)
DUE_SOON_HOURS_WINDOW = timedelta(hours=2)
# A pending row this much past its time has lost its job (or waits behind a burst in the
# queue); enqueue it again: a second job for the same row only finds it claimed.
REQUEUE_GRACE = timedelta(minutes=2)
BATCH = 500
# Overdue reminders read the clocks due since the last run's mark, and this long before it
# (a clock whose transaction committed late).
SETTLE = timedelta(minutes=10)


@dataclass
class SweepResult:
    """What one sweep did; the ids are for the caller to enqueue."""

    due_soon: int = 0
    overdue: int = 0
    unstuck: int = 0
    notification_ids: list[int] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)


def _window(clock: CaseClock) -> timedelta:
    return DUE_SOON_HOURS_WINDOW if clock.unit == Unit.HOURS else DUE_SOON_DAYS_WINDOW


def clock_remind(*, clock: CaseClock, kind: NoticeKind, now: datetime) -> list[int] | None:
    """Warn the people answering for `clock` once for `kind`; None if it was already done."""
    try:
        with transaction.atomic():
            ClockNotice.objects.create(clock=clock, kind=kind, created_at=now)
            created = []
            recipients = notifications.staff_recipients(notifications.clock_staff(clock, kind))
            for recipient in recipients:
                key = f"clock:{clock.pk}:{kind}:{recipient.channel}:{recipient.tag}"
                row = notifications.notification_add(
                    key=key, case=clock.case, kind=kind, recipient=recipient, now=now, clock=clock
                )
                if row is not None:
                    created.append(row.pk)
            return created
    except IntegrityError:  # another sweep warned about this clock a moment ago
        return None


def clocks_remind(*, now: datetime) -> SweepResult:
    """Overdue reminders for clocks past due, due-soon reminders for clocks inside their window."""
    result = SweepResult()
    mark = ClockMark.objects.filter(kind=NoticeKind.OVERDUE).first()
    since = None if mark is None else mark.checked_through - SETTLE
    overdue = selectors.clocks_to_warn(
        kind=NoticeKind.OVERDUE, before=now, after=since, limit=BATCH
    )
    for clock in overdue:
        created = clock_remind(clock=clock, kind=NoticeKind.OVERDUE, now=now)
        if created is not None:
            result.overdue += 1
            result.notification_ids += created
    through = overdue[-1].due_at if len(overdue) == BATCH else now
    ClockMark.objects.update_or_create(
        kind=NoticeKind.OVERDUE, defaults={"checked_through": through}
    )
    horizon = now + max(DUE_SOON_DAYS_WINDOW, DUE_SOON_HOURS_WINDOW)
    soon = selectors.clocks_to_warn(
        kind=NoticeKind.DUE_SOON, before=horizon, after=now, limit=BATCH
    )
    for clock in soon:
        assert clock.due_at is not None  # noqa: S101 - the selector only returns clocks with one
        if clock.due_at > now + _window(clock):
            continue  # an hour clock not yet inside its shorter window
        created = clock_remind(clock=clock, kind=NoticeKind.DUE_SOON, now=now)
        if created is not None:
            result.due_soon += 1
            result.notification_ids += created
    return result


def notify_sweep(*, now: datetime) -> SweepResult:
    """One sweep:
    1. fan out case events the per-event job missed (cursor);
    2. remind staff of clocks due soon and overdue;
    3. put rows left `sending` by a dead worker back to pending;
    4. collect pending rows whose job was lost, with the new and the unstuck rows, for the
       caller to enqueue.
    """
    result = clocks_remind(now=now)
    caught_up = events.events_catch_up(now=now)
    unstuck = outbox.outbox_unstick(Notification, now=now)
    unstuck_deliveries = outbox.outbox_unstick(WebhookDelivery, now=now)
    result.unstuck = len(unstuck) + len(unstuck_deliveries)
    waiting = selectors.outbox_waiting(Notification, now=now, grace=REQUEUE_GRACE, limit=BATCH)
    waiting_deliveries = selectors.outbox_waiting(
        WebhookDelivery, now=now, grace=REQUEUE_GRACE, limit=BATCH
    )
    result.notification_ids = sorted(
        {*result.notification_ids, *caught_up.notification_ids, *unstuck, *waiting}
    )
    result.delivery_ids = sorted(
        {*caught_up.delivery_ids, *unstuck_deliveries, *waiting_deliveries}
    )
    logger.info(
        "notify sweep: %s due soon, %s overdue, %s unstuck, %s messages and %s webhooks to send",
        result.due_soon,
        result.overdue,
        result.unstuck,
        len(result.notification_ids),
        len(result.delivery_ids),
    )
    return result
