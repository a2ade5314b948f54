"""Random sequences of actions by random people never leave a case inconsistent."""

from datetime import timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from minsheng.cases.access import Actor, Citizen
from minsheng.cases.models import Case, CaseEvent, LinkKind, Rating, State
from minsheng.cases.tests.factories import RESULT, Cast, make_cast
from minsheng.cases.workflow import (
    ACTIONS,
    OPEN_STATES,
    RESTING_STATES,
    TransitionNotAllowed,
    allowed_actions,
    perform,
    why_not,
)
from minsheng.deadlines.models import Kind, Severity, Step

ACTORS = [
    "intake",
    "dispatcher",
    "handler",
    "head",
    "handler2",
    "head2",
    "supervisor",
    "leader",
    "admin",
    "citizen",
]

# Clocks that must be running in each open state (others may run too).
MUST_RUN = {
    State.SUBMITTED: {Step.REVIEW},
    State.NEEDS_INFO: {Step.REVIEW},
    State.ACCEPTED: {Step.DISPATCH, Step.RESULT},
    State.ASSIGNED: {Step.RESULT},
    State.IN_PROGRESS: {Step.RESULT},
    State.PENDING_APPROVAL: {Step.RESULT},
    State.PENDING_LEADER_APPROVAL: {Step.RESULT},
    State.UNDER_REVIEW: {Step.REVIEW},
}

step_strategy = st.tuples(
    st.sampled_from([True, True, True, False]),  # take an offered action, or anything at all
    st.integers(min_value=0, max_value=10_000),  # which offered action
    st.sampled_from(sorted(ACTIONS)),
    st.sampled_from(ACTORS),
    st.sampled_from(["情况说明", "情况说明", "情况说明", ""]),  # a note, sometimes missing
    st.integers(min_value=0, max_value=6),  # hours to let pass before the step (x 12)
    st.booleans(),  # pick the other department / a good rating
)


class LifecyclePropertyTest(TestCase):
    cast: Cast

    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast()

    def inputs_for(self, action, note, flag, other):
        cast = self.cast
        values = {
            "note": note,
            "body": "市公安局",
            "consent": flag,
            "department": cast.environment if flag else cast.housing,
            "co_departments": [cast.housing if flag else cast.environment],
            "amount": 2,
            "outcome": "agreement",
            "rating": Rating.SATISFIED if flag else Rating.POOR,
            "into": other,
            "other": other,
            "kind": LinkKind.DUPLICATE,
            **RESULT,
        }
        return {i.name: values[i.name] for i in ACTIONS[action].inputs if i.required}

    def check_consistent(self, case, event_count):
        case.refresh_from_db()
        events = list(case.events.order_by("created_at", "id"))
        assert len(events) == event_count
        assert events[-1].to_state == case.state
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state, (before.action, after.action)
        running = list(case.clocks.filter(stopped_at__isnull=True))
        steps = [c.step for c in running]
        assert len(steps) == len(set(steps))
        if case.state in RESTING_STATES or case.state == State.ARCHIVED:
            assert running == []
            assert case.next_due_at is None
        else:
            assert case.state in OPEN_STATES
            assert MUST_RUN[case.state] <= set(steps), (case.state, steps)
        for clock in running:
            paused = clock.is_paused
            assert (clock.due_at is None) == paused
            assert paused == (case.state == State.NEEDS_INFO and clock.step == Step.REVIEW)
        dues = [c.due_at for c in running if c.due_at is not None]
        assert case.next_due_at == (min(dues) if dues else None)
        assert case.return_count <= 2

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        kind=st.sampled_from([Kind.COMPLAINT, Kind.INQUIRY]),
        severity=st.sampled_from([Severity.GENERAL, Severity.MAJOR, Severity.URGENT]),
        steps=st.lists(step_strategy, min_size=20, max_size=40),
    )
    def test_random_actions_keep_state_clocks_and_timeline_consistent(self, kind, severity, steps):
        cast = self.cast
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            case = cast.submit(kind=kind, severity=severity).case
            other = cast.submit(subject="相似诉求").case
            people: dict[str, Actor] = {
                "intake": cast.intake,
                "dispatcher": cast.dispatcher,
                "handler": cast.handler,
                "head": cast.head,
                "handler2": cast.handler2,
                "head2": cast.head2,
                "supervisor": cast.supervisor,
                "leader": cast.leader,
                "admin": cast.admin,
                "citizen": Citizen(case_id=case.pk),
            }
            event_count = 1
            for pick_offered, index, action, who, note, hours, flag in steps:
                clock.shift(timedelta(hours=12 * hours))
                case = Case.objects.get(pk=case.pk)
                if pick_offered:
                    # One offer per action, so notes by eight people don't crowd out the rest.
                    offers = sorted(
                        {a: w for w in ACTORS for a in allowed_actions(case, people[w])}.items()
                    )
                    if offers:
                        action, who = offers[index % len(offers)]
                actor = people[who]
                offered = why_not(case, actor, action) is None
                try:
                    perform(
                        case=case,
                        action=action,
                        actor=actor,
                        **self.inputs_for(action, note, flag, other),
                    )
                except (PermissionDenied, TransitionNotAllowed):
                    assert not offered, (action, who, case.state)
                except ValidationError:
                    pass  # bad inputs change nothing
                else:
                    assert offered, (action, who, case.state)
                    event_count += 1
                self.check_consistent(case, event_count)
                event(f"reached {case.state}")  # see --hypothesis-show-statistics
            assert CaseEvent.objects.filter(case=case).count() == event_count
