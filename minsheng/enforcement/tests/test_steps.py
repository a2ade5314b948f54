"""The enforcement case's step table through its services: the order, who takes each step,
the inputs each needs, and the deadlines counted on the official calendar."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from minsheng.audit.models import AuditEntry
from minsheng.cases.models import CaseEvent, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import Act, TransitionNotAllowed
from minsheng.deadlines.calendar import LOCAL_TZ
from minsheng.enforcement.models import EnforcementState, Stage
from minsheng.enforcement.services import (
    enforcement_allowed_steps,
    enforcement_open,
    enforcement_step_take,
)


def _local(when: datetime | None) -> str:
    assert when is not None
    return when.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def test_the_whole_enforcement_across_national_day(cast):
    """Served on 27 September 2026 (a Sunday of the Mid-autumn break): rectification is due
    three natural days later (30 September); the re-inspection five working days after that,
    National Day (1-7 October) skipped and the make-up Saturday 10 October counted."""
    with time_machine.travel(datetime(2026, 9, 21, 2, 0, tzinfo=UTC), tick=False):
        complaint = drive_to(cast, State.IN_PROGRESS)
        enforcement = enforcement_open(
            case=complaint,
            actor=cast.handler,
            respondent="某建筑工程有限公司",
            findings="外墙渗水，未按设计施工",
        )
        assert enforcement.number == "ZF-20260921-0001"
        opened = CaseEvent.objects.get(case=complaint, action=Act.ENFORCEMENT_OPENED)
        assert opened.data == {"enforcement": enforcement.pk, "number": enforcement.number}
        # The filing approval is the head's, due 3 working days later.
        assert enforcement_allowed_steps(enforcement, cast.handler) == []
        assert enforcement_allowed_steps(enforcement, cast.head) == ["filing_approval"]
        assert _local(enforcement.next_due_at) == "2026-09-24 23:59:59"
        with pytest.raises(PermissionDenied):
            enforcement_step_take(
                enforcement=enforcement, step="filing_approval", actor=cast.handler, note="同意"
            )
        # Steps out of order are refused, whoever asks.
        with pytest.raises(TransitionNotAllowed):
            enforcement_step_take(
                enforcement=enforcement, step="decision", actor=cast.head, document="X", note="Y"
            )
        enforcement = enforcement_step_take(
            enforcement=enforcement, step="filing_approval", actor=cast.head, note="同意立案"
        )
        assert enforcement.step == Stage.NOTICE
        with pytest.raises(ValidationError) as missing:
            enforcement_step_take(enforcement=enforcement, step="notice", actor=cast.handler)
        assert set(missing.value.message_dict) == {"document"}
        enforcement = enforcement_step_take(
            enforcement=enforcement, step="notice", actor=cast.handler, document="责改〔2026〕17号"
        )
        with pytest.raises(ValidationError) as unheard:
            enforcement_step_take(
                enforcement=enforcement, step="statement", actor=cast.handler, mode="statement"
            )
        assert set(unheard.value.message_dict) == {"note"}
        enforcement = enforcement_step_take(
            enforcement=enforcement,
            step="statement",
            actor=cast.handler,
            mode="waived",
            note="当事人书面放弃陈述申辩",
        )
        enforcement = enforcement_step_take(
            enforcement=enforcement,
            step="decision",
            actor=cast.head,
            document="处〔2026〕9号",
            note="责令三日内整改",
        )
    with time_machine.travel(datetime(2026, 9, 28, 2, 0, tzinfo=UTC), tick=False):
        with pytest.raises(ValidationError) as future:
            enforcement_step_take(
                enforcement=enforcement,
                step="service",
                actor=cast.handler,
                served_on=date(2026, 9, 29),
                receiver="王经理",
            )
        assert set(future.value.message_dict) == {"served_on"}
        enforcement = enforcement_step_take(
            enforcement=enforcement,
            step="service",
            actor=cast.handler,
            served_on=date(2026, 9, 27),
            receiver="王经理",
        )
        rows = {row.step: row for row in enforcement.steps.all()}
        assert _local(rows[Stage.RECTIFICATION].due_at) == "2026-09-30 23:59:59"
        assert _local(rows[Stage.REINSPECTION].due_at) == "2026-10-13 23:59:59"
        assert enforcement.step == Stage.REINSPECTION
        assert enforcement.next_due_at == rows[Stage.REINSPECTION].due_at
    with time_machine.travel(datetime(2026, 10, 9, 2, 0, tzinfo=UTC), tick=False):
        enforcement = enforcement_step_take(
            enforcement=enforcement, step="reinspection", actor=cast.handler, result="rectified"
        )
        enforcement = enforcement_step_take(
            enforcement=enforcement, step="publication", actor=cast.handler, place="市住建局网站"
        )
        enforcement = enforcement_step_take(enforcement=enforcement, step="close", actor=cast.head)
    assert enforcement.state == EnforcementState.CLOSED
    assert enforcement.step == ""
    assert enforcement.next_due_at is None
    rows = {row.step: row for row in enforcement.steps.all()}
    assert all(row.done_at for row in rows.values())
    assert rows[Stage.RECTIFICATION].data == {"result": "rectified"}
    assert rows[Stage.SERVICE].data == {"served_on": "2026-09-27", "receiver": "王经理"}
    # Every step is in the audit record; the complaint's timeline has only the opening.
    assert AuditEntry.objects.filter(object_id=enforcement.number).count() == 8
    assert CaseEvent.objects.filter(case=complaint, action__startswith="enforcement").count() == 1


def test_only_the_lead_department_opens_one_from_a_complaint_being_handled(cast, complaint):
    for outsider in (cast.handler2, cast.supervisor, cast.intake):
        with pytest.raises(PermissionDenied):
            enforcement_open(case=complaint, actor=outsider, respondent="某公司", findings="渗水")
    assigned = drive_to(cast, State.ASSIGNED)
    with pytest.raises(TransitionNotAllowed):
        enforcement_open(case=assigned, actor=cast.handler, respondent="某公司", findings="渗水")
    with pytest.raises(ValidationError) as blank:
        enforcement_open(case=complaint, actor=cast.handler, respondent=" ", findings="")
    assert set(blank.value.message_dict) == {"respondent", "findings"}
    first = enforcement_open(case=complaint, actor=cast.head, respondent="某公司", findings="渗水")
    with pytest.raises(TransitionNotAllowed, match=first.number):
        enforcement_open(case=complaint, actor=cast.head, respondent="某公司", findings="渗水")
