"""Subscribers receive case events as signed JSON, retried after errors, logged in the admin."""

import json
import socket
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from minsheng.cases.workflow import perform
from minsheng.notify.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
    webhook_secret_new,
)
from minsheng.notify.services.webhooks import MAX_ATTEMPTS
from minsheng.notify.tests.conftest import Received, free_port

pytestmark = pytest.mark.django_db

SECRET = webhook_secret_new()


def verify(secret: str, request) -> bool:
    """What a subscriber does (README "Webhooks"): the standardwebhooks library checks the
    signature over id, timestamp and body, and refuses a timestamp over 5 minutes old."""
    try:
        Webhook(secret).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


def test_a_subscriber_that_fails_once_gets_the_event_signed_on_the_retry(
    cast, http_server, run_tasks, committed
):
    http_server.answers = [(500, "oops")]
    WebhookSubscription.objects.create(name="市长热线平台", url=http_server.url, secret=SECRET)
    with committed():
        case = cast.submit().case
        perform(case=case, action="reject", actor=cast.intake, note="张伟所述不属于本机关职责")
    run_tasks()

    assert [r.json()["action"] for r in http_server.received] == ["register", "reject"]
    failed = WebhookDelivery.objects.get(event__action="register")
    assert failed.status == DeliveryStatus.PENDING
    assert (failed.attempts, failed.status_code, failed.response_excerpt) == (1, 500, "oops")
    with time_machine.travel(failed.next_attempt_at + timedelta(seconds=1)):
        run_tasks()

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.status_code) == (DeliveryStatus.SENT, 2, 200)
    first, second, retry = http_server.received
    assert retry.body == first.body  # the same bytes, the same signature
    for request in http_server.received:
        assert verify(SECRET, request)
        assert request.headers["X-Minsheng-Event-Id"] == str(request.json()["id"])
    assert retry.headers["webhook-id"] == first.headers["webhook-id"], "deduplicate on it"
    assert int(retry.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    assert not verify(webhook_secret_new(), retry), "another secret"
    # A captured delivery cannot be replayed: its signature binds its time and id.
    earlier = str(int(retry.headers["webhook-timestamp"]) - 60)
    moved = Received(retry.path, {**retry.headers, "webhook-timestamp": earlier}, retry.body)
    assert not verify(SECRET, moved)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert not verify(SECRET, retry), "too old"
    payload = second.json()
    assert payload["type"] == "case.reject"
    assert payload["case"]["number"] == case.number
    assert (payload["from_state"], payload["to_state"]) == ("submitted", "rejected")
    raw = b"".join(r.body for r in http_server.received).decode()
    for personal in ["张伟", "13812345678", "zw@example.cn", "不属于本机关职责"]:
        assert personal not in raw
    assert payload["actor_role"] == "intake"  # a role, never who
    assert "actor" not in payload
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_a_subscription_receives_only_the_events_it_asked_for(
    cast, http_server, run_tasks, committed
):
    WebhookSubscription.objects.create(name="统计系统", url=http_server.url, actions="accept")
    WebhookSubscription.objects.create(name="停用", url=http_server.url, is_active=False)
    with committed():
        case = cast.submit().case
        perform(case=case, action="accept", actor=cast.intake)
    run_tasks()

    assert [json.loads(r.body)["action"] for r in http_server.received] == ["accept"]


def test_an_unreachable_subscriber_is_given_up_after_the_last_attempt(
    cast, run_tasks, committed, private_targets_allowed
):
    WebhookSubscription.objects.create(name="down", url=f"http://127.0.0.1:{free_port()}/")
    with committed():
        cast.submit()
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.refresh_from_db()
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert "refused" in delivery.last_error.lower()


def test_the_delivery_log_is_in_the_admin(cast, admin_client, http_server, run_tasks, committed):
    WebhookSubscription.objects.create(name="市长热线平台", url=http_server.url)
    with committed():
        cast.submit()
    run_tasks()
    delivery = WebhookDelivery.objects.get()

    listing = admin_client.get(reverse("admin:notify_webhookdelivery_changelist"))
    detail = admin_client.get(reverse("admin:notify_webhookdelivery_change", args=[delivery.pk]))

    assert listing.status_code == 200
    assert "市长热线平台" in listing.content.decode()
    assert detail.status_code == 200
    assert "case.register" in detail.content.decode()


def test_a_subscriber_that_does_not_answer_in_time_is_tried_again(
    cast, run_tasks, committed, settings, private_targets_allowed
):
    settings.WEBHOOK_TIMEOUT = 0.3
    with socket.socket() as silent:  # accepts connections (kernel backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        WebhookSubscription.objects.create(name="slow", url=f"http://127.0.0.1:{port}/")
        with committed():
            cast.submit()
        run_tasks()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "timed out" in delivery.last_error
    assert delivery.status_code is None
