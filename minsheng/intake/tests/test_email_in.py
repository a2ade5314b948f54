"""E-mail in over real SMTP: a receiver started by the test, mail sent with smtplib."""

import base64
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import connection

from minsheng.cases.models import Case, CaseEvent, Channel, Complainant, State
from minsheng.cases.workflow import perform
from minsheng.intake.channels.email import (
    case_message_id,
    case_number_from_subject,
    receiver_controller,
)
from minsheng.intake.models import InboundMail
from minsheng.intake.services.mail import inbound_mail_receive
from minsheng.intake.tests.conftest import COMPLAINT_ADDRESS, MAIL_DOMAIN, free_port
from minsheng.lib.tests.sample_files import PE_BYTES, jpeg_bytes, png_bytes


def mail(
    subject="小区门口垃圾三天无人清运",
    text="幸福小区东门的垃圾桶已经满了三天，没人来清运，气味很大。",
    sender="李娜 <lina@example.cn>",
    **headers,
):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = COMPLAINT_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.cn")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def test_a_mail_becomes_a_case_with_sender_and_attachment(send):
    message = mail()
    message.add_attachment(png_bytes(), maintype="image", subtype="png", filename="垃圾桶.png")
    message.add_attachment(PE_BYTES, maintype="image", subtype="jpeg", filename="照片.jpg")

    assert send(message) == {}

    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.CASE_CREATED
    assert row.message_id == message["Message-ID"]
    assert message["Message-ID"].encode() in bytes(row.raw), "the raw message is kept"
    case = row.case
    assert case is not None
    assert case.channel == Channel.EMAIL
    assert case.state == State.SUBMITTED
    assert case.subject == "小区门口垃圾三天无人清运"
    assert "垃圾桶已经满了三天" in case.body
    person = case.complainants.get()
    assert (person.name, person.email) == ("李娜", "lina@example.cn")
    assert person.contact_by == Complainant.Contact.EMAIL
    attachment = case.attachments.get()
    assert attachment.original_name == "垃圾桶.png"
    assert attachment.file.read().startswith(b"\x89PNG")
    # The program dressed as a photo was left out (the raw mail keeps it).


def test_the_same_mail_delivered_twice_makes_one_case(send):
    message = mail()

    send(message)
    send(message)

    assert Case.objects.count() == 1
    row = InboundMail.objects.get()
    assert row.deliveries == 2


def test_a_reply_to_case_mail_joins_the_case_and_supplies_material(send, cast):
    send(mail())
    case = Case.objects.get()
    ours = case_message_id(case.number, "4f1c2a9b", MAIL_DOMAIN)

    send(
        mail(
            subject=f"Re: [{case.number}] 小区门口垃圾",
            text="今天还是没人来。\n\n> 原信",
            In_Reply_To=ours,
        )
    )

    assert Case.objects.count() == 1
    message = CaseEvent.objects.get(case=case, action="complainant_message")
    assert message.is_public
    assert message.note == "今天还是没人来。"

    perform(case=case, action="request_info", actor=cast.intake, note="请补充垃圾桶的照片")
    answer = mail(subject="Re: 请补充材料", text="照片见附件。", References=f"<a@b.cn> {ours}")
    answer.add_attachment(jpeg_bytes(), maintype="image", subtype="jpeg", filename="photo.jpg")
    send(answer)

    case.refresh_from_db()
    assert case.state == State.SUBMITTED, "the supplement action moved it back to review"
    supplement = CaseEvent.objects.get(case=case, action="supplement")
    assert supplement.note == "照片见附件。"
    assert supplement.attachments.get().original_name == "photo.jpg"
    assert set(InboundMail.objects.values_list("status", flat=True)) == {
        InboundMail.Status.CASE_CREATED,
        InboundMail.Status.ADDED_TO_CASE,
    }


def test_only_the_complainant_can_add_to_a_case_by_number_or_message_id(send):
    send(mail())
    case = Case.objects.get()
    assert case_number_from_subject(f"Re: [{case.number}] 垃圾") == case.number
    ours = case_message_id(case.number, "guessed", MAIL_DOMAIN)

    send(mail(subject=f"Re: [{case.number}] 垃圾", text="补充：晚上更臭。"))
    send(mail(subject=f"[{case.number}] 我也要说", sender="stranger@example.org"))
    send(mail(subject="Re: 垃圾", sender="stranger@example.org", In_Reply_To=ours))

    assert CaseEvent.objects.filter(case=case, action="complainant_message").count() == 1
    assert Case.objects.count() == 3, "each stranger's mail is a case of its own"


@pytest.mark.parametrize(
    ("headers", "mail_from", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "lina@example.cn", "Auto-Submitted"),
        ({"X_Autoreply": "yes"}, "lina@example.cn", "X-Autoreply"),
        ({"Precedence": "bulk"}, "lina@example.cn", "Precedence"),
        ({}, "", "empty envelope sender"),
    ],
)
def test_auto_replies_make_no_case(send, headers, mail_from, reason):
    send(mail(subject="自动回复：我正在休假", **headers), mail_from=mail_from)

    assert not Case.objects.exists()
    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.IGNORED
    assert reason in row.reason


def test_bounces_make_no_case(send):
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.cn>"
    report["To"] = COMPLAINT_ADDRESS
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid()
    report.set_content("This is the mail system. I'm sorry to have to inform you...")
    report.add_attachment(
        "Reporting-MTA: dns; mx.example.cn\n\nFinal-Recipient: rfc822; x@y\nAction: failed\n",
        subtype="plain",
    )
    report.replace_header(
        "Content-Type",
        report["Content-Type"].replace("mixed", "report") + '; report-type="delivery-status"',
    )
    postmaster = mail(sender="postmaster@example.cn", subject="Delivery failure")

    send(report, mail_from="")
    send(report.as_bytes().replace(b"Message-ID: <", b"Message-ID: <x"), mail_from="bounce@x.cn")
    send(postmaster)

    assert not Case.objects.exists()
    reasons = list(InboundMail.objects.order_by("id").values_list("status", "reason"))
    assert [status for status, _ in reasons] == [InboundMail.Status.IGNORED] * 3
    assert "delivery-status" in reasons[1][1]
    assert "postmaster" in reasons[2][1]


def test_a_malformed_mail_is_kept_as_failed_and_the_receiver_goes_on(send):
    garbage = b"\x00\xff\xfe this is not a mail at all\r\n\r\n\x80\x81"
    bad_sender = (
        b"From: bob@\r\nTo: complaints@12345.test\r\nSubject: hello\r\n"
        b"Message-ID: <bad-sender@example.cn>\r\n\r\nsome text\r\n"
    )

    send(garbage)
    send(bad_sender)
    send(mail())

    rows = list(InboundMail.objects.order_by("id"))
    assert [r.status for r in rows] == [
        InboundMail.Status.FAILED,
        InboundMail.Status.FAILED,
        InboundMail.Status.CASE_CREATED,
    ]
    assert bytes(rows[0].raw).startswith(b"\x00\xff\xfe this is not a mail")
    assert "no sender" in rows[0].reason
    assert "sender" in rows[1].reason
    assert Case.objects.count() == 1


def test_mail_for_other_addresses_is_refused(send):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mail(), to="someone@elsewhere.example")
    assert not InboundMail.objects.exists()


def test_an_mta_can_deliver_over_lmtp(transactional_db, settings):
    settings.MINSHENG_COMPLAINT_ADDRESS = COMPLAINT_ADDRESS
    settings.MINSHENG_MAIL_DOMAIN = MAIL_DOMAIN
    controller = receiver_controller(
        host="127.0.0.1", port=free_port(), lmtp=True, receive=inbound_mail_receive
    )
    controller.start()
    try:
        with smtplib.LMTP(controller.hostname, controller.port) as lmtp:
            # One reply per recipient, as LMTP wants; the mail is stored once.
            lmtp.ehlo_or_helo_if_needed()
            lmtp.mail("lina@example.cn")
            lmtp.rcpt(COMPLAINT_ADDRESS)
            lmtp.rcpt(f"reply@{MAIL_DOMAIN}")
            lmtp.putcmd("data")
            assert lmtp.getreply()[0] == 354
            lmtp.send(mail().as_bytes().replace(b"\n", b"\r\n") + b"\r\n.\r\n")
            replies = [lmtp.getreply()[0], lmtp.getreply()[0]]
    finally:
        controller.stop()

    assert replies == [250, 250]
    assert InboundMail.objects.get().status == InboundMail.Status.CASE_CREATED


def test_the_admin_lists_every_mail_with_its_raw_text_and_cannot_delete_it(send, admin_client):
    send(mail(subject="路灯不亮"))
    row = InboundMail.objects.get()

    listing = admin_client.get("/admin/intake/inboundmail/?status=case_created")
    detail = admin_client.get(f"/admin/intake/inboundmail/{row.pk}/change/")
    delete = admin_client.post(f"/admin/intake/inboundmail/{row.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "路灯不亮" in listing.text
    assert detail.status_code == 200
    assert "Message-ID: " in detail.text, "the raw message is shown"
    assert delete.status_code == 403
    assert InboundMail.objects.filter(pk=row.pk).exists()


def test_chinese_mail_clients_gbk_and_html_only_mail_are_read(send):
    gbk = (
        "From: =?gb2312?b?"
        + base64.b64encode("赵敏".encode("gb2312")).decode()
        + "?= <zhaomin@example.cn>\r\n"
        "To: complaints@12345.test\r\nSubject: =?gb2312?b?"
        + base64.b64encode("井盖缺失".encode("gb2312")).decode()
        + "?=\r\nMessage-ID: <gbk-1@example.cn>\r\n"
        'Content-Type: text/plain; charset="gb2312"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    ).encode("ascii") + "人民路口的井盖不见了，很危险。\r\n".encode("gb2312")
    html_only = mail(subject="HTML only")
    html_only.set_content("<p>楼道灯坏了<br>请尽快修理</p>", subtype="html")

    send(gbk)
    send(html_only)

    first, second = Case.objects.order_by("id")
    assert (first.subject, first.body) == ("井盖缺失", "人民路口的井盖不见了，很危险。")
    assert first.complainants.get().name == "赵敏"
    assert second.body == "楼道灯坏了\n请尽快修理"


def test_when_nothing_can_be_stored_the_sender_is_told_to_retry(send):
    message = mail()
    with connection.cursor() as cursor:  # the mail table is gone: not even a failed row fits
        cursor.execute("ALTER TABLE intake_inboundmail RENAME TO intake_inboundmail_away")
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(message)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE intake_inboundmail_away RENAME TO intake_inboundmail")
    assert refused.value.smtp_code == 451
    assert not Case.objects.exists(), "the case rolled back with the mail row"

    send(message)  # the sending MTA tries again later

    assert InboundMail.objects.get().status == InboundMail.Status.CASE_CREATED
    assert Case.objects.count() == 1
