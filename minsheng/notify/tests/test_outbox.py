"""The outbox rules every kind of row follows (`services.outbox`), seen through the
workers, the sweep and the admin: failed attempts wait longer each time, by each kind's
own schedule; a send a dead worker left is resumed once, after the timeout only (90 s),
with the same reference; a failed
one is tried again when an administrator asks, and a sent one is not."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minsheng.cases.models import CaseEvent, Complainant
from minsheng.cases.services import PersonInput
from minsheng.notify.models import (
    DeliveryStatus,
    Notification,
    OutboxRow,
    WebhookDelivery,
    WebhookSubscription,
)
from minsheng.notify.services import events, outbox
from minsheng.notify.tests.test_sweep import MONDAY, _at, _sweep_and_send

pytestmark = pytest.mark.django_db

KINDS = pytest.mark.parametrize(
    "model", [Notification, WebhookDelivery], ids=["message", "webhook"]
)


def _submit(model: type[OutboxRow], cast, http_server) -> None:
    """A case whose registration causes one row of `model` (e-mail receipt or webhook)."""
    if model is WebhookDelivery:  # anonymous: the webhook is the only thing sent
        WebhookSubscription.objects.create(name="市长热线平台", url=http_server.url)
        cast.submit(anonymous=True)
    else:
        email = Complainant.Contact.EMAIL
        cast.submit(people=[PersonInput(name="张伟", email="zw@example.cn", contact_by=email)])


@pytest.mark.parametrize(
    ("model", "first"),
    [(Notification, timedelta(minutes=1)), (WebhookDelivery, timedelta(seconds=30))],
    ids=["message", "webhook"],
)
def test_each_failed_attempt_waits_twice_as_long(
    model, first, cast, smtp, http_server, run_tasks, committed
):
    smtp.stop()
    http_server.answers = [(503, "busy")] * 2
    with _at(MONDAY), committed():
        _submit(model, cast, http_server)
    with _at(MONDAY):
        run_tasks()
    row = model.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, MONDAY + first)

    with _at(row.next_attempt_at):
        run_tasks()
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, MONDAY + 3 * first)


@KINDS
def test_a_send_a_dead_worker_left_is_resumed_once_and_a_failed_one_retried_on_request(
    model, cast, admin_client, smtp, http_server, run_tasks
):
    def sent() -> int:
        return len(smtp.messages) if model is Notification else len(http_server.received)

    with _at(MONDAY):
        _submit(model, cast, http_server)  # not committed(): no job is enqueued
        event = CaseEvent.objects.get(action="register")
        events.event_fan_out(event_id=event.pk, now=timezone.now())
        row = model.objects.get()
        # A worker claims the row and dies before sending.
        assert outbox.outbox_claim(model, pk=row.pk, now=timezone.now())

    # Within NOTIFY_SENDING_TIMEOUT (90 s) it may still be sending; after it, the sweep
    # sends it again, with the row's own reference (what a receiver drops repeats by).
    with _at(MONDAY + timedelta(seconds=80)):
        _sweep_and_send(run_tasks)
    row.refresh_from_db()
    assert (row.status, row.attempts, sent()) == (DeliveryStatus.SENDING, 1, 0)
    with _at(MONDAY + timedelta(seconds=95)):
        _sweep_and_send(run_tasks)
        _sweep_and_send(run_tasks)
    row.refresh_from_db()
    assert (row.status, row.attempts, sent()) == (DeliveryStatus.SENT, 2, 1)
    if model is Notification:
        assert smtp.messages[0]["Message-ID"] == row.message_id
    else:
        assert http_server.received[0].headers["webhook-id"] == f"minsheng-delivery-{row.pk}"

    model.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.FAILED, attempts=12, last_error="down"
    )
    name = model._meta.model_name
    url = reverse(f"admin:notify_{name}_changelist")
    for _ in range(2):  # the second time the row is sent: left alone
        retried = admin_client.post(url, {"action": "try_again", "_selected_action": [row.pk]})
        run_tasks()
        assert retried.status_code == 302
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error, sent()) == (DeliveryStatus.SENT, 1, "", 2)
    detail = admin_client.get(reverse(f"admin:notify_{name}_change", args=[row.pk]))
    assert detail.status_code == 200
