"""The printed documents: the case file (案卷) and the reply letter (答复意见书) of one case,
and the monthly report, as PDFs whose extracted text holds what they must say in Chinese
characters set in Noto CJK (not boxes), each with a page among the artifacts as PNG."""

import pytest
from django.urls import reverse

from minsheng.cases.models import PersonalDataAccess, Rating
from minsheng.cases.services import PersonInput
from minsheng.cases.tests.factories import RESULT
from minsheng.cases.workflow import Act, perform
from minsheng.cases.workflow.events import event_record
from minsheng.reports import documents
from minsheng.reports.services import facts_refresh
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.pdfs import (
    assert_set_in_noto_cjk,
    needs_noto_cjk,
    pages_text,
    png_save,
)

PLAN = "三日内现场核查并约谈施工单位"
PROGRESS = "已联系施工单位，约定周四现场核查"
NOTICE = "DB-20261105-0001"


def _timeline_extra(cast, case, *, event, data, actor=None, note=""):
    """A line `supervision` writes on the case's timeline (reports does not import it)."""
    from django.utils import timezone

    event_record(
        case=case,
        act=event,
        actor=actor,
        actor_role="supervisor" if actor == cast.supervisor else "intake",
        note=note,
        data=data,
        now=timezone.now(),
    )


@pytest.fixture
def answered(cast):
    """A complaint taken through the whole lifecycle: planned, a progress message, an
    extension granted, a 督办单 issued and acknowledged, the result approved, then a return
    visit that reached the complainant and recorded their rating."""
    with at("2026-11-02 09:00 +08:00"):
        case = cast.submit(
            people=[
                PersonInput(
                    name="张伟", phone="13812345678", email="zw@example.cn", address="东华门街道1号"
                )
            ]
        ).case
        perform(case=case, action=Act.ACCEPT, actor=cast.intake)
        perform(case=case, action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
        perform(case=case, action=Act.SIGN, actor=cast.handler)
        perform(case=case, action=Act.PLAN, actor=cast.handler, note=PLAN)
    with at("2026-11-03 10:00 +08:00"):
        perform(case=case, action=Act.PROGRESS, actor=cast.handler, note=PROGRESS)
        perform(
            case=case, action=Act.EXTENSION_REQUEST, actor=cast.head, amount=2, note="需协调城管"
        )
        perform(case=case, action=Act.EXTENSION_APPROVE, actor=cast.supervisor)
    with at("2026-11-05 09:00 +08:00"):
        base = {"notice": 1, "number": NOTICE, "level": "supervision"}
        _timeline_extra(
            cast,
            case,
            event=Act.NOTICE_ISSUED,
            actor=cast.supervisor,
            note=f"{NOTICE} · 督办: 请加快办理",
            data={**base, "department": cast.housing.pk, "due_at": "2026-11-07T23:59:59+08:00"},
        )
        _timeline_extra(
            cast,
            case,
            event=Act.NOTICE_ACKNOWLEDGED,
            actor=cast.head,
            note=f"{NOTICE} · 督办",
            data={**base, "department": cast.housing.pk},
        )
    with at("2026-11-06 09:00 +08:00"):
        perform(case=case, action=Act.SUBMIT_RESULT, actor=cast.handler, **RESULT)
        perform(case=case, action=Act.APPROVE, actor=cast.head, note="同意")
    with at("2026-11-09 09:00 +08:00"):
        perform(case=case, action=Act.RATE, actor=cast.intake, rating=Rating.SATISFIED)
        _timeline_extra(
            cast,
            case,
            event=Act.RETURN_VISIT,
            actor=cast.intake,
            note="诉求人表示满意",
            data={
                "outcome": "reached",
                "attempt": 1,
                "status": "reached",
                "rating": Rating.SATISFIED,
                "is_explained": True,
                "is_timely": True,
            },
        )
    case.refresh_from_db()
    return case


def _pdf(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


@needs_noto_cjk
def test_case_file_prints_the_whole_case_in_chinese_with_the_number_on_every_page(
    client, cast, answered
):
    client.force_login(cast.supervisor)
    content = _pdf(client.get(reverse("reports:case-file", args=[answered.number])))
    pages = pages_text(content)
    text = "\n".join(pages)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert answered.number in page  # the running head
        assert f"第 {number} 页，共 {len(pages)} 页" in page
    # The registration form, with the complainant as a supervisor may see them.
    body = "小区旁边的工地每天晚上十一点以后还在施工"
    for expected in (answered.subject, body, "张伟", "13812345678"):
        assert expected in text
    # The plan, the progress, the five parts of the result and the approvals.
    assert PLAN in text
    assert PROGRESS in text
    for part in ("facts", "basis", "measures", "outcome", "remedy"):
        assert str(RESULT[part]) in text, part
    assert "需协调城管" in text
    assert "同意" in text
    # The rating, the return visit and the supervision notice, read from the timeline.
    assert "诉求人表示满意" in text
    assert "满意" in text
    assert NOTICE in text
    assert cast.housing.name in text
    assert_set_in_noto_cjk(content)
    # Looking at the complainant's details was logged like a look at the case page.
    assert PersonalDataAccess.objects.filter(
        case=answered, user=cast.supervisor, purpose="case file PDF"
    ).exists()
    png_save(content, "documents-case-file-page-1")
    png_save(content, "documents-case-file-page-2", page=1)
    png_save(content, "documents-case-file-page-3", page=2)


def test_case_file_masks_the_complainant_for_the_unit_complained_about(client, cast):
    with at("2026-11-02 09:00 +08:00"):
        case = cast.submit(respondent_department=cast.housing).case
        perform(case=case, action=Act.ACCEPT, actor=cast.intake)
        perform(case=case, action=Act.ASSIGN, actor=cast.dispatcher, department=cast.housing)
    client.force_login(cast.head)
    text = "\n".join(pages_text(_pdf(client.get(reverse("reports:case-file", args=[case.number])))))
    assert "张**" in text
    assert "张伟" not in text
    assert "13812345678" not in text
    assert not PersonalDataAccess.objects.filter(case=case, user=cast.head).exists()


def test_case_documents_only_for_staff_who_may_see_the_case(client, cast, answered):
    for name in ("reports:case-file", "reports:reply-letter"):
        url = reverse(name, args=[answered.number])
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(cast.handler2)  # another department's handler
        assert client.get(url).status_code == 404
        client.force_login(cast.handler)
        assert client.get(url).status_code == 200
        missing = reverse(name, args=["MS-20000101-000001"])
        assert client.get(missing).status_code == 404
        client.logout()


@needs_noto_cjk
def test_reply_letter_only_once_the_answer_is_out_addressed_to_the_complainant(
    client, cast, answered
):
    client.force_login(cast.intake)
    with at("2026-11-02 09:00 +08:00"):
        waiting = cast.submit().case
    assert client.get(reverse("reports:reply-letter", args=[waiting.number])).status_code == 404
    content = _pdf(client.get(reverse("reports:reply-letter", args=[answered.number])))
    text = "\n".join(pages_text(content))
    assert answered.number in text
    assert "2026-11-06" in text  # the day the answer went out
    assert "张伟" in text
    assert "东华门街道1号" in text
    for part in ("facts", "basis", "measures", "outcome", "remedy"):
        assert str(RESULT[part]) in text, part
    assert cast.housing.name in text  # signed by the department that answered
    assert_set_in_noto_cjk(content)
    png_save(content, "documents-reply-letter")


def test_reply_letter_of_an_answer_given_at_intake(cast):
    with at("2026-11-06 09:00 +08:00"):
        case = cast.submit(kind="inquiry", subject="公交线路调整咨询").case
        perform(case=case, action=Act.ANSWER, actor=cast.intake, note="已调整，详见公告")
    case.refresh_from_db()
    letter = documents.reply_letter_for(case, cast.intake, purpose="test")
    assert letter is not None
    assert letter.result is None
    text = "\n".join(pages_text(documents.reply_letter_pdf(letter)))
    assert "已调整，详见公告" in text
    assert "公交线路调整咨询" in text


@needs_noto_cjk
def test_monthly_report_prints_the_figures_charts_ranking_and_the_cases_to_watch(cast):
    month = month_build(cast)
    facts_refresh()
    with at(NOW):
        report = documents.monthly_report_for(month=month.cases["A"].created_at.date())
        content = documents.monthly_report_pdf(report)
    pages = pages_text(content)
    text = "\n".join(pages)
    for page in pages:
        assert "2026-11" in page  # the running head
    assert "40.0%" in text  # the response rate: 2 of 5, as on the dashboard
    assert cast.housing.name in text
    assert cast.environment.name in text
    assert "环境保护" in text  # the category chart's label, drawn in the SVG
    # Answered late or overdue (B, C, H) and supervised (H), each case by its number.
    late = {case.number for case in report.lists[0].cases}
    assert late == month.numbers("B", "C", "H")
    assert {case.number for case in report.lists[1].cases} == month.numbers("H")
    for number in month.numbers("B", "C", "H"):
        assert number in text
    assert report.topics is None  # hot topics come in through an interface (workbench)
    assert_set_in_noto_cjk(content)
    png_save(content, "documents-monthly-report-page-1")
    png_save(content, "documents-monthly-report-page-2", page=1)
    png_save(content, "documents-monthly-report-page-3", page=2)
