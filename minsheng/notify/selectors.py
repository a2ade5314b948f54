"""Reads for notify: templates, who to tell, and what is waiting to be sent."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from minsheng.accounts.models import DEPARTMENT_ROLES, Role, User
from minsheng.cases import selectors as case_selectors
from minsheng.cases.models import CaseClock
from minsheng.notify.models import (
    ClockNotice,
    DeliveryStatus,
    Notification,
    NotificationTemplate,
    OutboxRow,
    WebhookSubscription,
)


def template_for(*, kind: str, channel: str) -> NotificationTemplate | None:
    """The active template for this kind of message on this channel, if any."""
    return NotificationTemplate.objects.filter(kind=kind, channel=channel, is_active=True).first()


def department_staff(department_id: int) -> list[User]:
    """Active handlers and heads of one department, each once."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__department_id=department_id,
            memberships__role__in=DEPARTMENT_ROLES,
        )
        .distinct()
        .order_by("id")
    )


def users_by_ids(ids: list[int]) -> list[User]:
    """Active users with these ids, in id order."""
    return list(User.objects.filter(is_active=True, pk__in=ids).order_by("id"))


def users_with_role(role: Role) -> list[User]:
    """Active users holding a centre role (intake, dispatcher, supervisor ...)."""
    return list(
        User.objects.filter(is_active=True, memberships__role=role).distinct().order_by("id")
    )


def clocks_to_warn(
    *, kind: str, before: datetime, after: datetime | None = None, limit: int
) -> list[CaseClock]:
    """Running clocks due at or before `before` (and after `after`) that have had no `kind`
    reminder yet."""
    warned = ClockNotice.objects.filter(kind=kind).values("clock_id")
    clocks = case_selectors.clocks_due_before(before=before).exclude(pk__in=warned)
    if after is not None:
        clocks = clocks.filter(due_at__gt=after)
    return list(clocks[:limit])


def outbox_waiting(
    model: type[OutboxRow], *, now: datetime, grace: timedelta, limit: int
) -> list[int]:
    """Pending outbox rows (notifications, webhook deliveries) whose next attempt is more
    than `grace` overdue: their job was lost or never enqueued. Oldest first."""
    return list(
        model._default_manager.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now - grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def pending_for_event(event_id: int) -> list[int]:
    """The ids of one case event's messages still waiting to be sent, oldest first."""
    return list(
        Notification.objects.filter(event_id=event_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def subscriptions_for(action: str) -> list[WebhookSubscription]:
    """Active subscriptions that want events of this action."""
    return [
        s
        for s in WebhookSubscription.objects.filter(is_active=True).order_by("id")
        if not s.action_names or action in s.action_names
    ]


def notifications_for_case(case_id: int) -> QuerySet[Notification]:
    """A case's notifications, newest first (for the admin and staff pages)."""
    return Notification.objects.filter(case_id=case_id).select_related("complainant", "user")
