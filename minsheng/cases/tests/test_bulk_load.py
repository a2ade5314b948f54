"""The bulk registration path (`intake.services.drafts_register`, `cases.services.
cases_write_many`): a large load keeps every rule one registration keeps.

Enough cases to pass `lib.bulk.COPY_FROM`, so that on PostgreSQL the rows go by COPY.
"""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from minsheng.audit.selectors import chain_check
from minsheng.cases import search
from minsheng.cases.management.commands.load_cases import in_memory_database
from minsheng.cases.models import Case, CaseClock, CaseEvent, Complainant, State
from minsheng.cases.services import PersonInput, Submission, phone_hash
from minsheng.deadlines.calendar import LOCAL_TZ
from minsheng.deadlines.models import Step
from minsheng.intake.services import drafts_register, submission_draft, submission_register
from minsheng.lib.bulk import COPY_FROM

pytestmark = pytest.mark.django_db

LOAD = COPY_FROM + 20
PHONE = "13900001111"


def _submission(n: int) -> Submission:
    return Submission(
        kind="complaint",
        subject=f"工地夜间施工噪音扰民 第{n}号",
        body="小区旁边的工地每天晚上十一点以后还在施工。",
        people=[PersonInput(name=f"市民{n}", phone=PHONE)],
    )


def test_a_bulk_load_numbers_indexes_audits_and_starts_clocks_like_one_registration():
    day_one = datetime(2025, 3, 3, 9, 0, tzinfo=LOCAL_TZ)
    with time_machine.travel(day_one, tick=False):
        one = submission_register(submission=_submission(0), actor=None).case
    drafts = [
        submission_draft(submission=_submission(n), registered_at=day_one + timedelta(days=n % 2))
        for n in range(1, LOAD + 1)
    ]
    loaded = [registered.case for registered in drafts_register(drafts=drafts, actor=None)]

    # Numbers: per registration day, after the one registered that day, none repeated;
    # the next registration of the day goes on from the load.
    assert one.number == "MS-20250303-000001"
    numbers = sorted(case.number for case in loaded)
    assert len(set(numbers)) == LOAD
    first_day = [n for n in numbers if n.startswith("MS-20250303-")]
    assert first_day == [f"MS-20250303-{k:06d}" for k in range(2, len(first_day) + 2)]
    second_day = [n for n in numbers if n.startswith("MS-20250304-")]
    assert second_day == [f"MS-20250304-{k:06d}" for k in range(1, len(second_day) + 1)]
    with time_machine.travel(day_one, tick=False):
        after = submission_register(submission=_submission(LOAD + 1), actor=None).case
    assert after.number == f"MS-20250303-{len(first_day) + 2:06d}"

    stored = Case.objects.filter(pk__in=[case.pk for case in loaded])
    assert stored.count() == LOAD
    assert set(stored.values_list("state", flat=True)) == {State.SUBMITTED}

    # Every case has its register event, its review clock due as the policy says, and its
    # next due step on the row, as a case registered on its own has.
    assert CaseEvent.objects.filter(case__in=stored, action="register").count() == LOAD
    same_day = next(case for case in loaded if case.created_at == day_one)
    clock = CaseClock.objects.get(case=same_day)
    single = CaseClock.objects.get(case=one)
    assert clock.step == single.step == Step.REVIEW
    assert (clock.started_at, clock.due_at) == (single.started_at, single.due_at)
    assert stored.filter(next_due_step=Step.REVIEW, next_due_at__isnull=False).count() == LOAD

    # Complainants: found by their keyed hash, the phone encrypted in the row.
    assert Complainant.objects.filter(phone_hash=phone_hash(PHONE)).count() == LOAD + 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {Complainant._meta.db_table}")  # noqa: S608
        assert all(PHONE not in str(raw) for (raw,) in cursor.fetchall())

    # Found by keyword at once, and the audit chain holds every event, unbroken.
    found = Case.objects.filter(search.keyword_q(search.Keyword.parse("噪音")))
    assert found.filter(pk__in=stored).count() == LOAD
    check = chain_check()
    assert check.first_break is None
    assert check.entries >= LOAD + 2


def test_a_bulk_load_refuses_a_bad_row_before_writing_anything():
    nobody_to_reach = Submission(
        kind="complaint", subject="路灯不亮", body="路灯坏了。", people=[PersonInput(name="张伟")]
    )
    with pytest.raises(ValidationError) as refused:
        submission_draft(submission=nobody_to_reach)
    assert "people[0].phone" in refused.value.message_dict
    assert not Case.objects.exists()


def test_load_cases_registers_synthetic_cases_in_batches():
    call_command("load_cases", 5, batch=2, days=30, stdout=io.StringIO())
    cases = Case.objects.all()
    assert cases.count() == 5
    assert CaseEvent.objects.filter(action="register").count() == 5
    assert Complainant.objects.filter(case__in=cases).count() == 5
    assert all(case.next_due_at is not None for case in cases)


@pytest.mark.django_db(transaction=True)
def test_a_load_in_parallel_numbers_each_day_without_gaps_and_keeps_the_audit_chain():
    if in_memory_database():
        pytest.skip("other processes cannot see an in-memory database")
    out = io.StringIO()
    call_command("load_cases", 40, batch=5, jobs=2, days=3, stdout=out)
    assert "2 jobs" in out.getvalue()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 40
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        prefix, _, sequence = number.rpartition("-")
        by_day.setdefault(prefix, []).append(int(sequence))
    assert all(sorted(seen) == list(range(1, len(seen) + 1)) for seen in by_day.values())
    assert CaseEvent.objects.filter(action="register").count() == 40
    assert CaseClock.objects.count() == Complainant.objects.count() == 40
    check = chain_check()
    assert check.first_break is None
    assert check.entries == 40


# Committed batch by batch, as the command runs for real (an index cannot be built in a
# transaction that still has foreign keys to check).
@pytest.mark.django_db(transaction=True)
def test_a_load_with_the_search_index_deferred_still_finds_every_case_by_keyword():
    def gin_indexes() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin%' "
                "ORDER BY indexname"
            )
            return [name for (name,) in cursor.fetchall()]

    before = gin_indexes() if connection.vendor == "postgresql" else []
    call_command("load_cases", LOAD, defer_search_index=True, jobs=1, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        assert before  # the keyword search's indexes, dropped for the load and built again
        assert gin_indexes() == before
    keyword = search.Keyword.parse("的")
    assert Case.objects.filter(search.keyword_q(keyword)).count() > 0
    assert Case.objects.count() == LOAD
