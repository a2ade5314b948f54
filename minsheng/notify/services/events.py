"""A committed case event becomes outbox rows: notifications and webhook deliveries.

`event_fan_out` is safe to repeat (each row has a unique key), so the catch-up sweep can
re-read recent events without sending anything twice.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from minsheng.cases import selectors as case_selectors
from minsheng.cases.workflow import UNANNOUNCED
from minsheng.notify.models import EventCursor, Notification, WebhookDelivery
from minsheng.notify.services import notifications, webhooks

logger = logging.getLogger(__name__)

# An event older than this is history (imported, backdated, or after a long outage): telling
# people about it now would confuse more than help.
MAX_EVENT_AGE = timedelta(days=7)
# The cursor never passes an event younger than this: an older transaction may still commit
# an event with a smaller id.
CURSOR_SETTLE = timedelta(minutes=5)
CURSOR_NAME = "case_events"
CATCH_UP_BATCH = 500
# One run reads batches until it reaches the newest event or has read this long; the next
# run goes on from the cursor (a sweep runs every minute beside the worker).
CATCH_UP_BUDGET = timedelta(seconds=45)


@dataclass
class FanOut:
    """New outbox rows, for the caller to enqueue."""

    notification_ids: list[int] = field(default_factory=list)
    delivery_ids: list[int] = field(default_factory=list)

    def add(self, other: "FanOut") -> None:
        self.notification_ids += other.notification_ids
        self.delivery_ids += other.delivery_ids


def event_fan_out(*, event_id: int, now: datetime) -> FanOut:
    """Create the notifications and webhook deliveries one case event causes (once).

    The messages are worked out and rendered first, reading only; then one short
    transaction saves them all with the webhook deliveries (all of an event's rows or none:
    `events_fanned_out` relies on it)."""
    event = case_selectors.event_get(event_id)
    if event.action in UNANNOUNCED:
        return FanOut()
    if event.created_at < now - MAX_EVENT_AGE:
        logger.info("notify: event %s is older than %s; not sent", event.pk, MAX_EVENT_AGE)
        return FanOut()
    drafts = notifications.notification_drafts_for_event(event=event, now=now)
    with transaction.atomic():
        saved = [notifications.notification_save(draft) for draft in drafts]
        return FanOut(
            notification_ids=[row.pk for row in saved if row is not None],
            delivery_ids=webhooks.deliveries_for_event(event=event, now=now),
        )


def events_fanned_out(event_ids: list[int]) -> set[int]:
    """Which of these events already have their outbox rows. `event_fan_out` writes all of
    an event's rows in one transaction, so one row means all of them."""
    return set(
        Notification.objects.filter(event_id__in=event_ids).values_list("event_id", flat=True)
    ) | set(
        WebhookDelivery.objects.filter(event_id__in=event_ids).values_list("event_id", flat=True)
    )


def events_catch_up(*, now: datetime, budget: timedelta = CATCH_UP_BUDGET) -> FanOut:
    """Fan out the events after the cursor that have no outbox rows yet (idempotent), then
    move the cursor past those that are settled. Returns the rows this created (normally
    none: the per-event job was first).

    1. read the events after the cursor in batches of CATCH_UP_BATCH, oldest first, up to
       the newest or until `budget` is spent (a burst of thousands is read in one run);
    2. skip, with one query a batch, the events that already have rows (the per-event job
       did them), and fan out the rest;
    3. move the cursor up to the last event older than CURSOR_SETTLE that has no younger
       event before it; younger ones are read again next run, cheaply (step 2).
    """
    cursor, _ = EventCursor.objects.get_or_create(
        name=CURSOR_NAME, defaults={"last_event_id": 0, "updated_at": now}
    )
    settled_up_to = after = cursor.last_event_id
    is_settling = False
    total = FanOut()
    started = time.monotonic()
    while True:
        batch = list(case_selectors.events_after(after_id=after, limit=CATCH_UP_BATCH))
        if not batch:
            break
        done = events_fanned_out([event.pk for event in batch])
        for event in batch:
            if event.action not in UNANNOUNCED and event.pk not in done:
                total.add(event_fan_out(event_id=event.pk, now=now))
            if event.created_at > now - CURSOR_SETTLE:
                is_settling = True
            if not is_settling:
                settled_up_to = event.pk
        after = batch[-1].pk
        if len(batch) < CATCH_UP_BATCH or time.monotonic() - started > budget.total_seconds():
            break
    EventCursor.objects.filter(name=CURSOR_NAME, last_event_id__lt=settled_up_to).update(
        last_event_id=settled_up_to, updated_at=now
    )
    return total


def events_skip_to_latest(*, now: datetime) -> None:
    """Move the catch-up cursor past every event written so far: they are history that is
    announced to nobody (the demo data set)."""
    EventCursor.objects.update_or_create(
        name=CURSOR_NAME,
        defaults={"last_event_id": case_selectors.event_last_id(), "updated_at": now},
    )
