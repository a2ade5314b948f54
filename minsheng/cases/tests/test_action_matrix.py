"""Every action, in every state, for every role: allowed exactly where the rules say, done
for real where allowed, refused with a reason everywhere else.

The expectations below are written out by hand from DESIGN.md §2 on purpose: they are the
specification the lifecycle table is checked against, not a copy of it.
"""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from minsheng.cases.access import Citizen
from minsheng.cases.models import Case, CaseEvent, LinkKind, Rating, State
from minsheng.cases.tests.factories import RESULT
from minsheng.cases.workflow import ACTIONS, TransitionNotAllowed, allowed_actions, perform, why_not

S = State
ALL_BUT_ARCHIVED = set(State) - {S.ARCHIVED}
WITH_DEPARTMENTS = {
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.AWAITING_EVIDENCE,
    S.PENDING_APPROVAL,
    S.PENDING_LEADER_APPROVAL,
    S.REPLIED,
    S.UNDER_REVIEW,
    S.CLOSED,
}
CENTRE_WRITERS = {"intake", "dispatcher", "supervisor", "leader"}
DEPARTMENT_PEOPLE = {"handler", "head", "handler2", "head2"}
LEAD = {"handler", "head"}

# action -> (states where someone may take it, who may) for a general complaint assigned
# to housing (lead) with environment co-handling. Actions whose condition cannot hold in
# these cases (nothing pending, no plan yet, not rated yet) have their own tests.
EXPECTED: dict[str, tuple[set[State], set[str]]] = {
    "request_info": ({S.SUBMITTED}, {"intake"}),
    "supplement": ({S.NEEDS_INFO}, {"intake", "citizen"}),
    "accept": ({S.SUBMITTED}, {"intake"}),
    # The default office approves no acceptance, but a case already waiting for one (the
    # office stopped using the step) can always leave it: by the leader, the default role.
    "approve_acceptance": ({S.PENDING_ACCEPTANCE}, {"leader"}),
    "refuse_acceptance": ({S.PENDING_ACCEPTANCE}, {"leader"}),
    # Steps the default office does not use, and a regulator's answer (no regulator here):
    # each office profile's test takes them.
    "feedback": (set(), set()),
    "evidence_request": (set(), set()),
    "regulator_answer": (set(), set()),
    "evidence_supply": ({S.AWAITING_EVIDENCE}, {"handler", "head", "citizen"}),
    "reject": ({S.SUBMITTED}, {"intake"}),
    "transfer": ({S.SUBMITTED}, {"intake"}),
    "answer": (set(), set()),  # only an inquiry: test_answer
    "assign": ({S.ACCEPTED}, {"dispatcher"}),
    "reassign": ({S.ASSIGNED}, {"dispatcher"}),
    "sign": ({S.ASSIGNED}, LEAD),
    "return": ({S.ASSIGNED}, LEAD),
    "plan": ({S.IN_PROGRESS}, LEAD),
    "progress": ({S.IN_PROGRESS}, LEAD),
    "co_report": ({S.IN_PROGRESS}, {"handler2", "head2"}),
    "extension_request": ({S.IN_PROGRESS}, {"head"}),
    "extension_approve": (set(), set()),  # nothing pending: test_extension
    "extension_refuse": (set(), set()),
    "mediate": ({S.IN_PROGRESS}, LEAD),
    "submit_result": (set(), set()),  # no plan yet: test_result_needs_a_plan
    "approve": ({S.PENDING_APPROVAL}, {"head"}),
    "send_back": ({S.PENDING_APPROVAL}, {"head"}),
    "leader_approve": ({S.PENDING_LEADER_APPROVAL}, {"leader"}),
    "leader_send_back": ({S.PENDING_LEADER_APPROVAL}, {"leader"}),
    "rate": ({S.REPLIED}, {"intake", "citizen"}),
    "appeal": (set(), set()),  # not rated yet: test_appeal
    "review_redo": ({S.UNDER_REVIEW}, {"supervisor", "leader"}),
    "review_uphold": ({S.UNDER_REVIEW}, {"supervisor", "leader"}),
    "close": (set(), set()),  # appeal window still open: test_close
    "archive": ({S.CLOSED, S.REJECTED, S.TRANSFERRED, S.MERGED}, {"supervisor", "admin"}),
    "merge": (
        {S.SUBMITTED, S.NEEDS_INFO, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS},
        {"intake", "dispatcher", "supervisor"},
    ),
    "link": (ALL_BUT_ARCHIVED, {"intake", "dispatcher", "supervisor"}),
    # An archived case is read-only but for the auditor's notes (who reads everything).
    "audit_note": (set(State), {"auditor"}),
}


def expected_allowed(action: str, state: State, who: str) -> bool:
    if action == "note":
        if state == S.ARCHIVED:
            return False
        return who in CENTRE_WRITERS or (who in DEPARTMENT_PEOPLE and state in WITH_DEPARTMENTS)
    states, people = EXPECTED[action]
    return state in states and who in people


def sample_inputs(action: str, cast: Any, other: Case) -> dict[str, Any]:
    inputs: dict[str, dict[str, Any]] = {
        "request_info": {"note": "请补充材料"},
        "supplement": {"note": "已补充"},
        "reject": {"note": "不属于受理范围"},
        "transfer": {"body": "市公安局", "consent": True},
        "assign": {"department": cast.environment},
        "reassign": {"department": cast.environment, "note": "应由环保部门办理"},
        "return": {"note": "不属于本单位职责"},
        "plan": {"note": "现场核查"},
        "progress": {"note": "已联系施工单位"},
        "note": {"note": "内部备注"},
        "audit_note": {"note": "审计意见"},
        "co_report": {"note": "协办意见"},
        "extension_request": {"amount": 3, "note": "需要检测"},
        "mediate": {"outcome": "agreement", "parties": "投诉人; 施工单位", "note": "双方达成协议"},
        "refuse_acceptance": {"note": "事实不清, 请重新审核"},
        "evidence_supply": {"note": "已提供合同复印件"},
        "send_back": {"note": "事实不清"},
        "leader_send_back": {"note": "依据不足"},
        "rate": {"rating": Rating.POOR},
        "review_redo": {"note": "重新办理"},
        "review_uphold": {"note": "维持原答复"},
        "merge": {"into": other},
        "link": {"other": other, "kind": LinkKind.RELATED},
        "submit_result": RESULT,
    }
    return inputs.get(action, {})


class Rollback(Exception):
    """Raised to undo an action after checking it went through."""

    def __init__(self, event: CaseEvent) -> None:
        self.event = event


def take_and_roll_back(case: Case, action: str, actor: Any, cast: Any, other: Case) -> CaseEvent:
    try:
        with transaction.atomic():
            event = perform(
                case=case, action=action, actor=actor, **sample_inputs(action, cast, other)
            )
            raise Rollback(event)
    except Rollback as done:
        return done.event


@pytest.mark.parametrize("state", list(State))
def test_every_action_for_every_role_in_every_state(cast, state):
    from minsheng.cases.tests.factories import drive_to

    case = drive_to(cast, state)
    other = cast.submit(subject="同一工地噪音").case
    actors = {
        "intake": cast.intake,
        "dispatcher": cast.dispatcher,
        "handler": cast.handler,
        "head": cast.head,
        "handler2": cast.handler2,
        "head2": cast.head2,
        "supervisor": cast.supervisor,
        "leader": cast.leader,
        "admin": cast.admin,
        "auditor": cast.auditor,
        "citizen": Citizen(case_id=case.pk),
        "other_citizen": Citizen(case_id=other.pk),
    }
    assert case.state == state
    for who, actor in actors.items():
        allowed = set(allowed_actions(case, actor))
        for action in ACTIONS:
            expected = expected_allowed(action, state, who)
            assert (action in allowed) == expected, (action, state, who)
            fresh = Case.objects.get(pk=case.pk)
            if expected:
                # Really take it, then roll back, so the next check starts from `state`.
                assert take_and_roll_back(fresh, action, actor, cast, other).from_state == state
            else:
                reason = why_not(fresh, actor, action)
                assert reason, (action, state, who)
                with pytest.raises((PermissionDenied, TransitionNotAllowed)) as refused:
                    perform(
                        case=fresh, action=action, actor=actor, **sample_inputs(action, cast, other)
                    )
                assert str(refused.value) == reason
