"""Random sequences of actions by random people never leave a case inconsistent: under
the default process, and under every office profile's configuration (`load_profile`)."""

from datetime import timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from minsheng.cases import office
from minsheng.cases.access import Actor, Citizen
from minsheng.cases.models import (
    Case,
    CaseEvent,
    ExtraField,
    LinkKind,
    MediationOutcome,
    Rating,
    State,
)
from minsheng.cases.services import PersonInput, Submission, case_create
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
from minsheng.deadlines.models import Channel, Kind, Severity, Step
from minsheng.demo.profiles import profile_get, profile_load, profiles

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
    State.PENDING_ACCEPTANCE: {Step.ACCEPTANCE},
    State.ACCEPTED: {Step.DISPATCH, Step.RESULT},
    State.ASSIGNED: {Step.RESULT},
    State.IN_PROGRESS: {Step.RESULT},
    State.AWAITING_EVIDENCE: {Step.RESULT},
    State.PENDING_APPROVAL: {Step.RESULT},
    State.PENDING_LEADER_APPROVAL: {Step.RESULT},
    State.UNDER_REVIEW: {Step.REVIEW},
}

MAIN_LINE, ANY_OFFERED, ANYTHING = "main line", "any offered", "anything"
# The actions that carry a case forward through every office's steps (the others, such as
# merge, transfer and archive, end a sequence early when picked as often).
FORWARD = frozenset(
    {
        "accept",
        "approve_acceptance",
        "feedback",
        "assign",
        "sign",
        "plan",
        "evidence_request",
        "evidence_supply",
        "submit_result",
        "approve",
        "leader_approve",
        "regulator_answer",
        "rate",
        "appeal",
        "review_redo",
    }
)

step_strategy = st.tuples(
    # Take an offered action that moves the case along its main line, any offered action,
    # or anything at all.
    st.sampled_from([MAIN_LINE, MAIN_LINE, ANY_OFFERED, ANY_OFFERED, ANYTHING]),
    st.integers(min_value=0, max_value=10_000),  # which offered action
    st.sampled_from(sorted(ACTIONS)),
    st.sampled_from(ACTORS),
    st.sampled_from(["情况说明", "情况说明", "情况说明", ""]),  # a note, sometimes missing
    st.integers(min_value=0, max_value=6),  # hours to let pass before the step (x 12)
    st.booleans(),  # pick the other department / a good rating
)


# Clocks that are paused in a state (waiting for the complainant), and only there.
PAUSED_IN = {State.NEEDS_INFO: Step.REVIEW, State.AWAITING_EVIDENCE: Step.RESULT}
# Inputs an action may go without, that these sequences give where the office's rules want
# them (a rejection ground from the office's list, an agreement's parties).
ALWAYS_GIVEN = {"reason", "parties"}


def random_sequences(examples: int):
    """The property test, trying `examples` random sequences."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        kind=st.sampled_from([Kind.COMPLAINT, Kind.INQUIRY]),
        severity=st.sampled_from([Severity.GENERAL, Severity.MAJOR, Severity.URGENT]),
        channel=st.sampled_from([Channel.WEB, Channel.PHONE, Channel.REGULATOR]),
        steps=st.lists(step_strategy, min_size=20, max_size=40),
    )
    def test_random_actions_keep_state_clocks_and_timeline_consistent(
        self, kind, severity, channel, steps
    ):
        self.take_random_steps(kind, severity, channel, steps)

    return test_random_actions_keep_state_clocks_and_timeline_consistent


class LifecyclePropertyTest(TestCase):
    """Under the default process (the municipal 12345 centre)."""

    cast: Cast
    profile = ""  # the office profile whose configuration the sequences run under
    test_random_actions_keep_state_clocks_and_timeline_consistent = random_sequences(60)

    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast()
        if cls.profile:
            # The profile's configuration, with the cast (whose usernames it reuses) acting.
            profile_load(profile_get(cls.profile), demo=False)

    def submit(self, kind, severity, channel, subject="工地夜间施工噪音扰民"):
        """A case the office takes: one of its kinds and channels, and a class if it has
        classes (chosen by the severity's index)."""
        kinds = office.kinds_used()
        channels = office.channels_used()
        classes = office.case_classes()
        case_class = classes[list(Severity).index(severity) % len(classes)] if classes else None
        return case_create(
            submission=Submission(
                extra=self.extra_required(),
                kind=kind if kind in kinds else kinds[0],
                severity=severity,
                case_class=case_class,
                channel=channel if channel in channels else channels[0],
                regulator_reference="监管转办〔2026〕88号" if channel == Channel.REGULATOR else "",
                subject=subject,
                body="小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
                people=[PersonInput(name="张伟", phone="13812345678")],
            ),
            actor=None,
        ).case

    def extra_required(self):
        """Values for the extra fields every case of the office must carry (a text with a
        pattern takes the value the profile's own demo gives it)."""
        examples = {}
        if self.profile:
            for spec in profile_get(self.profile).data.get("cases", []):
                examples.update(spec.get("extra", {}))
        values = {}
        for field in office.extra_fields_for(None):
            if not field.is_required:
                continue
            if field.type == ExtraField.Type.CHOICE:
                values[field.code] = field.choices[0][0]
            elif field.type == ExtraField.Type.NUMBER:
                values[field.code] = 1
            elif field.type == ExtraField.Type.DATE:
                values[field.code] = timezone.localdate().isoformat()
            else:
                values[field.code] = examples.get(field.code, "情况说明")
        return values

    def inputs_for(self, action, note, flag, other):
        cast = self.cast
        reasons = office.rejection_reasons()
        values = {
            "note": note,
            "body": "市公安局",
            "consent": flag,
            "department": cast.environment if flag else cast.housing,
            "co_departments": [cast.housing if flag else cast.environment],
            "amount": 2,
            "outcome": MediationOutcome.AGREEMENT if flag else MediationOutcome.ADVISED_COURT,
            "parties": "张伟；某施工单位",
            "reason": reasons[0] if reasons else None,
            "rating": Rating.SATISFIED if flag else Rating.POOR,
            "into": other,
            "other": other,
            "kind": LinkKind.DUPLICATE,
            **RESULT,
        }
        return {
            i.name: values[i.name]
            for i in ACTIONS[action].inputs
            if i.required or (i.name in ALWAYS_GIVEN and values[i.name] is not None)
        }

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
        # The answer owed to a regulator runs until it is given, whatever the case's state.
        owed = office.is_regulator_transfer(case) and case.regulator_answered_at is None
        assert (Step.REGULATOR in steps) == owed, (case.state, steps)
        if case.state in RESTING_STATES or case.state == State.ARCHIVED:
            assert [s for s in steps if s != Step.REGULATOR] == []
            if not owed:
                assert case.next_due_at is None
        else:
            assert case.state in OPEN_STATES
            assert MUST_RUN[case.state] <= set(steps), (case.state, steps)
        for clock in running:
            paused = clock.is_paused
            assert (clock.due_at is None) == paused
            assert paused == (PAUSED_IN.get(State(case.state)) == clock.step), (case.state, clock)
        if Step.FEEDBACK in steps:
            assert case.feedback_at is None
        dues = [c.due_at for c in running if c.due_at is not None]
        assert case.next_due_at == (min(dues) if dues else None)
        assert case.return_count <= 2
        # A result waits at one level of the office's approval chain, and only then.
        waiting = case.state in (State.PENDING_APPROVAL, State.PENDING_LEADER_APPROVAL)
        assert waiting == (case.approval_level >= 1), (case.state, case.approval_level)
        assert case.approval_level <= len(office.approval_chain(case))

    def take_random_steps(self, kind, severity, channel, steps):
        cast = self.cast
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            case = self.submit(kind, severity, channel)
            other = self.submit(Kind.COMPLAINT, Severity.GENERAL, Channel.PHONE, "相似诉求")
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
            for pick, index, action, who, note, hours, flag in steps:
                clock.shift(timedelta(hours=12 * hours))
                case = Case.objects.get(pk=case.pk)
                if pick != ANYTHING:
                    # One offer per action, so notes by eight people don't crowd out the rest.
                    offers = sorted(
                        {a: w for w in ACTORS for a in allowed_actions(case, people[w])}.items()
                    )
                    forward = [offer for offer in offers if offer[0] in FORWARD]
                    if pick == MAIN_LINE and forward:
                        offers = forward
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


# The same sequences under each office profile's configuration: its optional steps, classes
# and approval chains, deadline policies, rejection grounds, kinds and channels.
for _name in profiles():
    globals()[f"LifecyclePropertyTest_{_name}"] = type(
        f"LifecyclePropertyTest_{_name}",
        (LifecyclePropertyTest,),
        {
            "profile": _name,
            "__doc__": f"Under the {_name} profile.",
            "test_random_actions_keep_state_clocks_and_timeline_consistent": random_sequences(15),
        },
    )
