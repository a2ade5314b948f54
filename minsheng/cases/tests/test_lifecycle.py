"""The life of a case as the people in it would notice it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from minsheng.cases.access import Citizen, complainants_of
from minsheng.cases.models import Case, CaseClock, ExtensionRequest, Rating, State
from minsheng.cases.services import PersonInput
from minsheng.cases.tests.factories import RESULT, drive_to
from minsheng.cases.workflow import MAX_RETURNS, TransitionNotAllowed, allowed_actions, perform
from minsheng.deadlines.models import Kind, Severity, Step

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def open_clock(case: Case, step: Step) -> CaseClock:
    return case.clocks.get(step=step, stopped_at__isnull=True)


def test_a_general_complaint_goes_from_submission_to_archive(cast):
    registered = cast.submit()
    case = registered.case
    citizen = Citizen(case_id=case.pk)
    assert case.number.startswith("MS-")
    assert case.state == State.SUBMITTED
    assert case.next_due_step == Step.REVIEW

    perform(case=case, action="accept", actor=cast.intake)
    assert case.state == State.ACCEPTED
    assert {c.step for c in case.clocks.filter(stopped_at__isnull=True)} == {
        Step.DISPATCH,
        Step.RESULT,
    }
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    perform(case=case, action="sign", actor=cast.handler)
    assert case.handler == cast.handler
    perform(case=case, action="plan", actor=cast.handler, note="现场核查")
    perform(case=case, action="progress", actor=cast.handler, note="已约谈施工单位")
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    perform(case=case, action="approve", actor=cast.head)
    assert case.state == State.REPLIED
    assert not case.clocks.filter(stopped_at__isnull=True).exists()
    assert case.next_due_at is None
    assert case.appeal_until is not None
    perform(case=case, action="rate", actor=citizen, rating=Rating.SATISFIED)
    assert case.state == State.CLOSED
    perform(case=case, action="archive", actor=cast.supervisor)
    assert case.state == State.ARCHIVED

    actions = [e.action for e in case.events.all()]
    assert actions == [
        "register",
        "accept",
        "assign",
        "sign",
        "plan",
        "progress",
        "submit_result",
        "approve",
        "rate",
        "archive",
    ]
    public = [e.action for e in case.events.filter(is_public=True)]
    assert "plan" not in public
    assert "progress" in public
    assert "submit_result" not in public


def test_handler_cannot_sign_other_departments_case(cast):
    case = drive_to(cast, State.ASSIGNED)
    case.co_departments.clear()
    with pytest.raises(PermissionDenied):
        perform(case=case, action="sign", actor=cast.handler2)
    assert "sign" not in allowed_actions(case, cast.handler2)
    perform(case=case, action="sign", actor=cast.handler)
    assert case.state == State.IN_PROGRESS


def test_major_case_needs_a_leaders_second_approval(cast):
    case = drive_to(cast, State.PENDING_LEADER_APPROVAL)
    assert case.severity == Severity.MAJOR
    assert "approve" not in allowed_actions(case, cast.head)
    assert "leader_approve" not in allowed_actions(case, cast.head)
    perform(case=case, action="leader_approve", actor=cast.leader)
    assert case.state == State.REPLIED


def test_sent_back_result_returns_to_the_handler(cast):
    case = drive_to(cast, State.PENDING_APPROVAL)
    with pytest.raises(ValidationError) as missing:
        perform(case=case, action="send_back", actor=cast.head)
    assert "note" in missing.value.message_dict
    perform(case=case, action="send_back", actor=cast.head, note="依据不充分")
    assert case.state == State.IN_PROGRESS
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    assert case.results.count() == 2


def test_result_needs_a_plan_and_all_five_parts(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    with pytest.raises(TransitionNotAllowed, match="plan"):
        perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    perform(case=case, action="plan", actor=cast.handler, note="现场核查")
    incomplete = {**RESULT, "basis": "", "remedy_days": 0}
    with pytest.raises(ValidationError) as error:
        perform(case=case, action="submit_result", actor=cast.handler, **incomplete)
    assert "basis" in error.value.message_dict
    assert case.state == State.IN_PROGRESS
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    assert case.state == State.PENDING_APPROVAL


def test_unknown_fields_and_wrong_types_are_named(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        perform(case=case, action="extension_request", actor=cast.head, amount="3", colour="x")
    assert set(error.value.message_dict) == {"amount", "colour", "note"}


def test_return_keeps_the_result_clock_and_after_two_returns_the_dispatcher_decides(cast):
    case = drive_to(cast, State.ACCEPTED)
    result_clock = open_clock(case, Step.RESULT)
    for _ in range(MAX_RETURNS):
        perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
        perform(case=case, action="return", actor=cast.handler, note="不属于本单位职责")
        assert case.state == State.ACCEPTED
        assert case.department is None
    assert open_clock(case, Step.RESULT) == result_clock
    assert open_clock(case, Step.RESULT).due_at == result_clock.due_at
    event = perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    assert event.data["is_final"] is True
    assert "return" not in allowed_actions(case, cast.handler)
    with pytest.raises(TransitionNotAllowed, match="final"):
        perform(case=case, action="return", actor=cast.handler, note="还是不归我们管")


def test_material_may_be_requested_once_and_the_clock_waits(cast):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        case = cast.submit().case
        review_due = open_clock(case, Step.REVIEW).due_at
        perform(case=case, action="request_info", actor=cast.intake, note="请补充照片")
    assert case.state == State.NEEDS_INFO
    assert open_clock(case, Step.REVIEW).due_at is None  # the clock is stopped
    assert case.next_due_at is None
    with time_machine.travel(local(2026, 3, 5, 10, 0), tick=False):
        perform(case=case, action="supplement", actor=Citizen(case_id=case.pk), note="照片已上传")
    assert case.state == State.SUBMITTED
    resumed_due = open_clock(case, Step.REVIEW).due_at
    assert resumed_due is not None
    assert review_due is not None
    # Waited Tue-Thu: three working days added to the review deadline.
    assert resumed_due.astimezone(SHANGHAI).date() == local(2026, 3, 6).date()
    assert resumed_due > review_due
    assert "request_info" not in allowed_actions(case, cast.intake)
    with pytest.raises(TransitionNotAllowed, match="once"):
        perform(case=case, action="request_info", actor=cast.intake, note="再补充")


def test_extension_moves_the_result_deadline_and_is_decided_once(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    before = open_clock(case, Step.RESULT).due_at
    assert "extension_approve" not in allowed_actions(case, cast.supervisor)
    assert "extension_request" not in allowed_actions(case, cast.handler)
    perform(case=case, action="extension_request", actor=cast.head, amount=5, note="需要检测")
    assert "extension_request" not in allowed_actions(case, cast.head)
    with pytest.raises(PermissionDenied):
        perform(case=case, action="extension_approve", actor=cast.head)
    perform(case=case, action="extension_approve", actor=cast.supervisor)
    after = open_clock(case, Step.RESULT)
    assert after.extension == 5
    assert after.due_at is not None
    assert before is not None
    assert after.due_at > before
    running = case.clocks.filter(stopped_at__isnull=True, due_at__isnull=False)
    assert case.next_due_at == running.order_by("due_at").values_list("due_at", flat=True)[0]
    assert ExtensionRequest.objects.get(case=case).status == ExtensionRequest.Status.APPROVED
    perform(case=case, action="extension_request", actor=cast.head, amount=2, note="再延")
    perform(case=case, action="extension_refuse", actor=cast.supervisor, note="理由不足")
    assert open_clock(case, Step.RESULT).extension == 5


def test_anonymous_complaint_is_handled_as_a_report(cast):
    case = cast.submit(anonymous=True).case
    assert case.kind == Kind.REPORT
    assert case.is_anonymous
    assert not complainants_of(case).exists()


def test_only_an_inquiry_is_answered_at_intake(cast):
    complaint = cast.submit().case
    with pytest.raises(TransitionNotAllowed, match="inquiry"):
        perform(case=complaint, action="answer", actor=cast.intake, note="答复")
    inquiry = cast.submit(kind=Kind.INQUIRY, subject="公积金提取需要什么材料").case
    assert "answer" in allowed_actions(inquiry, cast.intake)
    perform(case=inquiry, action="answer", actor=cast.intake, note="携带身份证和购房合同。")
    assert inquiry.state == State.REPLIED
    assert inquiry.answer == "携带身份证和购房合同。"


def test_transfer_needs_the_complainants_consent(cast):
    case = cast.submit().case
    with pytest.raises(ValidationError) as error:
        perform(case=case, action="transfer", actor=cast.intake, body="市公安局", consent=False)
    assert "consent" in error.value.message_dict
    perform(case=case, action="transfer", actor=cast.intake, body="市公安局", consent=True)
    assert case.state == State.TRANSFERRED
    assert case.transferred_to == "市公安局"


def test_appeal_after_a_poor_rating_and_a_redo_gets_a_new_deadline(cast):
    case = drive_to(cast, State.REPLIED)
    citizen = Citizen(case_id=case.pk)
    with pytest.raises(TransitionNotAllowed, match="rating"):
        perform(case=case, action="appeal", actor=citizen, note="不满意")
    perform(case=case, action="rate", actor=citizen, rating=Rating.POOR)
    assert case.state == State.REPLIED
    assert "close" not in allowed_actions(case, cast.intake)
    perform(case=case, action="appeal", actor=citizen, note="问题没有解决")
    assert case.state == State.UNDER_REVIEW
    assert case.next_due_step == Step.REVIEW
    perform(case=case, action="review_redo", actor=cast.leader, note="重新核查")
    assert case.state == State.IN_PROGRESS
    assert case.next_due_step == Step.RESULT
    assert case.rating == ""


def test_appeal_window_closes_and_then_the_case_can_be_closed(cast):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        case = drive_to(cast, State.REPLIED)
        perform(case=case, action="rate", actor=Citizen(case_id=case.pk), rating=Rating.NEUTRAL)
    with time_machine.travel(local(2026, 4, 30, 9, 0), tick=False):
        assert "appeal" not in allowed_actions(case, Citizen(case_id=case.pk))
        with pytest.raises(TransitionNotAllowed, match="passed"):
            perform(case=case, action="appeal", actor=Citizen(case_id=case.pk), note="不服")
        perform(case=case, action="close", actor=cast.intake)
    assert case.state == State.CLOSED


def test_co_handling_department_reports_its_part_to_the_lead(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    perform(case=case, action="co_report", actor=cast.handler2, note="环境监测结果超标")
    assert "co_report" not in allowed_actions(case, cast.handler)
    assert "sign" not in allowed_actions(case, cast.handler2)
    assert case.events.filter(action="co_report", is_public=False).exists()


def test_merging_keeps_every_complainant_and_follows_later_merges(cast):
    first = cast.submit(people=[PersonInput(name="李娜", phone="13900000001")]).case
    second = cast.submit(people=[PersonInput(name="王强", phone="13900000002")]).case
    third = cast.submit(people=[PersonInput(name="赵敏", phone="13900000003")]).case
    perform(case=first, action="merge", actor=cast.dispatcher, into=second)
    perform(case=second, action="merge", actor=cast.dispatcher, into=third)
    assert first.state == State.MERGED
    assert {c.name for c in complainants_of(third)} == {"李娜", "王强", "赵敏"}
    first.refresh_from_db()
    assert first.merged_into == third
    assert first.events.filter(action="register").exists()  # its own history stays
    assert second.events.filter(action="merged_in").count() == 1
    assert third.events.filter(action="merged_in").count() == 1
    with pytest.raises(ValidationError):
        perform(case=third, action="merge", actor=cast.dispatcher, into=first)


def test_collective_complaint_has_a_representative(cast):
    people = [PersonInput(name=f"居民{i}", phone=f"1380000000{i}") for i in range(5)]
    case = cast.submit(people=people).case
    assert case.is_collective
    assert complainants_of(case).filter(is_representative=True).count() == 1


def test_a_stale_case_object_cannot_move_the_state_twice(cast):
    case = cast.submit().case
    stale = Case.objects.get(pk=case.pk)
    perform(case=case, action="accept", actor=cast.intake)
    with pytest.raises(TransitionNotAllowed):
        perform(case=stale, action="reject", actor=cast.intake, note="重复")
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
