"""Outbound webhooks: case events posted as signed JSON to subscribed systems, retried with
exponential backoff (`RETRY`, the rules of `outbox`), every attempt kept in `WebhookDelivery`.

Signed in the Standard Webhooks scheme (standardwebhooks.com): `webhook-id` (the delivery,
the same on retries), `webhook-timestamp` (this attempt, Unix seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The signature covers
the id and the time, so a subscriber that refuses old timestamps and ids it has seen
cannot be made to accept a captured delivery again. Targets on private or local
addresses are refused (`minsheng.lib.outbound`, through `http_post_json`).

Payloads carry no personal data: no complainant, no free text written by staff or the
public (it may name people), no staff names; only what the event did to which case.
"""

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from minsheng.cases.models import CaseEvent
from minsheng.notify import selectors
from minsheng.notify.models import DeliveryStatus, WebhookDelivery
from minsheng.notify.services import outbox
from minsheng.notify.sms import http_post_json

logger = logging.getLogger(__name__)

# Waits of 30 s, 1, 2, 4 ... min, at most 2 h: about 8 hours from first to last try.
RETRY = outbox.RetryPolicy(first=timedelta(seconds=30), cap=timedelta(hours=2), max_attempts=12)
MAX_ATTEMPTS = RETRY.max_attempts
SECRET_PREFIX = "whsec_"  # noqa: S105 - the scheme's marker, not a secret


def payload_for(event: CaseEvent) -> dict[str, Any]:
    """The JSON document posted for one case event (README: "Webhooks")."""
    case = event.case
    return {
        "id": event.pk,
        "type": f"case.{event.action}",
        "action": event.action,
        "occurred_at": event.created_at.isoformat(),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_role": event.actor_role,
        "is_public": event.is_public,
        "case": {
            "number": case.number,
            "kind": case.kind,
            "severity": case.severity,
            "channel": case.channel,
            "state": case.state,
            "category": case.category.name if case.category_id else None,  # type: ignore[union-attr]
            "department": (
                {"id": case.department_id, "name": case.department.name}  # type: ignore[union-attr]
                if case.department_id
                else None
            ),
            "next_due_at": case.next_due_at.isoformat() if case.next_due_at else None,
            "created_at": case.created_at.isoformat(),
        },
    }


def signature_headers(
    *, secret: str, delivery_id: int, body: bytes, at: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt. A `whsec_` secret is the base64 of
    the key (what standardwebhooks libraries take as is); an older secret without the
    prefix is used as its UTF-8 bytes."""
    key: str | bytes = secret if secret.startswith(SECRET_PREFIX) else secret.encode()
    msg_id = f"minsheng-delivery-{delivery_id}"
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(key).sign(msg_id, at, body.decode()),
    }


@transaction.atomic
def deliveries_for_event(*, event: CaseEvent, now: datetime) -> list[int]:
    """Create one delivery per active subscription that wants this event; returns new ids."""
    subscriptions = selectors.subscriptions_for(event.action)
    if not subscriptions:
        return []
    body = json.dumps(payload_for(event), ensure_ascii=False, sort_keys=True)
    created = []
    for subscription in subscriptions:
        delivery, is_new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event=event,
            defaults={"body": body, "next_attempt_at": now, "created_at": now},
        )
        if is_new:
            created.append(delivery.pk)
    return created


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Post one pending delivery whose time has come.

    1. claim it (pending → sending, attempts + 1) with a conditional UPDATE, or return None;
    2. POST the stored body with the Standard Webhooks headers (id, timestamp, signature)
       and the event headers, outside any transaction, to a checked public address;
    3. a 2xx answer delivers it; anything else (other status, timeout, refused connection)
       puts it back to pending after a backoff, or fails it for good after MAX_ATTEMPTS.
    """
    now = timezone.now()
    if not outbox.outbox_claim(WebhookDelivery, pk=delivery_id, now=now):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    body = delivery.body.encode()
    headers = {
        **signature_headers(
            secret=delivery.subscription.secret, delivery_id=delivery.pk, body=body, at=now
        ),
        "X-Minsheng-Event-Id": str(delivery.event_id),
        "X-Minsheng-Event": json.loads(delivery.body)["action"],
        "X-Minsheng-Delivery": str(delivery.pk),
        "User-Agent": "Minsheng-Webhooks/1",
    }
    status_code: int | None = None
    answer, error = "", ""
    try:
        status_code, answer = http_post_json(
            url=delivery.subscription.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
        )
    except OSError as exc:  # refused, unreachable, timed out
        error = f"{type(exc).__name__}: {exc}"
    delivery.status_code = status_code
    delivery.response_excerpt = answer[:500]
    answered = ("status_code", "response_excerpt")
    if not _ok(status_code):  # no answer (error) or not 2xx
        outbox.outbox_attempt_failed(
            delivery, error=error or f"HTTP {status_code}", policy=RETRY, also=answered
        )
        if delivery.status == DeliveryStatus.FAILED:
            logger.warning("webhooks: gave up on delivery %s: %s", delivery.pk, delivery.last_error)
        return delivery
    delivery.status = DeliveryStatus.SENT
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "last_error", "delivered_at", *answered])
    return delivery


def _ok(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
