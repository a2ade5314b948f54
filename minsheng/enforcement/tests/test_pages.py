"""The enforcement pages as the housing department uses them: from the complaint's page to a
closed enforcement case, each step's form and due time, overdue steps in red on the list,
bad input named on the form, and other departments refused as if nothing existed."""

import re
from datetime import UTC, datetime

import time_machine

from minsheng.accounts.models import Department, Role
from minsheng.accounts.services import user_create
from minsheng.cases.models import State
from minsheng.cases.tests.factories import PASSWORD, drive_to
from minsheng.enforcement.models import EnforcementCase, EnforcementState, Stage


def _due_of(page: str, step: str) -> str:
    found = re.search(rf'id="step-{step}".*?data-due="([^"]+)"', page, re.S)
    assert found, f"no due time shown for {step}"
    return found.group(1)


def _take(client, enforcement, data):
    answer = client.post(f"/work/enforcement/{enforcement.pk}/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]


def test_housing_turns_a_complaint_into_an_enforcement_case_and_closes_it(
    client, cast, english, django_assert_max_num_queries
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(datetime(2026, 9, 21, 2, 0, tzinfo=UTC), tick=False):
        complaint = drive_to(cast, State.IN_PROGRESS)
        client.force_login(cast.handler)
        page = client.get(f"/work/cases/{complaint.number}/").content.decode()
        assert f'href="/work/enforcement/open/{complaint.number}/"' in page
        form = client.get(f"/work/enforcement/open/{complaint.number}/")
        assert form.status_code == 200
        # Bad input is named on the form, not a 500.
        blank = client.post(f"/work/enforcement/open/{complaint.number}/", {"respondent": ""})
        assert blank.status_code == 200
        assert "Fill in “Respondent”." in blank.content.decode()
        assert "Fill in “What was found”." in blank.content.decode()
        opened = client.post(
            f"/work/enforcement/open/{complaint.number}/",
            {"respondent": "某建筑工程有限公司", "findings": "外墙渗水，未按设计施工"},
        )
        enforcement = EnforcementCase.objects.get()
        assert opened["Location"] == f"/work/enforcement/{enforcement.pk}/"
        detail = client.get(opened["Location"]).content.decode()
        assert enforcement.number in detail
        assert "Only the department head takes this step." in detail  # the handler waits
        assert 'id="enforcement-step"' not in detail
        # Back on the complaint: the link to it, and its line on the timeline.
        page = client.get(f"/work/cases/{complaint.number}/").content.decode()
        assert f'href="/work/enforcement/{enforcement.pk}/"' in page
        assert "Enforcement case opened" in page
        client.force_login(cast.head)
        assert 'id="enforcement-step"' in client.get(opened["Location"]).content.decode()
        _take(client, enforcement, {"note": "同意立案"})
        client.force_login(cast.handler)
        # A step without its document is refused on the form.
        missing = client.post(f"/work/enforcement/{enforcement.pk}/", {"note": "已送达"})
        assert missing.status_code == 200
        assert "Fill in “Document number”." in missing.content.decode()
        _take(client, enforcement, {"document": "责改〔2026〕17号"})
        _take(client, enforcement, {"mode": "hearing", "note": "9月23日举行听证"})
        client.force_login(cast.head)
        _take(client, enforcement, {"document": "处〔2026〕9号", "note": "责令三日内整改"})
    with time_machine.travel(datetime(2026, 9, 28, 2, 0, tzinfo=UTC), tick=False):
        client.force_login(cast.handler)
        _take(client, enforcement, {"served_on": "2026-09-27", "receiver": "王经理"})
        detail = client.get(f"/work/enforcement/{enforcement.pk}/").content.decode()
        # Rectification: 3 natural days from service; re-inspection: 5 working days after
        # that deadline, National Day skipped and the make-up Saturday counted.
        assert _due_of(detail, "rectification") == "2026-09-30T23:59:59+08:00"
        assert _due_of(detail, "reinspection") == "2026-10-13T23:59:59+08:00"
        assert "2026-10-10 is a make-up working day" in detail
    with time_machine.travel(datetime(2026, 10, 14, 2, 0, tzinfo=UTC), tick=False):
        # The re-inspection is overdue: red on the list, with the complaint's number.
        client.force_login(cast.handler)  # a fortnight later: the session ran out
        with django_assert_max_num_queries(8):
            listed = client.get("/work/enforcement/").content.decode()
        row = re.search(rf"{enforcement.number}.*?</tr>", listed, re.S)
        assert row
        assert 'class="overdue"' in row.group(0)
        assert "Re-inspection" in row.group(0)
        assert complaint.number in row.group(0)
        _take(client, enforcement, {"result": "rectified", "note": "外墙已修复"})
        _take(client, enforcement, {"place": "市住建局网站"})
        client.force_login(cast.head)
        _take(client, enforcement, {"note": ""})
    enforcement.refresh_from_db()
    assert enforcement.state == EnforcementState.CLOSED
    client.force_login(cast.head)
    assert not client.get("/work/enforcement/").content.decode().count(enforcement.number)
    closed = client.get("/work/enforcement/?state=closed").content.decode()
    assert enforcement.number in closed


def test_other_departments_are_refused_as_if_nothing_existed(client, cast, complaint):
    enforcement = _opened(cast, complaint)
    transport = Department.objects.create(name="市交通运输局", code="transport")
    outsiders = [
        user_create(username=f"transport_{role}", password=PASSWORD, roles=[(role, transport)])
        for role in (Role.HANDLER, Role.HEAD)
    ]
    for outsider in outsiders:
        client.force_login(outsider)
        assert client.get(f"/work/enforcement/{enforcement.pk}/").status_code == 404
        assert client.post(f"/work/enforcement/{enforcement.pk}/", {"note": "x"}).status_code == 404
        assert client.get(f"/work/enforcement/{enforcement.pk + 1000}/").status_code == 404
        assert client.get(f"/work/enforcement/open/{complaint.number}/").status_code == 404
        assert enforcement.number not in client.get("/work/enforcement/").content.decode()
    # The co-handling department and the supervisor read it but take no step.
    for reader in (cast.handler2, cast.supervisor):
        client.force_login(reader)
        assert client.get(f"/work/enforcement/{enforcement.pk}/").status_code == 200
        assert client.post(f"/work/enforcement/{enforcement.pk}/", {"note": "x"}).status_code == 403
        assert client.get(f"/work/enforcement/open/{complaint.number}/").status_code == 403
    client.logout()
    assert client.get(f"/work/enforcement/{enforcement.pk}/").status_code == 302
    enforcement.refresh_from_db()
    assert enforcement.step == Stage.FILING_APPROVAL


def _opened(cast, complaint) -> EnforcementCase:
    from minsheng.enforcement.services import enforcement_open

    return enforcement_open(
        case=complaint, actor=cast.handler, respondent="某建筑工程有限公司", findings="外墙渗水"
    )
