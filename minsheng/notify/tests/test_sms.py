"""SMS goes through the configured backend; the HTTP gateway adapter keeps its documented
contract against a real local HTTP server."""

from datetime import timedelta

import pytest
import time_machine

from minsheng.cases.models import CaseEvent
from minsheng.notify.models import DeliveryStatus, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings, http_server):
    settings.SMS_BACKEND = "minsheng.notify.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = http_server.url
    settings.SMS_GATEWAY_TOKEN = "gw-token-123"
    settings.SMS_GATEWAY_TIMEOUT = 5
    return http_server


def test_sms_goes_to_the_gateway_as_json_with_a_bearer_token(cast, gateway, run_tasks, committed):
    with committed():
        case = cast.submit().case  # the cast's complainant asks for SMS
    run_tasks()

    [request] = gateway.received
    assert request.headers["Authorization"] == "Bearer gw-token-123"
    assert request.headers["Content-Type"] == "application/json"
    sent = request.json()
    assert set(sent) == {"to", "text", "ref"}
    assert sent["to"] == "13812345678"
    assert case.number in sent["text"]
    assert sent["text"].startswith("【民声】")
    notification = Notification.objects.get(case=case)
    assert sent["ref"] == notification.key
    assert notification.status == DeliveryStatus.SENT
    assert notification.recipient_label == "张** · 138****5678"
    assert CaseEvent.objects.filter(case=case, action="notified").count() == 1


def test_a_gateway_error_is_retried_later_with_the_same_ref(cast, gateway, run_tasks, committed):
    gateway.answers = [(503, '{"error": "busy"}')]
    with committed():
        case = cast.submit().case
    run_tasks()

    notification = Notification.objects.get(case=case)
    assert notification.status == DeliveryStatus.PENDING
    assert "503" in notification.last_error
    with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
        run_tasks()

    notification.refresh_from_db()
    assert notification.status == DeliveryStatus.SENT
    assert notification.attempts == 2
    assert [r.json()["ref"] for r in gateway.received] == [notification.key] * 2


def test_console_backend_is_the_default_and_logs_the_message(cast, run_tasks, committed, caplog):
    caplog.set_level("INFO", logger="minsheng.notify.sms")
    with committed():
        case = cast.submit().case
    run_tasks()

    assert Notification.objects.get(case=case).status == DeliveryStatus.SENT
    assert any(case.number in r.getMessage() for r in caplog.records)
