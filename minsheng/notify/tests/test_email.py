"""Complainants hear by e-mail through a real SMTP server; a server that is down delays a
message but never loses or doubles it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from minsheng.cases.models import CaseEvent, Complainant, State
from minsheng.cases.services import PersonInput
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.notify.models import DeliveryStatus, NoticeKind, Notification
from minsheng.notify.services.notifications import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db

BY_EMAIL = [
    PersonInput(
        name="张伟",
        phone="13812345678",
        email="zw@example.cn",
        contact_by=Complainant.Contact.EMAIL,
    )
]
MESSAGE_ID = re.compile(r"^<case-(MS-\d{8}-\d{6})\.[0-9a-f]{16}@minsheng\.test>$")


@pytest.fixture(autouse=True)
def _mail_domain(settings):
    settings.MINSHENG_MAIL_DOMAIN = "minsheng.test"
    settings.MINSHENG_COMPLAINT_ADDRESS = "complaints@minsheng.test"
    settings.MINSHENG_BASE_URL = "https://12345.example.gov.cn"


def test_complainant_gets_a_receipt_by_email_and_staff_see_it_in_the_timeline(
    cast, smtp, run_tasks, committed
):
    with committed():
        case = cast.submit(people=BY_EMAIL).case

    assert smtp.messages == []  # nothing is sent inside the request
    run_tasks()
    run_tasks()

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "zw@example.cn"
    assert case.number in mail["Subject"]
    assert "已收到" in mail["Subject"]
    assert f"[{case.number}]" in mail["Subject"]  # e-mail intake also reads it there
    assert mail["Reply-To"] == "complaints@minsheng.test"
    message_id = MESSAGE_ID.match(mail["Message-ID"])
    assert message_id is not None
    assert message_id.group(1) == case.number
    body = mail.get_content()
    assert "工地夜间施工噪音扰民" in body
    assert f"https://12345.example.gov.cn/track/?number={case.number}" in body
    line = CaseEvent.objects.get(case=case, action="notified")
    assert line.is_public is False
    assert "张** · z***@example.cn" in line.note
    assert line.data == {
        "kind": "receipt",
        "channel": "email",
        "recipient": "张** · z***@example.cn",
    }


def test_mail_server_down_while_accepting_keeps_the_message_and_delivers_it_once(
    cast, smtp, run_tasks, committed
):
    with committed():
        case = cast.submit(people=BY_EMAIL).case
    run_tasks()
    smtp.stop()

    with committed():
        perform(case=case, action="accept", actor=cast.intake)
    run_tasks()

    accepted = Notification.objects.get(case=case, kind=NoticeKind.ACCEPTED)
    assert accepted.status == DeliveryStatus.PENDING
    assert accepted.attempts == 1
    assert "Connection" in accepted.last_error or "refused" in accepted.last_error.lower()
    assert accepted.next_attempt_at > timezone.now()
    assert not CaseEvent.objects.filter(case=case, action="notify_failed").exists()

    smtp.start()
    run_tasks()  # the retry is not due yet
    assert [m["Subject"] for m in smtp.messages if "已受理" in m["Subject"]] == []

    with time_machine.travel(accepted.next_attempt_at + timedelta(seconds=1)):
        run_tasks()
    with time_machine.travel(accepted.next_attempt_at + timedelta(hours=5)):
        run_tasks()
        call_command("notify_sweep")
        run_tasks()

    accepted.refresh_from_db()
    assert accepted.status == DeliveryStatus.SENT
    assert accepted.attempts == 2
    subjects = [m["Subject"] for m in smtp.messages]
    assert len([s for s in subjects if "已受理" in s]) == 1
    assert len([s for s in subjects if "已收到" in s]) == 1
    assert CaseEvent.objects.filter(case=case, action="notified").count() == 2


def test_a_message_that_never_gets_through_is_marked_failed_on_the_timeline(
    cast, smtp, run_tasks, committed
):
    smtp.stop()
    with committed():
        case = cast.submit(people=BY_EMAIL).case
    run_tasks()
    receipt = Notification.objects.get(case=case)

    for _ in range(MAX_ATTEMPTS - 1):
        receipt.refresh_from_db()
        with time_machine.travel(receipt.next_attempt_at + timedelta(seconds=1)):
            run_tasks()

    receipt.refresh_from_db()
    assert receipt.status == DeliveryStatus.FAILED
    assert receipt.attempts == MAX_ATTEMPTS
    failed = CaseEvent.objects.get(case=case, action="notify_failed")
    assert failed.is_public is False
    assert "refused" in failed.note.lower() or "connection" in failed.note.lower()
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("state", "kinds"),
    [
        (State.NEEDS_INFO, ["receipt", "info_requested"]),
        (State.REJECTED, ["receipt", "rejected"]),
        (State.TRANSFERRED, ["receipt", "transferred"]),
        (State.REPLIED, ["receipt", "accepted", "result", "survey"]),
        (State.UNDER_REVIEW, ["receipt", "accepted", "result", "survey"]),
    ],
)
def test_the_complainant_hears_of_each_decision_with_its_reason(
    cast, smtp, run_tasks, committed, state, kinds
):
    # drive_to's complainant asks for SMS; this one has switched to e-mail.
    with committed():
        case = drive_to(cast, state)
    Complainant.objects.filter(case=case).update(contact_by=Complainant.Contact.EMAIL)
    run_tasks()  # fan-out reads the contact choice when it runs

    sent = Notification.objects.filter(case=case, status=DeliveryStatus.SENT)
    assert sorted(sent.values_list("kind", flat=True)) == sorted(kinds)
    bodies = "\n".join(m.get_content() for m in smtp.messages)
    if state == State.REJECTED:
        assert "不属于受理范围" in bodies
    if state == State.TRANSFERRED:
        assert "市公安局" in bodies
    if state == State.NEEDS_INFO:
        assert "请补充施工地点照片" in bodies
    if state == State.REPLIED:
        assert "夜间施工已停止。" in bodies  # the approved result's outcome
        assert "评价" in bodies


def test_appeal_outcome_and_progress_reach_the_complainant(cast, smtp, run_tasks, committed):
    case = drive_to(cast, State.UNDER_REVIEW)
    Complainant.objects.filter(case=case).update(contact_by=Complainant.Contact.EMAIL)

    with committed():
        perform(case=case, action="review_redo", actor=cast.supervisor, note="请重新核查噪音来源")
        perform(case=case, action="progress", actor=cast.handler, note="已约谈施工单位负责人")
    run_tasks()

    bodies = [m.get_content() for m in smtp.messages]
    assert any("请重新核查噪音来源" in b and "复查" in b for b in bodies)
    assert any("已约谈施工单位负责人" in b for b in bodies)


def test_anonymous_and_no_notification_cases_send_nothing(cast, smtp, run_tasks, committed):
    no_messages = [
        PersonInput(name="李娜", email="ln@example.cn", contact_by=Complainant.Contact.NONE)
    ]
    with committed():
        anonymous = cast.submit(anonymous=True).case
        quiet = cast.submit(people=no_messages).case
        perform(case=anonymous, action="accept", actor=cast.intake)
    run_tasks()

    assert Notification.objects.filter(case__in=[anonymous, quiet]).count() == 0
    assert smtp.messages == []


def test_staff_of_the_assigned_department_are_told(cast, smtp, run_tasks, committed):
    cast.handler.email = "handler@housing.example.gov.cn"
    cast.handler.save(update_fields=["email"])
    cast.handler2.email = "handler2@env.example.gov.cn"
    cast.handler2.save(update_fields=["email"])
    case = drive_to(cast, State.ACCEPTED)

    with committed():
        perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    run_tasks()

    assigned = [m for m in smtp.messages if "新派单" in m["Subject"]]
    assert [m["To"] for m in assigned] == ["handler@housing.example.gov.cn"]
    assert f"/work/cases/{case.number}/" in assigned[0].get_content()
    assert "市住房和城乡建设局" in assigned[0].get_content()


def test_the_receipt_link_opens_the_case_for_the_complainant_without_the_code(
    cast, smtp, run_tasks, committed, client
):
    with committed():
        case = cast.submit(people=BY_EMAIL).case
    run_tasks()
    run_tasks()
    link = re.search(
        r"https://12345\.example\.gov\.cn(/track/\?\S+)", smtp.messages[0].get_content()
    )
    assert link is not None
    assert "token=" in link.group(1)

    opened = client.get(link.group(1), follow=True)
    assert opened.redirect_chain[-1][0] == f"/track/{case.number}/"
    assert "工地夜间施工噪音扰民" in opened.content.decode()

    tampered = client.get(link.group(1)[:-3] + "xyz")
    assert tampered.status_code == 200
    assert "工地夜间施工噪音扰民" not in tampered.content.decode()
    assert tampered.context["link_error"]  # told the link is not valid
    other = cast.submit(people=BY_EMAIL).case
    assert client.get(f"/track/{other.number}/").status_code == 302  # the link opens one case
