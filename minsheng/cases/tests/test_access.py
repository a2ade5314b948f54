"""Who sees a case and who sees the people behind it."""

import pytest
from django.http import Http404

from minsheng.cases.access import (
    Citizen,
    access_case,
    access_case_public,
    cases_visible_to,
    complainant_for,
)
from minsheng.cases.models import PersonalDataAccess, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform


def test_departments_see_only_their_cases_and_missing_looks_like_forbidden(cast):
    case = drive_to(cast, State.ASSIGNED)
    case.co_departments.clear()
    assert access_case(cast.handler, case.number) == case
    assert access_case(cast.dispatcher, case.number) == case
    with pytest.raises(Http404) as forbidden:
        access_case(cast.handler2, case.number)
    with pytest.raises(Http404) as missing:
        access_case(cast.handler2, "MS-20000101-000001")
    assert str(forbidden.value) == str(missing.value)
    assert list(cases_visible_to(cast.handler2)) == []
    assert case in cases_visible_to(cast.auditor)


def test_query_code_opens_only_its_own_case(cast):
    registered = cast.submit()
    other = cast.submit().case
    case, citizen = access_case_public(registered.case.number, registered.query_code.lower())
    assert case == registered.case
    assert citizen == Citizen(case_id=case.pk)
    with pytest.raises(Http404):
        access_case_public(other.number, registered.query_code)
    with pytest.raises(Http404):
        access_case_public(registered.case.number, "WRONG123")
    assert registered.query_code not in registered.case.query_code_hash


def test_personal_data_is_for_those_who_need_it_and_every_look_is_logged(cast):
    case = drive_to(cast, State.IN_PROGRESS)  # housing leads, environment co-handles
    seen = complainant_for(cast.handler, case, purpose="case page")
    assert seen[0].name == "张伟"
    assert seen[0].phone == "13812345678"
    assert PersonalDataAccess.objects.filter(case=case, user=cast.handler).count() == 1

    for outsider in (cast.handler2, cast.admin, cast.auditor):
        masked = complainant_for(outsider, case, purpose="case page")
        assert masked[0].is_masked
        assert masked[0].phone == "138****5678"
        assert "张伟" not in masked[0].name
    assert not PersonalDataAccess.objects.filter(user=cast.auditor).exists()


def test_the_unit_complained_about_never_sees_who_complained(cast):
    registered = cast.submit(respondent_department=cast.housing)
    case = registered.case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    masked = complainant_for(cast.head, case, purpose="case page")
    assert masked[0].is_masked
    assert not complainant_for(cast.supervisor, case, purpose="case page")[0].is_masked
