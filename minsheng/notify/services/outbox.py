"""The outbox rules, once for every kind of `OutboxRow` (`Notification`, `WebhookDelivery`):
claim a row before trying it, wait longer after each failed try, give up after the last,
free rows a dead worker left claimed, and let an administrator start over.

    pending ─claim→ sending ─→ sent
       ↑               └─ failed try ─→ pending, due after backoff(attempts)
       │                              └→ failed (last attempt, or retrying cannot help)
       ├─ unstick: `sending` longer than NOTIFY_SENDING_TIMEOUT (the worker died)
       └─ retry: failed or waiting, by an administrator (attempts start again at 0)

Sending itself (and what "sent" records) belongs to each kind's own service; the caller
schedules the next try at the row's `next_attempt_at`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minsheng.notify.models import DeliveryStatus, OutboxRow

ERROR_KEPT = 2000  # characters of the last error kept on the row


@dataclass(frozen=True)
class RetryPolicy:
    """How one kind of row is retried: the first wait, the longest wait, and the attempts
    after which it is given up."""

    first: timedelta
    cap: timedelta
    max_attempts: int


def sending_timeout() -> timedelta:
    """How long a claimed row may stay `sending` before it is taken for a dead worker's
    (setting NOTIFY_SENDING_TIMEOUT): the duplicate window, as short as the slowest send
    allows."""
    return timedelta(seconds=settings.NOTIFY_SENDING_TIMEOUT)


def backoff(attempts: int, *, first: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after the `attempts`-th failed try: first, 2 × first, 4 × first …,
    at most `cap`."""
    return min(first * 2 ** max(attempts - 1, 0), cap)


def outbox_claim(model: type[OutboxRow], *, pk: int, now: datetime) -> bool:
    """Take one row for an attempt: pending and due → sending, attempts + 1, in one
    conditional UPDATE. False if another worker has it, it is not due, or it is done."""
    claimed = model._default_manager.filter(
        pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    return bool(claimed)


def outbox_attempt_failed(
    row: OutboxRow,
    *,
    error: str,
    policy: RetryPolicy,
    permanent: bool = False,
    also: tuple[str, ...] = (),
) -> None:
    """Record a claimed row's failed attempt: `failed` for good when retrying cannot help
    (`permanent`) or this was the last attempt, otherwise `pending` again, due after the
    backoff. Saves the outbox fields and the caller's own changed fields (`also`)."""
    row.last_error = error[:ERROR_KEPT]
    fields = ["status", "last_error", *also]
    if permanent or row.attempts >= policy.max_attempts:
        row.status = DeliveryStatus.FAILED
    else:
        row.status = DeliveryStatus.PENDING
        row.next_attempt_at = timezone.now() + backoff(
            row.attempts, first=policy.first, cap=policy.cap
        )
        fields.append("next_attempt_at")
    row.save(update_fields=fields)


def outbox_unstick(model: type[OutboxRow], *, now: datetime) -> list[int]:
    """Put rows left `sending` longer than `sending_timeout()` (their worker died) back to
    pending, due now; returns their ids, to enqueue (two sweeps at once may both return a
    row: its claim still lets only one job send it). The retry carries the row's own
    reference (Message-ID, SMS ref, webhook-id), so a receiver can drop the repeat if the
    dead worker's send did arrive."""
    stuck = model._default_manager.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - sending_timeout()
    )
    ids = list(stuck.values_list("pk", flat=True))
    stuck.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    return ids


@transaction.atomic
def outbox_retry(model: type[OutboxRow], *, ids: list[int]) -> list[int]:
    """Give failed or waiting rows a fresh set of attempts, due now (an administrator's
    "try again"); returns the ids to enqueue. Sent and sending rows are left alone."""
    rows = model._default_manager.filter(
        pk__in=ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]
    )
    found = list(rows.values_list("pk", flat=True))
    rows.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    return found
