"""The action forms and the case filters that the pages and the API share."""

import time_machine

from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.forms import action_form_class, action_inputs
from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform


def test_assign_form_takes_department_codes_and_feeds_perform(cast):
    case = drive_to(cast, State.ACCEPTED)
    form = action_form_class("assign")(
        {"department": "housing", "co_departments": ["environment"], "note": ""}
    )
    assert form.is_valid(), form.errors
    perform(case=case, action="assign", actor=cast.dispatcher, **action_inputs(form))
    assert case.department == cast.housing
    assert list(case.co_departments.all()) == [cast.environment]

    bad = action_form_class("assign")({"department": "nowhere"})
    assert not bad.is_valid()
    assert "department" in bad.errors


def test_merge_form_finds_the_case_by_number_and_names_a_wrong_one(cast):
    target = cast.submit().case
    form = action_form_class("merge")({"into": target.number.lower()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["into"] == target
    wrong = action_form_class("merge")({"into": "MS-20000101-000001"})
    assert not wrong.is_valid()
    assert "into" in wrong.errors


def test_result_form_requires_every_part(cast):
    form = action_form_class("submit_result")({"facts": "事实"})
    assert not form.is_valid()
    assert {"basis", "measures", "outcome", "remedy", "remedy_days"} <= set(form.errors)


def test_case_filters_by_state_keyword_department_and_overdue(cast):
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        old = drive_to(cast, State.ASSIGNED)
        ended = drive_to(cast, State.REJECTED)  # no due time: not overdue
    with time_machine.travel("2026-11-20 09:00 +08:00", tick=False):
        fresh = cast.submit(subject="公交线路调整咨询").case
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        queryset = Case.objects.all()

        def numbers(params):
            return {c.number for c in CaseFilterSet(params, queryset).qs}

        assert numbers({"state": ["assigned"]}) == {old.number}
        assert numbers({"q": "公交"}) == {fresh.number}
        assert numbers({"department": "housing"}) == {old.number}
        assert numbers({"overdue": "true"}) == {old.number}
        assert numbers({"overdue": "false"}) == {fresh.number, ended.number}
        assert numbers({"submitted_from": "2026-11-01"}) == {fresh.number}
        # As the list pages through them: soonest due first, no due time last.
        sections = CaseFilterSet({"ordering": "due"}, queryset).sections()
        assert [c for section in sections for c in section.ordered()] == [old, fresh, ended]
