"""What follows a committed case event, in the background: one task per announced event,
which runs every consumer named in `settings.EVENT_CONSUMERS` (notify's messages, routing's
collective check, automatic dispatch), so that no feature imports another and a request
queues one task, not one per feature and message.

    CaseEvent saved ─(queued with the transaction)→ events_consume_job ─→ each consumer

Each consumer takes the events, reloads what it needs and is safe to repeat (a task whose
worker died runs again, whole); one that fails leaves its work to its own catch-up sweep
(`notify_sweep`, `collective_sweep`) and does not stop the others.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import task

from minsheng.cases.models import CaseEvent
from minsheng.cases.workflow import UNANNOUNCED
from minsheng.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

# True while made-up history is written (`events_muted`).
_muted: ContextVar[bool] = ContextVar("case_events_muted", default=False)

Consumer = Callable[[list[CaseEvent]], None]


def consumers() -> list[Consumer]:
    """The consumers of committed case events, in order (`settings.EVENT_CONSUMERS`)."""
    return [import_string(path) for path in settings.EVENT_CONSUMERS]


@task()
def events_consume_job(*, event_ids: list[int]) -> int:
    """Run every consumer on these committed events (`EVENT_CONSUMERS`); returns how many
    consumers failed (logged; their sweeps catch up)."""
    events = list(CaseEvent.objects.filter(pk__in=event_ids).select_related("case").order_by("pk"))
    failed = 0
    for consumer in consumers():
        try:
            consumer(events)
        # One consumer's fault (a template, a mail server) must not cost the others their
        # turn; what it missed is in the database for its sweep.
        except Exception:
            failed += 1
            logger.exception("case events %s: %s failed", event_ids, consumer.__qualname__)
    return failed


def case_event_saved(
    sender: type[CaseEvent], instance: CaseEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save receiver (connected in apps.py): queue the consumers of a new announced
    event with its transaction (`lib.tasks.enqueue_on_commit`). Writes nothing of its own,
    so a rolled-back action tells nobody."""
    if created and not raw and not _muted.get() and instance.action not in UNANNOUNCED:
        enqueue_on_commit(events_consume_job, event_ids=[instance.pk])


@contextmanager
def events_muted() -> Iterator[None]:
    """Queue nothing for the case events written inside (made-up history: the demo data
    set, an office profile's examples). Notify's `events_muted` also moves its catch-up
    cursor past them."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)
