"""The supervision pages: a supervisor issues a notice from a case or a selection, the
department acknowledges and answers it (with a file), the supervisor closes it; the wrong
people are refused; return visits are called back from their queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minsheng.cases.models import Complainant, State
from minsheng.cases.services import PersonInput
from minsheng.cases.tests.factories import RESULT, drive_to, office_using
from minsheng.cases.workflow import perform
from minsheng.supervision.models import NoticeState, ReturnVisit, SupervisionNotice
from minsheng.supervision.services import return_visits_open

pytestmark = pytest.mark.django_db
ISSUE = "/work/supervision/notices/new/"


def test_a_notice_goes_from_the_supervisor_to_the_department_and_back(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.supervisor)
    page = client.get(f"/work/cases/{case.number}/")
    assert f"{ISSUE}?numbers={case.number}" in page.text
    form = client.get(ISSUE, {"numbers": case.number})
    assert case.number in form.text

    issued = client.post(
        ISSUE,
        {
            "cases": case.number,
            "level": "supervision",
            "reason": "群众多次来电反映",
            "demand": "两个工作日内书面说明进展",
            "due_days": 2,
        },
    )
    notice = SupervisionNotice.objects.get()
    assert issued["Location"] == f"/work/supervision/notices/{notice.pk}/"
    assert notice.department == cast.housing, "the cases' lead department by default"
    assert notice.issued_by == cast.supervisor

    client.force_login(cast.head)
    tabs = {q.key: n for q, n in client.get("/work/").context["notice_tabs"]}
    assert tabs == {"notices_to_acknowledge": 1, "notices_to_answer": 0}
    detail = f"/work/supervision/notices/{notice.pk}/"
    assert client.get(detail).status_code == 200
    client.post(f"{detail}actions/acknowledge/", {"note": ""})
    empty = client.post(f"{detail}actions/answer/", {"note": ""})
    assert empty.status_code == 400
    assert "note" in empty.context["form"].errors
    report = SimpleUploadedFile("说明.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(f"{detail}actions/answer/", {"note": "已约谈施工单位", "evidence": [report]})
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED
    file_url = f"{detail}files/{notice.files.get().pk}/"
    assert client.get(file_url).status_code == 200
    assert client.post(f"{detail}actions/close/").status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.ANSWERED, "the department cannot close its own notice"

    client.force_login(cast.supervisor)
    client.post(f"{detail}actions/close/", {"note": "说明充分"})
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED
    timeline = client.get(f"/work/cases/{case.number}/").text
    assert notice.number in timeline


def test_the_wrong_people_are_refused(client, cast):
    case = drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.supervisor)
    client.post(
        ISSUE,
        {"cases": case.number, "level": "reminder", "reason": "r", "demand": "d", "due_days": 1},
    )
    notice = SupervisionNotice.objects.get()
    detail = f"/work/supervision/notices/{notice.pk}/"

    client.force_login(cast.handler)
    assert client.get(ISSUE).status_code == 403
    client.force_login(cast.handler2)  # another department: not theirs to see
    assert client.get(detail).status_code == 404
    assert client.get(f"/work/supervision/notices/{notice.pk + 1}/").status_code == 404
    client.force_login(cast.auditor)  # reads, does nothing
    assert client.get(detail).status_code == 200
    client.post(f"{detail}actions/acknowledge/")
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED
    client.logout()
    assert client.get(detail)["Location"].startswith("/work/login/")


def test_a_selection_from_the_case_list_starts_a_notice(client, cast):
    first, second = drive_to(cast, State.IN_PROGRESS), drive_to(cast, State.IN_PROGRESS)
    client.force_login(cast.supervisor)
    listing = client.get("/work/cases/")
    assert 'name="select_for_notice"' in listing.text
    started = client.post(
        ISSUE, {"select_for_notice": "1", "numbers": [first.number, second.number]}, follow=True
    )
    assert started.redirect_chain[0][0] == f"{ISSUE}?numbers={first.number}&numbers={second.number}"
    assert not started.context["form"].is_bound
    assert started.context["form"].initial["cases"] == f"{first.number}\n{second.number}"
    client.force_login(cast.dispatcher)
    assert 'name="select_for_notice"' not in client.get("/work/cases/").text


def test_return_visits_are_called_back_until_reached_or_given_up(client, cast):
    by_phone = [PersonInput(name="王芳", phone="13900001111", contact_by=Complainant.Contact.PHONE)]
    answered = []
    for _ in range(2):
        case = cast.submit(people=by_phone).case
        for action, actor, inputs in [
            ("accept", cast.intake, {}),
            ("assign", cast.dispatcher, {"department": cast.housing}),
            ("sign", cast.handler, {}),
            ("plan", cast.handler, {"note": "核查"}),
            ("submit_result", cast.handler, RESULT),
            ("approve", cast.head, {}),
        ]:
            perform(case=case, action=action, actor=actor, **inputs)
        answered.append(case)
    assert return_visits_open(now=timezone.now()) == 2
    assert return_visits_open(now=timezone.now()) == 0
    reached, unreachable = (ReturnVisit.objects.get(case=c) for c in answered)

    client.force_login(cast.handler)
    assert client.get("/work/supervision/visits/").status_code == 403
    client.force_login(cast.intake)
    queue = client.get("/work/supervision/visits/")
    assert answered[0].number in queue.text
    call = f"/work/supervision/visits/{reached.pk}/"
    assert "13900001111" in client.get(call).text
    missing = client.post(call, {"outcome": "reached"})
    assert set(missing.context["form"].errors) == {"rating", "is_explained", "is_timely"}
    client.post(
        call, {"outcome": "reached", "rating": "poor", "is_explained": "true", "is_timely": "false"}
    )
    reached.refresh_from_db()
    answered[0].refresh_from_db()
    assert reached.status == ReturnVisit.Status.REACHED
    assert answered[0].rating == "poor"
    assert reached.is_timely is False
    assert f"/work/cases/{answered[0].number}/actions/appeal/" in client.get(call).text

    for _ in range(3):
        client.post(f"/work/supervision/visits/{unreachable.pk}/", {"outcome": "unreachable"})
    unreachable.refresh_from_db()
    assert unreachable.status == ReturnVisit.Status.UNREACHABLE
    assert unreachable.attempts == 3
    assert answered[1].events.filter(action="return_visit").count() == 3


def test_no_return_visit_where_the_office_does_not_use_it(cast):
    by_phone = [PersonInput(name="王芳", phone="13900001111", contact_by=Complainant.Contact.PHONE)]
    case = cast.submit(people=by_phone).case
    for action, actor, inputs in [
        ("accept", cast.intake, {}),
        ("assign", cast.dispatcher, {"department": cast.housing}),
        ("sign", cast.handler, {}),
        ("plan", cast.handler, {"note": "核查"}),
        ("submit_result", cast.handler, RESULT),
        ("approve", cast.head, {}),
    ]:
        perform(case=case, action=action, actor=actor, **inputs)

    with office_using(uses_return_visit=False):
        assert return_visits_open(now=timezone.now()) == 0
    assert return_visits_open(now=timezone.now()) == 1
