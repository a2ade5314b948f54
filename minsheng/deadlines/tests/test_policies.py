"""Which deadlines a case gets: the most specific policy row wins."""

import pytest

from minsheng.deadlines.models import DeadlinePolicy, Kind, Severity, Step, Unit
from minsheng.deadlines.selectors import DEFAULT_POLICY, PolicyValues, policy_for

pytestmark = pytest.mark.django_db


def test_general_complaint_gets_three_working_days_for_the_result():
    policy = policy_for(kind=Kind.COMPLAINT, severity=Severity.GENERAL)

    assert policy == PolicyValues(
        unit=Unit.WORKING_DAYS, review=1, dispatch=1, plan=1, result=3, appeal_days=15
    )


@pytest.mark.parametrize(
    ("severity", "unit", "plan", "result"),
    [
        (Severity.COMPLEX, Unit.WORKING_DAYS, 2, 5),
        (Severity.MAJOR, Unit.WORKING_DAYS, 2, 7),
        (Severity.URGENT, Unit.HOURS, 4, 24),
    ],
)
def test_graver_complaints_get_the_seeded_deadlines_for_their_severity(
    severity, unit, plan, result
):
    policy = policy_for(kind=Kind.COMPLAINT, severity=severity)

    assert (policy.unit, policy.plan, policy.result, policy.appeal_days) == (
        unit,
        plan,
        result,
        15,
    )


def test_suggestion_gets_seven_working_days_for_the_result():
    policy = policy_for(kind=Kind.SUGGESTION, severity=Severity.GENERAL)

    assert policy.result == 7
    assert policy.amount_for(Step.RESULT) == 7
    assert policy.amount_for(Step.REVIEW) == 1


def test_most_specific_policy_wins():
    DeadlinePolicy.objects.create(
        kind=Kind.REPORT, severity=Severity.MAJOR, review=3, dispatch=3, plan=3, result=30
    )
    DeadlinePolicy.objects.create(kind=Kind.REPORT, review=4, dispatch=4, plan=4, result=40)

    assert policy_for(kind=Kind.REPORT, severity=Severity.MAJOR).result == 30
    # Severity alone outranks kind alone: a complex report takes the complex row...
    assert policy_for(kind=Kind.REPORT, severity=Severity.COMPLEX).result == 5
    # ...and an urgent suggestion is counted in hours, not in the suggestion's days.
    assert policy_for(kind=Kind.SUGGESTION, severity=Severity.URGENT).unit == Unit.HOURS
    # Kind alone outranks the catch-all row.
    assert policy_for(kind=Kind.REPORT, severity=Severity.GENERAL).result == 40
    # Severity alone outranks the catch-all row.
    assert policy_for(kind=Kind.INQUIRY, severity=Severity.MAJOR).result == 7
    assert policy_for(kind=Kind.INQUIRY, severity=Severity.GENERAL).result == 3


def test_empty_policy_table_still_gives_deadlines():
    DeadlinePolicy.objects.all().delete()

    assert policy_for(kind=Kind.COMPLAINT, severity=Severity.URGENT) == DEFAULT_POLICY
    assert DEFAULT_POLICY.amount_for(Step.RESULT) == 3
