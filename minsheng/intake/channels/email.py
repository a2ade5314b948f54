"""E-mail in: mail to the complaint address becomes a case, a reply joins its case.

An MTA hands mail to our SMTP/LMTP receiver (`manage.py mail_receive`, aiosmtpd here);
the receiver calls `intake.services.mail.inbound_mail_receive` for every message and answers
250 only after that has committed. This module reads messages: what they are (auto-reply,
bounce, reply to a case, new matter) and what they say; the service writes.

Message-ID convention (shared with notify, which writes it without importing intake):
every mail we send about a case has the Message-ID

    <case-{case number}.{random}@{MINSHENG_MAIL_DOMAIN}>
    e.g. <case-MS-20261122-000123.9f2c41d0@12345.gov.example>

and, where it can, the case number in brackets in the subject: "[MS-20261122-000123] ...".
A reply whose In-Reply-To or References holds such an id (or, failing that, whose subject
holds the number) is added to that case, if it comes from the e-mail address of one of the
case's complainants. Case numbers are sequential and headers are easy to write, so the
sender is what proves the reply; anyone else's mail becomes a case of its own. (The MTA in
front should reject mail that fails DMARC, so that a From address cannot simply be forged.)
"""

import hashlib
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import Any

from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import close_old_connections
from django.utils.html import strip_tags

from minsheng.cases.models import Channel, Complainant
from minsheng.cases.services import PersonInput, Submission
from minsheng.deadlines.models import Kind
from minsheng.lib import uploads

logger = logging.getLogger(__name__)

NUMBER = r"[A-Z]{1,6}-\d{8}-\d{6}"  # cases.numbering: MS-20261122-000123
CASE_MESSAGE_ID = re.compile(
    rf"<case-(?P<number>{NUMBER})\.[^@<>\s]+@(?P<domain>[^<>\s]+)>", re.IGNORECASE
)
SUBJECT_NUMBER = re.compile(rf"\[(?P<number>{NUMBER})\]", re.IGNORECASE)
ANY_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
IGNORED_PRECEDENCE = {"bulk", "junk", "auto_reply"}
# Where the quoted original starts in a reply; we keep only what was written above it.
QUOTE_START = re.compile(
    r"^(On .+wrote:|在.+写道[:：]?|-{2,}\s*(Original Message|原始邮件|Reply above this line)"
    r"\s*-{2,}|From: .+|发件人[:：].+)\s*$",
    re.IGNORECASE,
)
SUBJECT_MAX = 200
NAME_MAX = 100
MAX_ATTACHMENTS = 20


def case_message_id(number: str, token: str, domain: str | None = None) -> str:
    """The Message-ID of a mail we send about case `number` (see the module docstring)."""
    return f"<case-{number}.{token}@{domain or settings.MINSHENG_MAIL_DOMAIN}>"


def case_number_from_ids(text: str, *, domain: str | None = None) -> str | None:
    """The case number in the first of our own case Message-IDs found in `text` (an
    In-Reply-To or References header), or None. Ids of other domains do not count."""
    ours = (domain or settings.MINSHENG_MAIL_DOMAIN).lower()
    for match in CASE_MESSAGE_ID.finditer(text or ""):
        if match["domain"].lower() == ours:
            return match["number"].upper()
    return None


def case_number_from_subject(subject: str) -> str | None:
    """The case number in brackets in a subject ("Re: [MS-20261122-000123] ..."), or None."""
    match = SUBJECT_NUMBER.search(subject or "")
    return match["number"].upper() if match else None


def address_accepted(address: str) -> bool:
    """Whether the receiver takes mail for `address`: the complaint address, or any address
    at our mail domain (where replies to case mail may be sent)."""
    address = address.strip().strip("<>").lower()
    complaint = str(settings.MINSHENG_COMPLAINT_ADDRESS).lower()
    domain = str(settings.MINSHENG_MAIL_DOMAIN).lower()
    return address == complaint or address.rpartition("@")[2] == domain


@dataclass
class ParsedMail:
    """What we read from one raw message."""

    message_id: str
    sender_name: str = ""
    sender_address: str = ""
    subject: str = ""
    text: str = ""
    in_reply_to: str = ""
    references: str = ""
    attachments: list[UploadedFile] = field(default_factory=list)
    ignore_reason: str = ""


def _header(message: Message, name: str) -> str:
    """A header as text; a header too broken to decode reads as its raw value."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - policy.default may raise on a broken header
        value = ""
    return " ".join(str(value or "").split())


def message_id_of(raw: bytes, message: Message | None) -> str:
    """The message's own Message-ID, or a stable stand-in made from the raw bytes, so a mail
    without one delivered twice is still recognised."""
    found = ANY_MESSAGE_ID.search(_header(message, "Message-ID")) if message is not None else None
    if found and len(found.group(0)) <= 900:
        return found.group(0)
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def ignore_reason_for(message: Message, envelope_from: str | None) -> str:
    """Why this message is an auto-reply or a bounce (and makes no case), or ""."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header(message, name):
            return f"auto-reply ({name})"
    precedence = _header(message, "Precedence").lower()
    if precedence in IGNORED_PRECEDENCE:
        return f"auto-reply (Precedence: {precedence})"
    if (
        message.get_content_type() == "multipart/report"
        and message.get_param("report-type", "").lower() == "delivery-status"  # type: ignore[union-attr]
    ):
        return "bounce (delivery-status report)"
    local = parseaddr(_header(message, "From"))[1].partition("@")[0].lower()
    if local in BOUNCE_SENDERS:
        return f"bounce (sender {local})"
    if envelope_from is not None and envelope_from.strip() in {"", "<>"}:
        return "bounce (empty envelope sender)"
    if "Return-Path" in message and _header(message, "Return-Path") in {"", "<>"}:
        return "bounce (empty Return-Path)"
    return ""


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", errors="replace")


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _part_text(body)
    if body.get_content_type() == "text/html":
        text = html.unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
    return text.replace("\r\n", "\n").strip()


def reply_text(text: str) -> str:
    """What the sender wrote above the quoted original."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_START.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def _attachments(message: EmailMessage) -> list[UploadedFile]:
    """The attachments `minsheng.lib.uploads` accepts. A refused one (an executable, a
    zip, HTML ...) is left out of the case and logged; the raw mail keeps it."""
    files: list[UploadedFile] = []
    for index, part in enumerate(message.iter_attachments(), start=1):
        if len(files) >= min(MAX_ATTACHMENTS, settings.UPLOAD_MAX_FILES):
            break
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):  # an attached message or multipart
            content = part.as_bytes()
        name = uploads.safe_name(part.get_filename() or f"attachment-{index}")
        upload = SimpleUploadedFile(name, content, part.get_content_type())
        try:
            uploads.uploads_check([upload])
        except ValidationError as exc:
            logger.warning("e-mail in: attachment left out: %s", "; ".join(exc.messages))
            continue
        files.append(upload)
    return files


def mail_parse(raw: bytes, *, envelope_from: str | None = None) -> ParsedMail:
    """Read one raw message. Raises only for a message too broken to parse at all."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes EmailMessage
    parsed = ParsedMail(message_id=message_id_of(raw, message))
    parsed.ignore_reason = ignore_reason_for(message, envelope_from)
    addresses = getaddresses([_header(message, "Reply-To") or _header(message, "From")])
    name, address = addresses[0] if addresses else ("", "")
    parsed.sender_name, parsed.sender_address = name.strip(), address.strip()
    parsed.subject = _header(message, "Subject")
    parsed.in_reply_to = _header(message, "In-Reply-To")
    parsed.references = _header(message, "References")
    if not parsed.ignore_reason:
        parsed.text = _body_text(message)
        parsed.attachments = _attachments(message)
    return parsed


def _subject_for(parsed: ParsedMail) -> str:
    if parsed.subject:
        return parsed.subject[:SUBJECT_MAX]
    first_line = next((line for line in parsed.text.splitlines() if line.strip()), "")
    return first_line.strip()[:60]


def problem_for(parsed: ParsedMail) -> str:
    """Why a message that is no auto-reply still cannot become a case, or ""."""
    if "@" not in parsed.sender_address:
        return "no sender address (From)"
    if not parsed.subject and not parsed.text and not parsed.attachments:
        return "the mail has neither subject, text nor attachments"
    return ""


def reply_case_number(parsed: ParsedMail) -> str | None:
    """The number of the case a reply points to: by our Message-ID in In-Reply-To or
    References, else by the number in brackets in the subject."""
    by_id = case_number_from_ids(f"{parsed.in_reply_to} {parsed.references}")
    return by_id or case_number_from_subject(parsed.subject)


def submission_for(parsed: ParsedMail) -> Submission:
    """A new matter from the mail: subject, text, the sender as complainant by e-mail."""
    name = parsed.sender_name or parsed.sender_address.partition("@")[0]
    return Submission(
        kind=Kind.COMPLAINT,
        subject=_subject_for(parsed),
        body=parsed.text or parsed.subject or _subject_for(parsed),
        channel=Channel.EMAIL,
        people=[
            PersonInput(
                name=name[:NAME_MAX],
                email=parsed.sender_address,
                contact_by=Complainant.Contact.EMAIL,
            )
        ],
    )


# Stores one message and returns its row (with `.status`); the receiver passes
# `intake.services.mail.inbound_mail_receive`.
Receive = Callable[..., Any]


class ComplaintMailHandler:
    """The aiosmtpd handler: accepts mail for our addresses, stores each message through
    `receive` in a worker thread (the ORM is synchronous) and answers 250 only once that
    has committed; 451 (try again later) if it could not be stored."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive

    def _receive_in_worker(self, raw: bytes, envelope_from: str, envelope_to: list[str]) -> Any:
        close_old_connections()  # the receiver runs for days; drop connections the DB closed
        try:
            return self.receive(raw=raw, envelope_from=envelope_from, envelope_to=envelope_to)
        finally:
            close_old_connections()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not address_accepted(address):
            return "550 5.1.1 No such complaint address here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        receive = sync_to_async(self._receive_in_worker, thread_sensitive=True)
        try:
            row = await receive(raw, envelope.mail_from or "", list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - the sender keeps the mail and retries
            logger.exception("mail in: could not store a message")
            status = "451 4.3.0 Could not store the message now; try again later"
        else:
            status = f"250 2.0.0 Stored as {row.status}"
        if isinstance(server, LMTP):
            # LMTP answers once per recipient; the message is stored once for all of them.
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status


def receiver_controller(*, host: str, port: int, receive: Receive, lmtp: bool = False) -> Any:
    """An aiosmtpd controller serving `ComplaintMailHandler(receive)` (SMTP, or LMTP for an
    MTA's local delivery transport) on host:port. Call `.start()` and `.stop()`."""
    from aiosmtpd.controller import Controller

    class _Controller(Controller):
        def factory(self) -> Any:
            if not lmtp:
                return super().factory()
            return LMTP(self.handler, **self.SMTP_kwargs)

    return _Controller(
        ComplaintMailHandler(receive),
        hostname=host,
        port=port,
        data_size_limit=settings.MINSHENG_MAIL_MAX_BYTES,
        enable_SMTPUTF8=True,
        ready_timeout=10.0,
    )
