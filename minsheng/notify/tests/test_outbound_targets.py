"""Webhooks and the SMS gateway call public addresses only (server-side request forgery):
refused when a subscription is saved, and again at every send, whatever DNS says then."""

import pytest
from django.urls import reverse

from minsheng.notify.models import (
    DeliveryStatus,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_subscription_to_a_private_or_local_address(admin_client, dns):
    dns["hooks.example.cn"] = "93.184.215.14"
    dns["intranet.example.cn"] = "192.168.1.10"
    url = reverse("admin:notify_webhooksubscription_add")
    form = {"name": "省平台", "secret": "whsec_c2VjcmV0", "actions": "", "is_active": "on"}
    refused = {
        "http://127.0.0.1:8000/admin/": "127.0.0.1",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254",  # cloud metadata
        "http://[::1]/hook": "::1",
        "https://10.1.2.3/hook": "10.1.2.3",
        "https://intranet.example.cn/hook": "192.168.1.10",  # a public-looking name
        "http://224.0.0.1/": "224.0.0.1",  # multicast
    }
    for target, address in refused.items():
        page = admin_client.post(url, {**form, "url": target})
        (error,) = page.context["adminform"].form.errors["url"]
        assert address in error, target
        assert "公网" in error or "public" in error
    assert not WebhookSubscription.objects.exists()

    accepted = admin_client.post(url, {**form, "url": "https://hooks.example.cn/minsheng"})
    assert accepted.status_code == 302
    assert WebhookSubscription.objects.get().url == "https://hooks.example.cn/minsheng"


def test_a_delivery_is_refused_at_send_time_when_the_name_now_points_inside(
    cast, http_server, run_tasks, committed, settings, dns
):
    settings.MINSHENG_OUTBOUND_ALLOW_PRIVATE = False  # the default, as in production
    dns["hooks.example.cn"] = "127.0.0.1"  # rebound after the subscription was checked
    port = http_server.url.split(":")[2].split("/")[0]
    WebhookSubscription.objects.create(name="rebound", url=f"http://hooks.example.cn:{port}/")
    WebhookSubscription.objects.create(name="direct", url=http_server.url)
    with committed():
        cast.submit()
    run_tasks()

    assert http_server.received == [], "nothing was posted to the local server"
    deliveries = WebhookDelivery.objects.all()
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.status == DeliveryStatus.PENDING, "an attempt failed, to be retried"
        assert "127.0.0.1" in delivery.last_error


def test_the_sms_gateway_on_a_local_address_is_refused(
    cast, http_server, run_tasks, committed, settings
):
    settings.SMS_BACKEND = "minsheng.notify.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = http_server.url
    settings.MINSHENG_OUTBOUND_ALLOW_PRIVATE = False
    with committed():
        cast.submit()  # the cast's complainant asks for SMS
    run_tasks()

    assert http_server.received == []
    sms = Notification.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.PENDING
    assert "127.0.0.1" in sms.last_error
