"""What notify keeps: message templates, one row per message sent (the outbox and its
log), which clocks were already warned about, the catch-up cursor over case events, and
webhook subscriptions with their delivery log.

A `Notification` or `WebhookDelivery` row is created once per (event, recipient, channel)
or (event, subscriber); its unique key is what makes "never twice" hold, and its status,
attempts and next try (the fields of `OutboxRow`, handled by `services.outbox`) are what
make "never lost" hold.
"""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case, CaseClock, CaseEvent, Complainant, NoticeKind

STAFF_KINDS = frozenset(
    {NoticeKind.ASSIGNED, NoticeKind.DUE_SOON, NoticeKind.OVERDUE, NoticeKind.SUPERVISION}
)


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class NotificationTemplate(models.Model):
    """The text of one kind of message on one channel, edited by administrators.

    Subject and body use Django template syntax over a small fixed context (see
    `notify.rendering.CONTEXT_HELP`); SMS uses the body only.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive: this message is not sent at all.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel"], name="notificationtemplate_kind_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for its (next) attempt
    SENDING = "sending", _("Sending")  # claimed by a worker
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # gave up after the last attempt


class OutboxRow(models.Model):
    """One thing to send once to one place, and how its sending is going.

    A row is written in the transaction that decides it must be sent, so it exists exactly
    when that decision committed. It starts `pending` and due at once; a worker claims it
    (`sending`, one more attempt) before trying, and the try makes it `sent`, or `pending`
    again with a later `next_attempt_at`, or `failed` for good. `services.outbox` holds
    these rules for every kind of row; the subclasses add what is sent, and to whom.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the sweep reads: rows waiting for an attempt that is due.
            models.Index(
                fields=["next_attempt_at"],
                name="%(class)s_pending_due",
                condition=models.Q(status="pending"),
            ),
        ]


class Notification(OutboxRow):
    """One message to one person over one channel: the outbox row and its delivery log.

    `key` names what caused it and who it is for (`event:12:receipt:email:c:7`,
    `clock:5:overdue:sms:u:3`); it is unique, so a message is created and sent at most
    once. The recipient's address is read from the complainant or user when sending, and
    only a masked label is kept here.
    """

    key = models.CharField(max_length=120)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clock = models.ForeignKey(
        CaseClock, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    complainant = models.ForeignKey(
        Complainant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_label = models.CharField(_("recipient"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta(OutboxRow.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="notification_unique_key"),
            models.CheckConstraint(
                condition=models.Q(complainant__isnull=True) | models.Q(user__isnull=True),
                name="notification_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ClockNotice(models.Model):
    """A clock already warned about (due soon, overdue): each clock once per kind."""

    clock = models.ForeignKey(CaseClock, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("clock notice")
        verbose_name_plural = _("clock notices")
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind"], name="clocknotice_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.clock_id} {self.kind}"


class EventCursor(models.Model):
    """How far the catch-up sweep has looked through the case events (one row per name).

    The fan-out job normally runs right after an event commits; the sweep re-reads events
    after the cursor so that an event whose job was never enqueued is still handled.
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


class ClockMark(models.Model):
    """How far the sweep has read the running clocks for one kind of reminder (overdue):
    every clock due before `checked_through` has had it, so a run reads only the clocks
    that fell due since."""

    kind = models.CharField(max_length=20, choices=NoticeKind.choices, primary_key=True)
    checked_through = models.DateTimeField()

    class Meta:
        verbose_name = _("clock mark")
        verbose_name_plural = _("clock marks")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.checked_through}"


def webhook_secret_new() -> str:
    """A fresh random signing secret for a new subscription, as Standard Webhooks writes
    one: `whsec_` and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """Another system that wants case events posted to it as signed JSON."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=webhook_secret_new,
        help_text=_("Shared with the subscriber; signs every body with HMAC-SHA256."),
    )
    actions = models.CharField(
        _("events"),
        max_length=500,
        blank=True,
        help_text=_(
            "Comma-separated event names (e.g. register, accept, approve); blank for every event."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def action_names(self) -> frozenset[str]:
        """The event names subscribed to; empty means all."""
        return frozenset(a.strip() for a in self.actions.split(",") if a.strip())


class WebhookDelivery(OutboxRow):
    """One case event posted (or to be posted) to one subscriber, with its attempts.

    `body` is stored exactly as sent, so every retry carries the same bytes and signature.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("payload"))
    status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    response_excerpt = models.TextField(_("last response (excerpt)"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta(OutboxRow.Meta):
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhookdelivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.event_id}"
