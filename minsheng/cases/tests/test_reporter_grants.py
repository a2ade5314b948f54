"""The reporter (举报人) of a report is hidden from the handling department too, until a
supervisor grants it with a reason."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from minsheng.cases.access import complainant_for
from minsheng.cases.grants import reporter_grant_create, reporter_grant_revoke
from minsheng.cases.models import PersonalDataAccess, ReporterGrant, State
from minsheng.cases.tests.factories import drive_to
from minsheng.deadlines.models import Kind


def test_handling_department_sees_a_reporter_only_while_a_supervisor_grants_it(cast):
    report = drive_to(cast, State.IN_PROGRESS, kind=Kind.REPORT)
    assert complainant_for(cast.handler, report, purpose="case page")[0].is_masked
    assert not complainant_for(cast.supervisor, report, purpose="case page")[0].is_masked
    complaint = drive_to(cast, State.IN_PROGRESS)
    assert not complainant_for(cast.handler, complaint, purpose="case page")[0].is_masked

    with pytest.raises(PermissionDenied):
        reporter_grant_create(case=report, actor=cast.head, department=cast.housing, reason="核实")
    with pytest.raises(ValidationError) as no_reason:
        reporter_grant_create(
            case=report, actor=cast.supervisor, department=cast.housing, reason=""
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as not_a_report:
        reporter_grant_create(
            case=complaint, actor=cast.supervisor, department=cast.housing, reason="核实"
        )
    assert "case" in not_a_report.value.message_dict

    grant = reporter_grant_create(
        case=report, actor=cast.supervisor, department=cast.housing, reason="需当面核实举报内容"
    )
    seen = complainant_for(cast.head, report, purpose="case page")
    assert seen[0].name == "张伟"
    assert PersonalDataAccess.objects.filter(case=report, user=cast.head).count() == 1
    assert PersonalDataAccess.objects.filter(
        case=report, user=cast.supervisor, purpose__startswith="reporter grant"
    ).exists()
    # The co-handling department got no grant.
    assert complainant_for(cast.handler2, report, purpose="case page")[0].is_masked

    reporter_grant_revoke(grant=grant, actor=cast.supervisor)
    assert complainant_for(cast.head, report, purpose="case page")[0].is_masked
    assert PersonalDataAccess.objects.filter(
        case=report, user=cast.supervisor, purpose__startswith="reporter grant revoked"
    ).exists()
    with pytest.raises(ValidationError):
        reporter_grant_revoke(grant=grant, actor=cast.supervisor)


def test_a_grant_to_one_user_ends_at_its_expiry(cast):
    report = drive_to(cast, State.IN_PROGRESS, kind=Kind.REPORT)
    reporter_grant_create(
        case=report,
        actor=cast.supervisor,
        user=cast.handler,
        reason="需回访举报人",
        expires_at=timezone.now() + timedelta(days=2),
    )
    assert not complainant_for(cast.handler, report, purpose="case page")[0].is_masked
    assert complainant_for(cast.head, report, purpose="case page")[0].is_masked
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert complainant_for(cast.handler, report, purpose="case page")[0].is_masked


def test_the_unit_reported_on_can_never_be_granted(cast):
    registered = cast.submit(kind=Kind.REPORT, respondent_department=cast.environment)
    with pytest.raises(ValidationError) as refused:
        reporter_grant_create(
            case=registered.case, actor=cast.supervisor, department=cast.environment, reason="x"
        )
    assert "department" in refused.value.message_dict


def test_a_case_that_is_not_a_report_has_no_reporter_to_grant(client, cast):
    complaint = cast.submit().case
    client.force_login(cast.supervisor)
    page = reverse("workbench:reporter-grants", args=[complaint.number])
    assert client.get(page).status_code == 404
    api = APIClient()
    api.force_authenticate(cast.supervisor)
    url = reverse("api-v1:reporter-grants", args=[complaint.number])
    answer = api.post(url, {"department": "housing", "reason": "核查"}, format="json")
    assert answer.status_code == 404
    assert not ReporterGrant.objects.exists()
