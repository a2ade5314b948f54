"""Archive and retention: closed cases are archived by the watch after the policy's days
(as the system, through the lifecycle), an archived case is read-only but for the auditor's
notes, and complainants' personal data is anonymised after the policy's years with every
dashboard figure unchanged."""

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from minsheng.cases.models import Complainant, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import allowed_actions
from minsheng.reports.filters import Period, StatsQuery
from minsheng.reports.selectors import dashboard_for
from minsheng.reports.services import facts_refresh
from minsheng.supervision.models import RetentionPolicy
from minsheng.supervision.services import watch_run

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_closed_cases_are_archived_by_the_system_and_become_read_only(cast):
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        closed = drive_to(cast, State.CLOSED)
        rejected = drive_to(cast, State.REJECTED)
    with time_machine.travel(at("2025-03-20 10:00"), tick=False):
        assert watch_run(now=timezone.now()).archived == 0, "not 30 days yet"
    with time_machine.travel(at("2025-04-03 10:00"), tick=False):
        assert watch_run(now=timezone.now()).archived == 2
        assert watch_run(now=timezone.now()).archived == 0
    closed.refresh_from_db()
    rejected.refresh_from_db()
    assert closed.state == rejected.state == State.ARCHIVED
    line = closed.events.get(action="archive")
    assert line.actor is None
    assert line.actor_role == "system"
    for who in (cast.supervisor, cast.intake, cast.head, cast.leader):
        assert allowed_actions(closed, who) == [], who
    assert allowed_actions(closed, cast.auditor) == ["audit_note"]


def test_anonymising_old_complainants_keeps_every_figure(cast):
    with time_machine.travel(at("2019-11-04 10:00"), tick=False):
        old = drive_to(cast, State.CLOSED)
        drive_to(cast, State.IN_PROGRESS)
        drive_to(cast, State.REJECTED)
    november = StatsQuery(period=Period(start=date(2019, 11, 1), end=date(2019, 11, 30)))
    with time_machine.travel(at("2019-12-20 10:00"), tick=False):
        watch_run(now=timezone.now())
    old.refresh_from_db()
    assert old.state == State.ARCHIVED
    assert Complainant.objects.get(case=old).anonymised_at is None, "not 5 years yet"

    RetentionPolicy.objects.filter(pk=1).update(anonymise_after_years=50)
    with time_machine.travel(at("2024-12-20 10:00"), tick=False):
        assert watch_run(now=timezone.now()).anonymised == 0
        facts_refresh()
        before = dashboard_for(query=november)
        RetentionPolicy.objects.filter(pk=1).update(anonymise_after_years=5)
        result = watch_run(now=timezone.now())
        facts_refresh()
        after = dashboard_for(query=november)
    assert result.anonymised == 2  # the closed and the rejected case's complainants
    person = Complainant.objects.get(case=old)
    assert (person.name, person.phone, person.email, person.phone_hash) == (
        "（已匿名）",
        "",
        "",
        "",
    )
    assert replace(after, generated_at=before.generated_at) == before
