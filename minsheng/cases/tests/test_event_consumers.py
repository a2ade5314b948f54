"""What follows a committed case event: one task runs every consumer of `EVENT_CONSUMERS`,
and one that fails costs the others nothing."""

import pytest

from minsheng.cases.models import CaseEvent
from minsheng.notify.models import NoticeKind, Notification

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def broken_consumer(case_events: list[CaseEvent]) -> None:
    raise RuntimeError("a consumer's own fault (its mail server, its template)")


def test_a_failing_consumer_does_not_keep_the_receipt_from_the_complainant(
    cast, settings, django_capture_on_commit_callbacks, caplog
):
    settings.TASKS = IMMEDIATE
    settings.EVENT_CONSUMERS = [
        f"{__name__}.broken_consumer",
        "minsheng.notify.jobs.events_consume",
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = cast.submit().case
    assert not Notification.objects.exists(), "nothing before the commit"

    for callback in callbacks:
        callback()
    assert Notification.objects.filter(case=case, kind=NoticeKind.RECEIPT).exists()
    assert "broken_consumer failed" in caplog.text
