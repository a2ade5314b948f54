"""The deadline watch: notices by policy counted in working days on the official calendar
(nothing grows overdue over the National Day or Spring Festival break), each escalation
level, warnings, and idempotence: two runs, one notice, one message."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from minsheng.cases.models import CaseClock, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Step
from minsheng.notify.models import Notification
from minsheng.supervision.admin import NoticePolicyForm
from minsheng.supervision.models import (
    NoticeLevel,
    NoticePolicy,
    NoticeState,
    NoticeWarning,
    PolicyHit,
    SupervisionNotice,
)
from minsheng.supervision.notices import notice_perform
from minsheng.supervision.services import watch_run

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def started(cast, moment: str):
    """A case signed for at `moment`: its result clock runs (3 working days, general)."""
    with time_machine.travel(at(moment), tick=False):
        case = drive_to(cast, State.IN_PROGRESS)
    return case, CaseClock.objects.get(case=case, step=Step.RESULT, stopped_at__isnull=True)


def run(moment: str):
    with time_machine.travel(at(moment), tick=False):
        return watch_run(now=timezone.now())


def levels(case) -> list[str]:
    return list(
        SupervisionNotice.objects.filter(cases=case).order_by("pk").values_list("level", flat=True)
    )


@pytest.mark.parametrize(
    ("accepted", "due", "in_break", "first_working_day_after"),
    [
        # Due on the last working day before the National Day break (1-8 October 2025).
        ("2025-09-26 10:00", "2025-09-30", "2025-10-08 16:00", "2025-10-09 09:00"),
        # Due on the make-up Saturday before the Spring Festival break (15-23 February 2026).
        ("2026-02-11 10:00", "2026-02-14", "2026-02-23 16:00", "2026-02-24 09:00"),
    ],
)
def test_nothing_grows_overdue_in_a_holiday_break(
    cast, accepted, due, in_break, first_working_day_after
):
    case, clock = started(cast, accepted)
    assert timezone.localtime(clock.due_at).date().isoformat() == due

    assert run(in_break).issued == 0
    assert levels(case) == []

    assert run(first_working_day_after).issued == 1
    notice = SupervisionNotice.objects.get(cases=case)
    assert notice.level == NoticeLevel.REMINDER
    assert notice.recipient == cast.handler, "a reminder goes to the handler"


def test_each_level_by_policy_and_by_hand(cast):
    # Due Friday 2025-11-14; a working day late is Monday, three are Wednesday.
    case, clock = started(cast, "2025-11-11 10:00")
    assert timezone.localtime(clock.due_at).date().isoformat() == "2025-11-14"

    run("2025-11-15 10:00")  # Saturday: overdue, but not by a working day
    assert levels(case) == []
    run("2025-11-17 10:00")
    assert levels(case) == ["reminder"]
    run("2025-11-18 10:00")
    assert levels(case) == ["reminder"]
    run("2025-11-19 10:00")
    assert levels(case) == ["reminder", "supervision"]
    supervision = SupervisionNotice.objects.get(cases=case, level="supervision")
    assert supervision.recipient is None, "a supervision notice goes to the department head"
    assert timezone.localtime(supervision.due_at).date().isoformat() == "2025-11-21"

    run("2025-11-22 10:00")  # the notice was due Friday night: the leader takes over
    assert levels(case) == ["reminder", "supervision", "leader"]
    supervision.refresh_from_db()
    assert supervision.state == NoticeState.ESCALATED
    leader = SupervisionNotice.objects.get(cases=case, level="leader")
    assert leader.escalated_from == supervision
    assert leader.policy is not None
    assert leader.issued_by is None

    with time_machine.travel(at("2025-11-25 10:00"), tick=False):
        notice_perform(notice=leader, action="escalate", actor=cast.leader, note="通报批评")
    assert levels(case) == ["reminder", "supervision", "leader", "circulation"]


def test_two_runs_issue_one_notice_and_send_one_message(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.handler.email = "handler@housing.example.gov.cn"
    cast.handler.save(update_fields=["email"])
    case, _clock = started(cast, "2025-11-11 10:00")
    with time_machine.travel(at("2025-11-17 10:00"), tick=False):
        call_command("watch", "--once", "--inline")
        call_command("watch", "--once", "--inline")
    assert levels(case) == ["reminder"]
    messages = Notification.objects.filter(kind="supervision")
    assert messages.count() == 1
    assert messages.get().user == cast.handler


def test_a_notice_is_warned_about_once_before_and_once_after_its_deadline(cast):
    case, _clock = started(cast, "2025-11-11 10:00")
    run("2025-11-19 10:00")
    supervision = SupervisionNotice.objects.get(cases=case, level="supervision")
    run("2025-11-21 09:00")
    run("2025-11-21 10:00")
    assert list(
        NoticeWarning.objects.filter(notice=supervision).values_list("kind", flat=True)
    ) == ["due_soon"]
    assert case.events.filter(action="notice_due_soon").count() == 1


def test_a_case_overdue_before_it_had_a_department_is_urged_once_assigned(cast):
    with time_machine.travel(at("2025-11-11 10:00"), tick=False):
        case = drive_to(cast, State.ACCEPTED)  # the result clock runs from acceptance
    assert run("2025-11-17 10:00").issued == 0  # overdue, but nobody to urge yet
    assert levels(case) == []
    assert PolicyHit.objects.filter(clock__case=case, is_waiting=True).count() == 1
    with time_machine.travel(at("2025-11-17 11:00"), tick=False):
        perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    assert run("2025-11-17 11:01").issued == 1
    assert levels(case) == ["reminder"]
    assert SupervisionNotice.objects.get(cases=case).department == cast.housing
    assert run("2025-11-17 11:02").issued == 0


def test_each_run_reads_only_the_clocks_due_since_the_last(cast):
    """The mark: a policy that has read the overdue clocks reads them again only when an
    administrator edits it."""
    _case, clock = started(cast, "2025-11-11 10:00")
    run("2025-11-17 10:00")
    policy = NoticePolicy.objects.get(trigger="case_step", overdue_days=1)
    assert policy.checked_through is not None
    # A clock whose notice was lost (here: deleted behind the watch's back) lies before
    # the mark, so the next run does not read it ...
    hit = PolicyHit.objects.get(policy=policy, clock=clock)
    hit.delete()
    run("2025-11-17 10:05")
    assert not PolicyHit.objects.filter(policy=policy, clock=clock).exists()
    # ... until the policy is edited in the admin, which clears the mark.
    form = NoticePolicyForm(
        data={
            **{f: getattr(policy, f) for f in NoticePolicyForm.Meta.fields},
            "name": "结果超期1个工作日催办",
        },
        instance=policy,
    )
    assert form.is_valid(), form.errors
    form.save()
    run("2025-11-17 10:10")
    assert PolicyHit.objects.filter(policy=policy, clock=clock).exists()
