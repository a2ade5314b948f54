"""Notifications: which case events tell whom, creating the outbox rows, and delivering one
row by e-mail or SMS with retries.

Each `Notification` is created once (unique key) and claimed with a conditional UPDATE
before sending, so it is sent at most once even with two workers; a failed attempt puts it
back to `pending` with a later `next_attempt_at` (exponential backoff, `RETRY`) until
`MAX_ATTEMPTS`, when it becomes `failed` (the rules of `outbox`). Delivered and finally
failed messages are noted on the case's timeline.
"""

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minsheng.accounts.models import Role, User
from minsheng.cases import access, workflow
from minsheng.cases import services as case_services
from minsheng.cases.models import Case, CaseClock, CaseEvent, Complainant
from minsheng.deadlines.models import Step
from minsheng.lib.phones import phone_mask, phone_normalise
from minsheng.notify import rendering, selectors
from minsheng.notify.models import DeliveryStatus, NoticeChannel, NoticeKind, Notification
from minsheng.notify.services import outbox
from minsheng.notify.sms import SmsError, sms_send

logger = logging.getLogger(__name__)

K = NoticeKind
# Waits of 1, 2, 4 ... minutes, at most 2 h: the last try is about 10 hours after the first.
RETRY = outbox.RetryPolicy(first=timedelta(minutes=1), cap=timedelta(hours=2), max_attempts=12)
MAX_ATTEMPTS = RETRY.max_attempts


def kinds_for(event: CaseEvent) -> tuple[NoticeKind, ...]:
    """The messages a case event causes (the lifecycle table says which)."""
    return workflow.notices_for(event.action, event.to_state)


# --- recipients ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone to tell, over one channel. Exactly one of complainant and user is set."""

    channel: NoticeChannel
    complainant: Complainant | None = None
    user: User | None = None

    @property
    def tag(self) -> str:
        """The recipient's part of a notification key."""
        if self.complainant is not None:
            return f"c:{self.complainant.pk}"
        assert self.user is not None  # noqa: S101 - one of the two is always set
        return f"u:{self.user.pk}"

    @property
    def label(self) -> str:
        """Who it is, masked: enough for staff to recognise, not to contact."""
        if self.complainant is not None:
            person = self.complainant
            name = (person.name[:1] + "**") if person.name else "?"
            if self.channel == NoticeChannel.EMAIL:
                return f"{name} · {person.email[:1]}***@{person.email.rpartition('@')[2]}"
            return f"{name} · {phone_mask(person.phone)}"
        assert self.user is not None  # noqa: S101
        # Staff by name: the timeline line already says by which channel.
        return self.user.get_full_name() or self.user.username


def _complainant_channel(person: Complainant) -> NoticeChannel | None:
    """The person's chosen channel, or the other one if the chosen has no address.
    A phone call is made by staff, not sent; `none` means no messages."""
    Contact = Complainant.Contact
    if person.contact_by == Contact.SMS:
        order = (NoticeChannel.SMS, NoticeChannel.EMAIL)
    elif person.contact_by == Contact.EMAIL:
        order = (NoticeChannel.EMAIL, NoticeChannel.SMS)
    else:
        return None
    for channel in order:
        if (channel == NoticeChannel.SMS and person.phone) or (
            channel == NoticeChannel.EMAIL and person.email
        ):
            return channel
    return None


def complainant_recipients(case: Case) -> list[Recipient]:
    """The complainants to tell about `case` (with those of cases merged into it); nobody
    for an anonymous case."""
    if case.is_anonymous:
        return []
    found = []
    for person in access.complainants_of(case):
        channel = _complainant_channel(person)
        if channel is not None:
            found.append(Recipient(channel=channel, complainant=person))
    return found


def staff_recipients(users: list[User]) -> list[Recipient]:
    """Staff by e-mail if they have an address, else by SMS if they have a phone."""
    found = []
    for user in users:
        if user.email:
            found.append(Recipient(channel=NoticeChannel.EMAIL, user=user))
        elif user.phone:
            found.append(Recipient(channel=NoticeChannel.SMS, user=user))
    return found


def clock_staff(clock: CaseClock, kind: NoticeKind) -> list[User]:
    """Who answers for a clock: the handler, else the lead department's staff, else the
    centre role of the step; supervisors also hear of overdue steps."""
    case = clock.case
    if case.handler_id is not None and case.handler is not None and case.handler.is_active:
        users = [case.handler]
    elif case.department_id is not None:
        users = selectors.department_staff(case.department_id)
    elif clock.step == Step.REVIEW:
        users = selectors.users_with_role(Role.INTAKE)
    elif clock.step == Step.DISPATCH:
        users = selectors.users_with_role(Role.DISPATCHER)
    else:
        users = []
    if kind == K.OVERDUE:
        seen = {u.pk for u in users}
        users += [u for u in selectors.users_with_role(Role.SUPERVISOR) if u.pk not in seen]
    return users


def event_recipients(event: CaseEvent, kind: NoticeKind) -> list[Recipient]:
    """Who hears of `event` as a message of `kind`."""
    if kind == K.ASSIGNED:
        department_id = event.data.get("department") or event.case.department_id
        return staff_recipients(selectors.department_staff(department_id)) if department_id else []
    if kind == K.SUPERVISION:
        # The supervision notice names whom to tell (on one of its cases' lines only).
        return staff_recipients(selectors.users_by_ids(event.data.get("notify") or []))
    return complainant_recipients(event.case)


# --- creating --------------------------------------------------------------------------


def _message_id(case: Case) -> str:
    """`<case-{number}.{random}@{MINSHENG_MAIL_DOMAIN}>`: e-mail intake matches replies on it."""
    return f"<case-{case.number}.{secrets.token_hex(8)}@{settings.MINSHENG_MAIL_DOMAIN}>"


def notification_draft(
    *,
    key: str,
    case: Case,
    kind: NoticeKind,
    recipient: Recipient,
    now: datetime,
    event: CaseEvent | None = None,
    clock: CaseClock | None = None,
) -> Notification | None:
    """The outbox row for one message, made but not saved, unless it exists (then None).
    It only reads, so it runs before the transaction that saves it (on SQLite a write
    transaction holds the one write lock, and rendering is slow beside an insert).

    The text is rendered now from the active template, so every retry sends the same text.
    No active template: the message is switched off, nothing is made. A template that
    fails to render gives a `failed` row, so the problem shows in the log and the timeline.
    """
    if Notification.objects.filter(key=key).exists():
        return None
    template = selectors.template_for(kind=kind, channel=recipient.channel)
    if template is None:
        logger.info("notify: no active %s template for %s; not sent", recipient.channel, kind)
        return None
    status, error = DeliveryStatus.PENDING, ""
    try:
        text = rendering.render_message(
            subject=template.subject,
            body=template.body,
            context=rendering.context_for(
                case=case,
                event=event,
                clock=clock,
                for_complainant=recipient.complainant is not None,
            ),
        )
    except rendering.TemplateProblem as exc:
        text = rendering.Rendered(subject="", body="")
        status, error = DeliveryStatus.FAILED, f"template: {exc}"
    return Notification(
        key=key,
        case=case,
        event=event,
        clock=clock,
        kind=kind,
        channel=recipient.channel,
        complainant=recipient.complainant,
        user=recipient.user,
        recipient_label=recipient.label[:100],
        subject=text.subject,
        body=text.body,
        message_id=_message_id(case) if recipient.channel == NoticeChannel.EMAIL else "",
        status=status,
        last_error=error,
        next_attempt_at=now,
        created_at=now,
    )


def notification_save(draft: Notification) -> Notification | None:
    """Save a `notification_draft`, unless a row with its key was saved meanwhile (another
    worker, a sweep): then None. A failed one (its template) goes on the timeline and is
    not returned: only pending rows are for the caller to send."""
    try:
        with transaction.atomic():
            draft.save(force_insert=True)
    except IntegrityError:
        if not Notification.objects.filter(key=draft.key).exists():
            raise
        return None
    if draft.status == DeliveryStatus.FAILED:
        _timeline(draft, is_delivered=False)
        return None
    return draft


def notification_add(
    *,
    key: str,
    case: Case,
    kind: NoticeKind,
    recipient: Recipient,
    now: datetime,
    event: CaseEvent | None = None,
    clock: CaseClock | None = None,
) -> Notification | None:
    """Create the outbox row for one message unless it exists (then None):
    `notification_draft`, then `notification_save`."""
    draft = notification_draft(
        key=key, case=case, kind=kind, recipient=recipient, now=now, event=event, clock=clock
    )
    return None if draft is None else notification_save(draft)


def notification_drafts_for_event(*, event: CaseEvent, now: datetime) -> list[Notification]:
    """The messages a case event causes, made but not saved (`notification_draft`)."""
    drafts = []
    for kind in kinds_for(event):
        for recipient in event_recipients(event, kind):
            key = f"event:{event.pk}:{kind}:{recipient.channel}:{recipient.tag}"
            draft = notification_draft(
                key=key, case=event.case, kind=kind, recipient=recipient, now=now, event=event
            )
            if draft is not None:
                drafts.append(draft)
    return drafts


# --- delivering ------------------------------------------------------------------------


class DeliveryError(Exception):
    """This attempt failed; `permanent` when retrying cannot help (no address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _address(notification: Notification) -> str:
    person: Complainant | User | None = notification.complainant or notification.user
    if person is None:
        raise DeliveryError("no recipient", permanent=True)
    address = person.email if notification.channel == NoticeChannel.EMAIL else person.phone
    if not address:
        raise DeliveryError(f"the recipient has no {notification.channel} address", permanent=True)
    return address


def _send(notification: Notification) -> None:
    """One attempt over the notification's channel; raises DeliveryError."""
    address = _address(notification)
    if notification.channel == NoticeChannel.SMS:
        try:
            sms_send(to=address, text=notification.body, ref=notification.key)
        except SmsError as exc:
            raise DeliveryError(_without(str(exc), address)) from exc
        return
    # Replies from complainants go to the complaint address, where e-mail intake adds them
    # to the case (matched on the Message-ID in In-Reply-To).
    reply_to = getattr(settings, "MINSHENG_COMPLAINT_ADDRESS", "")
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        reply_to=[reply_to] if reply_to and notification.complainant_id else None,
        headers={"Message-ID": notification.message_id},
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_without(f"{type(exc).__name__}: {exc}", address)) from exc


def _without(error: str, address: str) -> str:
    """An error text as kept on the row and the timeline: without the recipient's address,
    which is personal data (a refused recipient is named in SMTP errors)."""
    for variant in {address, address.lower(), phone_normalise(address)} - {""}:
        error = error.replace(variant, "<recipient>")
    return error


def _timeline(notification: Notification, *, is_delivered: bool) -> None:
    # The timeline shows the note as written, in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        what = " · ".join(
            [
                str(NoticeKind(notification.kind).label),
                str(NoticeChannel(notification.channel).label),
                notification.recipient_label,
            ]
        )
        if not is_delivered:
            what = _("Not delivered: %(what)s (%(error)s)") % {
                "what": what,
                "error": notification.last_error,
            }
    case_services.notification_record(
        case=notification.case,
        is_delivered=is_delivered,
        kind=notification.kind,
        channel=notification.channel,
        recipient=notification.recipient_label,
        detail=what,
    )


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Try to send one pending notification whose time has come.

    1. claim it (pending → sending, attempts + 1) with a conditional UPDATE; if another
       worker has it, it is not due, or it is done, return None;
    2. send it, outside any transaction (a slow mail server must not hold database locks);
    3. record the outcome: sent; or pending again after a backoff; or failed for good after
       MAX_ATTEMPTS (or at once when there is no address). Sent and failed go on the timeline.
    Returns the row after the attempt; the caller schedules the next try.
    """
    if not outbox.outbox_claim(Notification, pk=notification_id, now=timezone.now()):
        return None
    notification = Notification.objects.select_related("case", "complainant", "user").get(
        pk=notification_id
    )
    try:
        _send(notification)
    except DeliveryError as exc:
        return _attempt_failed(notification, exc)
    with transaction.atomic():
        notification.status = DeliveryStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "last_error"])
        _timeline(notification, is_delivered=True)
    logger.info("notify: sent %s", notification.key)
    return notification


def _attempt_failed(notification: Notification, exc: DeliveryError) -> Notification:
    with transaction.atomic():
        outbox.outbox_attempt_failed(
            notification, error=str(exc), policy=RETRY, permanent=exc.permanent
        )
        if notification.status == DeliveryStatus.FAILED:
            _timeline(notification, is_delivered=False)
            logger.warning("notify: gave up on %s: %s", notification.key, exc)
        else:
            logger.info(
                "notify: attempt %s of %s failed (%s); next at %s",
                notification.attempts,
                notification.key,
                exc,
                notification.next_attempt_at,
            )
    return notification
