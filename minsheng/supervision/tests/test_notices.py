"""The life of a supervision notice, tested like the case's: every action in every state by
every role, allowed or refused with the reason; and what a notice leaves on the case."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.cases.models import CaseEvent, State
from minsheng.cases.tests.factories import drive_to
from minsheng.supervision.models import NoticeLevel, NoticeState, SupervisionNotice
from minsheng.supervision.notices import (
    NOTICE_ACTIONS,
    NoticeTransitionNotAllowed,
    notice_allowed_actions,
    notice_issue,
    notice_perform,
    notice_why_not,
)

pytestmark = pytest.mark.django_db

# Which people may take each action (by their cast name), whatever the state.
MAY = {
    "acknowledge": {"handler", "head"},
    "answer": {"handler", "head"},
    "close": {"supervisor", "leader"},
    "send_back": {"supervisor", "leader"},
    "escalate": {"supervisor", "leader"},
}
PEOPLE = ["intake", "dispatcher", "handler", "head", "handler2", "head2", "supervisor", "leader"]
PEOPLE += ["admin", "auditor"]
# How to bring a fresh notice to each state, as (action, who) steps.
PATHS = {
    NoticeState.ISSUED: [],
    NoticeState.ACKNOWLEDGED: [("acknowledge", "head")],
    NoticeState.ANSWERED: [("acknowledge", "head"), ("answer", "handler")],
    NoticeState.CLOSED: [("acknowledge", "head"), ("answer", "handler"), ("close", "supervisor")],
    NoticeState.ESCALATED: [("escalate", "supervisor")],
}


def issue(cast, cases=None, level=NoticeLevel.SUPERVISION):
    return notice_issue(
        cases=cases or [drive_to(cast, State.IN_PROGRESS)],
        department=cast.housing,
        level=level,
        reason="办理超期，群众反映强烈",
        demand="三个工作日内办结并书面说明",
        due_days=3,
        actor=cast.supervisor,
    )


def bring(cast, state):
    notice = issue(cast)
    for action, who in PATHS[state]:
        notice_perform(notice=notice, action=action, actor=getattr(cast, who), note="已处理")
    notice.refresh_from_db()
    assert notice.state == state
    return notice


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(list(NoticeState), list(NOTICE_ACTIONS)))
)
def test_every_notice_action_in_every_state_by_every_role(cast, state, action):
    notice = bring(cast, state)
    spec = NOTICE_ACTIONS[action]
    for who in PEOPLE:
        user = getattr(cast, who)
        reason = notice_why_not(notice, user, action)
        allowed = who in MAY[action] and state in spec.sources
        assert (reason is None) == allowed, (who, state, action, reason)
        assert (action in notice_allowed_actions(notice, user)) == allowed
        if allowed:
            continue
        expected = PermissionDenied if who not in MAY[action] else NoticeTransitionNotAllowed
        with pytest.raises(expected):
            notice_perform(notice=notice, action=action, actor=user, note="试图操作")
    notice.refresh_from_db()
    assert notice.state == state, "a refused action changes nothing"


def test_a_notice_runs_its_life_on_the_timeline_of_every_case_it_names(cast):
    first, second = drive_to(cast, State.IN_PROGRESS), drive_to(cast, State.IN_PROGRESS)
    notice = issue(cast, cases=[first, second])
    assert notice.number.startswith("DB-")
    notice_perform(notice=notice, action="acknowledge", actor=cast.head)
    with pytest.raises(ValidationError) as empty:
        notice_perform(notice=notice, action="answer", actor=cast.handler, note=" ")
    assert "note" in empty.value.message_dict
    scan = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4", content_type="application/pdf")
    notice_perform(
        notice=notice, action="answer", actor=cast.handler, note="已整改完毕", files=[scan]
    )
    notice_perform(notice=notice, action="send_back", actor=cast.supervisor, note="说明不充分")
    notice_perform(notice=notice, action="answer", actor=cast.handler, note="补充说明")
    notice_perform(notice=notice, action="close", actor=cast.supervisor)

    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED
    assert notice.answer == "补充说明"
    assert [f.original_name for f in notice.files.all()] == ["整改报告.pdf"]
    for case in (first, second):
        case.refresh_from_db()
        assert case.state == State.IN_PROGRESS, "a notice never moves the case"
        lines = list(
            CaseEvent.objects.filter(case=case, action__startswith="notice_").values_list(
                "action", flat=True
            )
        )
        assert lines == [
            "notice_issued",
            "notice_acknowledged",
            "notice_answered",
            "notice_sent_back",
            "notice_answered",
            "notice_closed",
        ]
        assert not CaseEvent.objects.filter(case=case, action="notice_issued", is_public=True)
    issued = CaseEvent.objects.filter(action="notice_issued").order_by("case_id")
    assert issued[0].data["notify"] == [cast.head.pk], "told once, on the first case's line"
    assert issued[1].data["notify"] == []


def test_escalation_climbs_the_levels_and_stops_at_the_top(cast):
    notice = issue(cast, level=NoticeLevel.REMINDER)
    seen = [notice.level]
    while (current := SupervisionNotice.objects.get(pk=notice.pk)).level != "circulation":
        notice_perform(notice=current, action="escalate", actor=cast.leader, note="逾期未复")
        notice = SupervisionNotice.objects.get(escalated_from=current)
        seen.append(notice.level)
    assert seen == ["reminder", "supervision", "leader", "circulation"]
    assert "escalate" not in notice_allowed_actions(notice, cast.supervisor)
    with pytest.raises(NoticeTransitionNotAllowed):
        notice_perform(notice=notice, action="escalate", actor=cast.supervisor)


def test_only_supervisors_issue_and_only_about_open_cases(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        notice_issue(
            cases=[case],
            department=cast.housing,
            level=NoticeLevel.REMINDER,
            reason="r",
            demand="d",
            due_days=1,
            actor=cast.head,
        )
    closed = drive_to(cast, State.CLOSED)
    with pytest.raises(ValidationError) as refused:
        notice_issue(
            cases=[closed],
            department=cast.housing,
            level=NoticeLevel.REMINDER,
            reason="",
            demand="d",
            due_days=0,
            actor=cast.supervisor,
        )
    assert set(refused.value.message_dict) == {"cases", "reason", "due_days"}
