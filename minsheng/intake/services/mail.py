"""Writes for e-mail in: store every delivered message and decide what it becomes.

`intake.channels.email` reads a message (and runs the SMTP/LMTP receiver); this module
writes. What happens to a message, in order:
1. the same Message-ID again: nothing new (the row counts the delivery);
2. an auto-reply or a bounce: ignored;
3. a reply to one of our case mails: added to that case. If the case awaits material the
   text and files go through the lifecycle's `supplement` action, otherwise they are a public
   message on the case (`cases.services.complainant_message_add`);
4. anything else: a new case through `intake.services.submission_register`;
5. a message that cannot be read or registered: stored as failed, with the reason.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from minsheng.cases.access import Citizen
from minsheng.cases.models import Case, Channel, State
from minsheng.cases.services import complainant_message_add, material_supply
from minsheng.intake.channels import email
from minsheng.intake.models import InboundMail
from minsheng.intake.selectors import case_for_reply
from minsheng.intake.services import submission_register

logger = logging.getLogger(__name__)


def _reply_case(parsed: email.ParsedMail) -> Case | None:
    number = email.reply_case_number(parsed)
    if number is None:
        return None
    return case_for_reply(number=number, sender=parsed.sender_address)


def _add_to_case(case: Case, parsed: email.ParsedMail) -> None:
    note = email.reply_text(parsed.text) or parsed.subject
    citizen = Citizen(case_id=case.pk)
    if case.state == State.NEEDS_INFO:
        material_supply(case=case, actor=citizen, note=note, files=parsed.attachments)
    else:
        complainant_message_add(
            case=case, actor=citizen, note=note, channel=Channel.EMAIL, files=parsed.attachments
        )


def _register(parsed: email.ParsedMail) -> Case:
    registered = submission_register(
        submission=email.submission_for(parsed), actor=None, files=parsed.attachments
    )
    return registered.case


def _envelope_to(envelope_to: list[str]) -> str:
    return ", ".join(envelope_to)[:2000]


def _count_delivery(message_id: str) -> InboundMail:
    InboundMail.objects.filter(message_id=message_id).update(deliveries=F("deliveries") + 1)
    row = InboundMail.objects.get(message_id=message_id)
    logger.info("mail in: %s delivered again, still %s", message_id, row.status)
    return row


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in getattr(error, "message_dict", {"": error.messages}).items()
        )
    return f"{type(error).__name__}: {error}"


def inbound_mail_receive(
    *, raw: bytes, envelope_from: str | None = None, envelope_to: list[str] | None = None
) -> InboundMail:
    """Take one delivered message (steps in the module docstring) and return its row.

    Commits before it returns. Raises only when even the failed row cannot be stored (the
    database is down): the receiver then answers 451 so the sending MTA tries again.
    """
    now = timezone.now()
    row = InboundMail(
        raw=raw,
        envelope_from=(envelope_from or "")[:998],
        envelope_to=_envelope_to(envelope_to or []),
        received_at=now,
    )
    try:
        parsed = email.mail_parse(raw, envelope_from=envelope_from)
    except Exception as error:  # noqa: BLE001 - a malformed mail is stored as failed, never lost
        row.message_id = email.message_id_of(raw, None)
        return _store_failed(row, f"unreadable message: {_error_text(error)}")
    row.message_id = parsed.message_id
    row.sender = f"{parsed.sender_name} <{parsed.sender_address}>".strip()[:998]
    row.subject = parsed.subject[:998]
    if InboundMail.objects.filter(message_id=row.message_id).exists():
        return _count_delivery(row.message_id)
    try:
        with transaction.atomic():
            _process(row, parsed)
            row.full_clean()
            row.save()
    except IntegrityError:
        # Delivered twice at the same moment: the other delivery's row won.
        if InboundMail.objects.filter(message_id=row.message_id).exists():
            return _count_delivery(row.message_id)
        raise
    except Exception as error:  # noqa: BLE001 - kept as failed with the reason, never lost
        logger.exception("mail in: %s could not be processed", row.message_id)
        row.case = None
        return _store_failed(row, _error_text(error))
    logger.info("mail in: %s -> %s %s", row.message_id, row.status, row.reason)
    return row


def _process(row: InboundMail, parsed: email.ParsedMail) -> None:
    """Decide what the message is and write it; fills in the row's status, reason, case."""
    if parsed.ignore_reason:
        row.status, row.reason = InboundMail.Status.IGNORED, parsed.ignore_reason
        return
    problem = email.problem_for(parsed)
    if problem:
        row.status, row.reason = InboundMail.Status.FAILED, problem
        return
    case = _reply_case(parsed)
    if case is not None:
        _add_to_case(case, parsed)
        row.status, row.case = InboundMail.Status.ADDED_TO_CASE, case
        row.reason = "material supplied" if case.state == State.NEEDS_INFO else "message added"
        return
    row.case = _register(parsed)
    row.status = InboundMail.Status.CASE_CREATED


def _store_failed(row: InboundMail, reason: str) -> InboundMail:
    row.pk = None
    row.status, row.reason = InboundMail.Status.FAILED, reason[:5000]
    with transaction.atomic():
        existing = InboundMail.objects.filter(message_id=row.message_id).first()
        if existing is not None:
            return _count_delivery(row.message_id)
        row.save()
    logger.warning("mail in: %s stored as failed: %s", row.message_id, reason)
    return row
