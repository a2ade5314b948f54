"""Auto-dispatch as a policy: a confident suggestion of an eligible accepted case is
assigned by the system through the lifecycle, and from then on the case is like any other;
everything else stays with a dispatcher; people's corrections are recorded and learnt from."""

from decimal import Decimal

import pytest
from django.core import mail

from minsheng.cases.models import CaseClock, CaseEvent, State
from minsheng.cases.workflow import allowed_actions, perform
from minsheng.deadlines.models import Kind, Severity, Step
from minsheng.dispatch import selectors
from minsheng.dispatch.models import CorrectionKind, DispatchDecision, Outcome
from minsheng.dispatch.services import policy_save, switch_set
from minsheng.dispatch.tests.conftest import NOISE
from minsheng.routing.models import RoutingFeedback


def test_confident_case_is_assigned_by_the_system_and_returned_like_any_other(
    cast, policy, topics, accepted, tasks_now
):
    case = accepted()
    assert case.state == State.ASSIGNED
    assert case.department == cast.environment
    event = CaseEvent.objects.get(case=case, action="assign")
    assert event.actor is None
    assert event.actor_role == "system"
    assert "98.0%" in event.note  # the policy's precision
    assert "环境保护" in event.note  # what the model suggested, with its confidence
    decision = DispatchDecision.objects.get(case=case)
    assert decision.outcome == Outcome.DISPATCHED
    assert decision.threshold is not None
    assert decision.confidence >= decision.threshold
    assert f"{decision.confidence * 100:.1f}%" in event.note
    # The department's plan clock runs, as after a person's assignment.
    assert CaseClock.objects.filter(case=case, step=Step.PLAN, stopped_at__isnull=True).exists()
    # The department may say "not ours"; the dispatcher then sends it elsewhere.
    assert "return" in allowed_actions(case, cast.head2)
    tasks_now(lambda: perform(case=case, action="return", actor=cast.head2, note="不属于本局职责"))
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    assert case.department is None
    tasks_now(
        lambda: perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    )
    case.refresh_from_db()
    assert (case.state, case.department) == (State.ASSIGNED, cast.housing)
    decision.refresh_from_db()
    assert decision.is_returned
    assert decision.is_corrected
    correction = decision.corrections.get()
    assert correction.kind == CorrectionKind.RETURNED
    assert (correction.from_department, correction.to_department) == (
        cast.environment,
        cast.housing,
    )
    assert correction.actor == cast.dispatcher
    # Fed to training: the chosen topic against the suggestion, as a correction.
    feedback = RoutingFeedback.objects.get(case=case)
    assert feedback.chosen_category == topics["城乡建设"]
    assert feedback.suggested_label == "环境保护"
    assert feedback.is_correction


def test_dispatcher_reassigns_an_auto_dispatched_case(cast, policy, topics, accepted, tasks_now):
    case = accepted()
    assert "reassign" in allowed_actions(case, cast.dispatcher)
    assert "reassign" not in allowed_actions(case, cast.intake)
    tasks_now(
        lambda: perform(
            case=case,
            action="reassign",
            actor=cast.dispatcher,
            department=cast.housing,
            note="实为住建局管辖的工地",
        )
    )
    case.refresh_from_db()
    assert (case.state, case.department) == (State.ASSIGNED, cast.housing)
    assert "sign" in allowed_actions(case, cast.handler)
    correction = DispatchDecision.objects.get(case=case).corrections.get()
    assert correction.kind == CorrectionKind.REASSIGNED
    assert correction.to_category == topics["城乡建设"]
    assert correction.is_fed_to_training
    assert selectors.auto_dispatched_ids([case.pk]) == {case.pk}


@pytest.mark.parametrize(
    ("submit", "allowed_by"),
    [
        ({"severity": Severity.URGENT}, "includes_urgent"),
        ({"severity": Severity.MAJOR}, "includes_major"),
        ({"kind": Kind.REPORT, "anonymous": True}, "includes_anonymous_report"),
    ],
)
def test_ineligible_cases_stay_with_a_person_unless_the_policy_says(
    cast, topics, accepted, submit, allowed_by
):
    kind = submit.get("kind", Kind.COMPLAINT)
    policy = policy_save(policy=None, actor=cast.admin, kind=kind, is_enabled=True)
    case = accepted(**submit)
    assert case.state == State.ACCEPTED
    assert DispatchDecision.objects.get(case=case).outcome == Outcome.INELIGIBLE
    policy_save(policy=policy, actor=cast.admin, **{allowed_by: True})
    assert accepted(**submit).state == State.ASSIGNED


def test_below_threshold_other_kinds_and_changed_categories_stay_with_a_person(
    cast, policy, topics, accepted
):
    unsure = accepted(NOISE)
    assert unsure.state == State.ACCEPTED
    decision = DispatchDecision.objects.get(case=unsure)
    assert decision.outcome == Outcome.BELOW_THRESHOLD
    assert decision.threshold is not None
    assert decision.confidence < decision.threshold
    assert accepted(kind=Kind.SUGGESTION).state == State.ACCEPTED  # no policy for it
    # Intake put the matter under another topic when accepting: a correction, no dispatch.
    recategorised = accepted(accept={"category": topics["城乡建设"]})
    assert recategorised.state == State.ACCEPTED
    decision = DispatchDecision.objects.get(case=recategorised)
    assert decision.outcome == Outcome.CATEGORY_DIFFERS
    assert decision.corrections.get().kind == CorrectionKind.CATEGORY
    assert RoutingFeedback.objects.get(case=recategorised).is_correction


def test_the_switch_stops_auto_dispatch_at_once(cast, policy, accepted):
    switch_set(is_on=False, actor=cast.admin)
    case = accepted()
    assert case.state == State.ACCEPTED
    assert DispatchDecision.objects.get(case=case).outcome == Outcome.SWITCH_OFF
    switch_set(is_on=True, actor=cast.admin)
    assert accepted().state == State.ASSIGNED


def test_drift_pauses_the_policy_and_tells_the_administrators(cast, topics, accepted, tasks_now):
    from django.utils import timezone

    from minsheng.dispatch.services import drift_check

    cast.admin.email = "admin@example.cn"
    cast.admin.save(update_fields=["email"])
    policy = policy_save(
        policy=None,
        actor=cast.admin,
        kind=Kind.COMPLAINT,
        is_enabled=True,
        precision=Decimal("0.9"),
        drift_min_cases=3,
    )
    cases = [accepted() for _ in range(3)]
    assert all(c.state == State.ASSIGNED for c in cases)
    assert tasks_now(lambda: drift_check(now=timezone.now())) == []  # all held so far
    mail.outbox.clear()
    tasks_now(
        lambda: perform(
            case=cases[0],
            action="reassign",
            actor=cast.dispatcher,
            department=cast.housing,
            note="应由住建局办理",
        )
    )
    measured = selectors.measured_for(policy=policy, since=policy.updated_at)
    assert (measured.auto, measured.held) == (3, 2)
    paused = tasks_now(lambda: drift_check(now=timezone.now()))
    assert [p.pk for p in paused] == [policy.pk]
    policy.refresh_from_db()
    assert policy.is_paused
    assert policy.paused_precision == pytest.approx(2 / 3)
    told = [m for m in mail.outbox if "admin@example.cn" in m.to]
    assert len(told) == 1
    assert str(policy) in told[0].subject
    assert tasks_now(lambda: drift_check(now=timezone.now())) == []  # told once
    assert len([m for m in mail.outbox if "admin@example.cn" in m.to]) == 1
    # Paused: a confident case now waits for a dispatcher, until an administrator resumes.
    case = accepted()
    assert case.state == State.ACCEPTED
    assert DispatchDecision.objects.get(case=case).outcome == Outcome.PAUSED
    assert selectors.paused_policies() == [policy]
    policy_save(policy=policy, actor=cast.admin, resume=True)
    assert accepted().state == State.ASSIGNED
