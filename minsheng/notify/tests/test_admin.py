"""The notification log in the admin: what was sent to whom (masked), and "try again"."""

import pytest
from django.urls import reverse

from minsheng.notify.models import DeliveryStatus, Notification, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_the_log_and_tries_a_failed_message_again(
    cast, admin_client, run_tasks, committed, smtp
):
    with committed():
        case = cast.submit().case
    run_tasks()
    notification = Notification.objects.get(case=case)
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.FAILED, attempts=12, last_error="gateway down"
    )
    url = reverse("admin:notify_notification_changelist")

    listing = admin_client.get(url, {"status__exact": "failed"})
    with committed():
        retried = admin_client.post(
            url, {"action": "try_again", "_selected_action": [notification.pk]}
        )
    run_tasks()

    assert listing.status_code == 200
    page = listing.content.decode()
    assert case.number in page
    assert "138****5678" in page
    assert "13812345678" not in page
    assert retried.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 1)


def test_only_administrators_reach_the_notify_admin(cast, client):
    client.force_login(cast.supervisor)

    response = client.get(reverse("admin:notify_notification_changelist"))

    assert response.status_code == 302  # to the admin login


def test_a_new_subscription_gets_a_random_secret_and_a_checked_event_filter(admin_client, dns):
    dns["hub.example.gov.cn"] = "93.184.215.14"  # a public address
    url = reverse("admin:notify_webhooksubscription_add")
    form = {
        "name": "省12345平台",
        "url": "https://hub.example.gov.cn/minsheng",
        "secret": WebhookSubscription._meta.get_field("secret").default(),
        "actions": "register, acept",
        "is_active": "on",
    }

    typo = admin_client.post(url, form)
    response = admin_client.post(url, {**form, "actions": "register,accept"})

    assert "acept" in typo.context["adminform"].form.errors["actions"][0]
    assert response.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret.startswith("whsec_")
    assert len(subscription.secret) == len("whsec_") + 44  # base64 of 32 random bytes
    assert subscription.action_names == {"register", "accept"}
