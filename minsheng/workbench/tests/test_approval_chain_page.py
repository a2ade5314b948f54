"""The case page says at which of the office's sign-offs a result waits, and the buttons
are those of the role that level names."""

from django.test import Client

from minsheng.cases.models import RejectionReason
from minsheng.cases.office import office_changed
from minsheng.cases.tests.factories import PASSWORD, RESULT
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import ApprovalLevel, CaseClass


def _page(user, case) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.login(username=user.username, password=PASSWORD)
    return client.get(f"/work/cases/{case.number}/").content.decode()


def test_three_sign_offs_shown_level_by_level(cast):
    hospital = CaseClass.objects.create(code="complex", label="复杂投诉", handling="complex")
    for level, label, role in [
        (1, "科室主任", "head"),
        (2, "医务科", "leader"),
        (3, "院长", "leader"),
    ]:
        ApprovalLevel.objects.create(case_class=hospital, level=level, label=label, role=role)
    office_changed()
    case = cast.submit().case
    perform(case=case, action="accept", actor=cast.intake, case_class=hospital)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    perform(case=case, action="sign", actor=cast.handler)
    perform(case=case, action="plan", actor=cast.handler, note="调阅病历")
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)

    first = _page(cast.head, case)
    perform(case=case, action="approve", actor=cast.head)
    second = _page(cast.leader, case)
    perform(case=case, action="leader_approve", actor=cast.leader)
    third = _page(cast.leader, case)

    assert "sign-off 1 of 3: 科室主任" in first
    assert "sign-off 2 of 3: 医务科" in second
    assert "sign-off 3 of 3: 院长" in third
    assert "/actions/leader_approve/" in third
    case.refresh_from_db()
    assert case.state == "pending_leader_approval"
    perform(case=case, action="leader_approve", actor=cast.leader)
    case.refresh_from_db()
    assert case.state == "replied"
    assert "sign-off" not in _page(cast.leader, case)


def _form_fields(user, case, action) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.login(username=user.username, password=PASSWORD)
    return list(client.get(f"/work/cases/{case.number}/actions/{action}/").context["form"].fields)


def test_action_forms_offer_what_the_office_configured(cast):
    case = cast.submit().case

    default_accept = _form_fields(cast.intake, case, "accept")
    default_reject = _form_fields(cast.intake, case, "reject")
    CaseClass.objects.create(code="a", label="A类", handling="urgent")
    RejectionReason.objects.create(code="late", label="超过时效", legal_text="第二十条")
    office_changed()
    accept = _form_fields(cast.intake, case, "accept")
    reject = _form_fields(cast.intake, case, "reject")

    assert default_accept == ["kind", "severity", "category", "note"]
    assert default_reject == ["note"]
    assert accept == ["kind", "case_class", "category", "note"]
    assert reject == ["reason", "note"]
