"""Admin pages: message templates (edited, with a preview), the notification log, webhook
subscriptions (edited) and their delivery log (read-only, with a "try again" action)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from minsheng.lib.admin import ReadOnlyAdmin
from minsheng.lib.tasks import enqueue
from minsheng.notify import jobs, rendering
from minsheng.notify.forms import NotificationTemplateForm, WebhookSubscriptionForm
from minsheng.notify.models import (
    Notification,
    NotificationTemplate,
    WebhookDelivery,
    WebhookSubscription,
)
from minsheng.notify.services import outbox


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["kind", "channel", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "is_active"]
    readonly_fields = ["preview", "variables"]
    fields = ["kind", "channel", "subject", "body", "is_active", "preview", "variables"]

    @admin.display(description=_("preview (sample case)"))
    def preview(self, obj: NotificationTemplate) -> str:
        if obj.pk is None:
            return "-"
        try:
            text = rendering.render_message(
                subject=obj.subject, body=obj.body, context=rendering.SAMPLE_CONTEXT
            )
        except rendering.TemplateProblem as exc:
            return format_html("<strong>{}</strong>", exc)
        return format_html(
            '<div class="notify-preview"><strong>{}</strong><pre style="white-space:pre-wrap">'
            "{}</pre></div>",
            text.subject,
            text.body,
        )

    @admin.display(description=_("variables"))
    def variables(self, obj: NotificationTemplate) -> str:
        rows = format_html_join(
            "", "<li><code>{{{{ {} }}}}</code>: {}</li>", rendering.CONTEXT_HELP.items()
        )
        return format_html("<ul>{}</ul>", rows)


# The outbox fields, in the order the change pages show them.
OUTBOX_FIELDS = ["status", "attempts", "next_attempt_at", "claimed_at", "last_error", "created_at"]


def _retry(request: HttpRequest, ids: list[int], job: Any, arg: str) -> None:
    # The rows are pending and due now: one the broker refuses is sent by notify_sweep.
    for pk in ids:
        kwargs: dict[str, Any] = {arg: pk}
        enqueue(job, **kwargs)
    messages.info(request, _("%(count)s queued to be tried again.") % {"count": len(ids)})


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "case",
        "kind",
        "channel",
        "recipient_label",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["case__number", "message_id"]
    list_select_related = ["case"]
    actions = ["try_again"]
    # What was sent, then how its sending went (the `OutboxRow` fields). No complainant or
    # user: reach the person through the case page.
    fields = [
        "key",
        "case",
        "event",
        "clock",
        "kind",
        "channel",
        "recipient_label",
        "subject",
        "body",
        "message_id",
        *OUTBOX_FIELDS,
        "sent_at",
    ]

    @admin.action(description=_("Try again now"), permissions=["view"])
    def try_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = outbox.outbox_retry(Notification, ids=[n.pk for n in queryset])
        _retry(request, ids, jobs.notification_deliver_job, "notification_id")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "actions", "is_active", "created_at"]
    list_filter = ["is_active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event",
        "status",
        "attempts",
        "status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "subscription"]
    list_select_related = ["subscription", "event"]
    actions = ["try_again"]
    fields = [
        "subscription",
        "event",
        "body",
        *OUTBOX_FIELDS,
        "status_code",
        "response_excerpt",
        "delivered_at",
    ]

    @admin.action(description=_("Try again now"), permissions=["view"])
    def try_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = outbox.outbox_retry(WebhookDelivery, ids=[d.pk for d in queryset])
        _retry(request, ids, jobs.webhook_deliver_job, "delivery_id")
