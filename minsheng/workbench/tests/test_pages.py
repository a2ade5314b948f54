"""The staff pages as the people in each role use them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.accounts.models import User
from minsheng.cases.models import Case, PersonalDataAccess, State
from minsheng.cases.services import attachment_add
from minsheng.cases.tests.factories import PASSWORD, drive_to
from minsheng.cases.workflow import perform

REGISTRATION = {
    "channel": "phone",
    "kind": "complaint",
    "subject": "小区垃圾清运不及时",
    "body": "垃圾桶已经三天没有清运。",
    "identity": "named",
    "name": "李娜",
    "phone": "13900001111",
    "contact_by": "sms",
    "consent": "on",
}


def test_login_page_logs_staff_in_and_refuses_the_rest(client, cast):
    assert client.get("/work/").status_code == 302
    assert client.get("/work/")["Location"].startswith("/work/login/")
    bad = client.post("/work/login/", {"username": "intake", "password": "wrong"})
    assert bad.status_code == 200
    assert bad.context["form"].non_field_errors()
    good = client.post("/work/login/", {"username": "intake", "password": PASSWORD})
    assert good["Location"] == "/work/"
    assert client.get("/work/").status_code == 200
    assert client.post("/work/logout/").status_code == 302
    assert client.get("/work/").status_code == 302

    nobody = User.objects.create_user(username="visitor", password=PASSWORD)
    client.force_login(nobody)
    assert client.get("/work/").status_code == 403
    assert client.get("/work/cases/").status_code == 403


def test_my_work_shows_each_role_its_queues_with_counts(client, cast):
    cast.submit()
    drive_to(cast, State.ACCEPTED)
    drive_to(cast, State.ASSIGNED)
    client.force_login(cast.intake)
    page = client.get("/work/")
    counts = {queue.key: count for queue, count in page.context["queues"]}
    assert counts["review"] == 1
    assert "sign" not in counts
    assert page.context["current"].key == "review"
    assert len(page.context["page"].object_list) == 1

    client.force_login(cast.handler)
    counts = {q.key: n for q, n in client.get("/work/").context["queues"]}
    assert counts["sign"] == 1
    assert "review" not in counts
    assert "dispatch" not in counts
    client.force_login(cast.dispatcher)
    page = client.get("/work/?tab=dispatch")
    assert [c.state for c in page.context["page"].object_list] == [State.ACCEPTED]


def test_case_list_filters_paginates_and_keeps_its_queries_bounded(
    client, cast, django_assert_max_num_queries
):
    for index in range(30):
        cast.submit(subject=f"路灯不亮 {index}")
    assigned = drive_to(cast, State.ASSIGNED)
    client.force_login(cast.dispatcher)
    with django_assert_max_num_queries(12):
        page = client.get("/work/cases/?ordering=due")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 31
    assert len(page.context["page"].object_list) == 25
    assert page.context["bulk_form"] is not None
    second = client.get("/work/cases/?ordering=due&page=2")
    assert len(second.context["page"].object_list) == 6
    only = client.get("/work/cases/", {"state": "assigned"})
    assert [c.number for c in only.context["page"].object_list] == [assigned.number]

    client.force_login(cast.handler2)  # co-handles `assigned`, sees nothing else
    page = client.get("/work/cases/")
    assert [c.number for c in page.context["page"].object_list] == [assigned.number]
    assert page.context["bulk_form"] is None


def test_case_page_masks_complainants_for_the_unit_complained_about(client, cast):
    case = cast.submit(respondent_department=cast.housing).case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    client.force_login(cast.intake)
    page = client.get(f"/work/cases/{case.number}/")
    assert "13812345678" in page.text
    assert PersonalDataAccess.objects.filter(user=cast.intake, case=case).exists()
    client.force_login(cast.handler)  # works for the department complained about
    page = client.get(f"/work/cases/{case.number}/")
    assert page.status_code == 200
    assert "13812345678" not in page.text
    assert "138****5678" in page.text
    client.force_login(cast.handler2)  # another department: no such case
    assert client.get(f"/work/cases/{case.number}/").status_code == 404
    assert client.get("/work/cases/MS-20000101-000001/").status_code == 404


def test_buttons_come_from_allowed_actions_and_an_action_updates_the_page(client, cast):
    case = cast.submit().case
    client.force_login(cast.intake)
    page = client.get(f"/work/cases/{case.number}/")
    assert "accept" in page.context["actions"]
    assert "assign" not in page.context["actions"]

    form = client.get(f"/work/cases/{case.number}/actions/reject/", HTTP_HX_REQUEST="true")
    assert 'id="action-reject"' in form.text
    assert "<html" not in form.text  # a fragment for htmx
    invalid = client.post(
        f"/work/cases/{case.number}/actions/reject/", {"note": ""}, HTTP_HX_REQUEST="true"
    )
    assert invalid["HX-Retarget"] == "#action-form"
    assert "note" in invalid.context["form"].errors

    panel = client.post(
        f"/work/cases/{case.number}/actions/accept/", {"note": "受理"}, HTTP_HX_REQUEST="true"
    )
    assert panel.status_code == 200
    assert 'id="case-panel"' in panel.text
    assert "<html" not in panel.text
    case.refresh_from_db()
    assert case.state == State.ACCEPTED

    client.force_login(cast.dispatcher)
    plain = client.post(f"/work/cases/{case.number}/actions/assign/", {"department": "housing"})
    assert plain["Location"] == f"/work/cases/{case.number}/"
    case.refresh_from_db()
    assert case.state == State.ASSIGNED


def test_wrong_role_is_refused_an_action(client, cast):
    case = cast.submit().case
    client.force_login(cast.supervisor)
    page = client.get(f"/work/cases/{case.number}/actions/accept/")
    assert page.context["refused"]
    response = client.post(f"/work/cases/{case.number}/actions/accept/", {})
    assert response.status_code == 403  # refused as such, before the form is read
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert client.get(f"/work/cases/{case.number}/actions/not_an_action/").status_code == 404


def test_intake_registers_a_letter_with_its_scan(client, cast):
    client.force_login(cast.intake)
    data = {**REGISTRATION, "channel": "letter"}
    missing = client.post("/work/register/", data)
    assert "evidence" in missing.context["form"].errors
    assert "小区垃圾清运不及时" in missing.text
    scan = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    done = client.post("/work/register/", {**data, "evidence": [scan]})
    case = Case.objects.get()
    assert done["Location"] == f"/work/cases/{case.number}/"
    assert case.channel == "letter"
    page = client.get(done["Location"])
    assert page.context["registered"]["number"] == case.number
    assert client.get(done["Location"]).context["registered"] is None  # shown once
    file = case.attachments.get()
    assert client.get(f"/work/cases/{case.number}/files/{file.pk}/").status_code == 200

    client.force_login(cast.handler)
    assert client.get("/work/register/").status_code == 403


def test_registration_flags_an_emergency_as_urgent(client, cast):
    client.force_login(cast.intake)
    data = {**REGISTRATION, "body": "路口发生车祸，有人受伤"}
    first = client.post("/work/register/", data)
    assert 'href="tel:120"' in first.text
    client.post("/work/register/", {**data, "emergency_seen": "1"})
    assert Case.objects.get().severity == "urgent"


def test_dispatcher_assigns_in_bulk_and_sees_each_failure(client, cast):
    first = drive_to(cast, State.ACCEPTED)
    second = drive_to(cast, State.ACCEPTED)
    fresh = cast.submit().case
    client.force_login(cast.dispatcher)
    response = client.post(
        "/work/cases/assign/",
        {
            "numbers": [first.number, second.number, fresh.number, "MS-20000101-000001"],
            "bulk-department": "environment",
            "next": "/work/cases/?state=accepted",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/work/cases/?state=accepted"
    text = [str(m) for m in response.context["messages"]]
    assert any(first.number in t and second.number in t for t in text)
    assert any(t.startswith(fresh.number) for t in text)
    assert any("MS-20000101-000001" in t for t in text)
    assert {c.state for c in Case.objects.filter(pk__in=[first.pk, second.pk])} == {State.ASSIGNED}

    client.force_login(cast.handler)
    third = drive_to(cast, State.ACCEPTED)
    client.post("/work/cases/assign/", {"numbers": [third.number], "bulk-department": "housing"})
    third.refresh_from_db()
    assert third.state == State.ACCEPTED


def test_script_typed_by_a_citizen_is_inert_on_the_case_page(client, cast):
    case = cast.submit(subject="<script>alert(1)</script>", body="<b onclick=x>hi</b>").case
    client.force_login(cast.intake)
    page = client.get(f"/work/cases/{case.number}/")
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text
    assert "<b onclick" not in page.text
    listing = client.get("/work/cases/")
    assert "<script>alert(1)" not in listing.text


def test_my_work_keeps_its_queries_bounded(client, cast, django_assert_max_num_queries):
    for _ in range(5):
        drive_to(cast, State.ACCEPTED)
    client.force_login(cast.supervisor)
    with django_assert_max_num_queries(10):
        page = client.get("/work/?tab=overdue")
    assert page.status_code == 200


def test_files_of_a_case_are_only_for_those_who_may_see_it(client, cast):
    case = drive_to(cast, State.ASSIGNED)
    case.co_departments.clear()
    upload = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4", content_type="application/pdf")
    file = attachment_add(case=case, upload=upload)
    client.force_login(cast.handler)
    response = client.get(f"/work/cases/{case.number}/files/{file.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(cast.handler2)
    assert client.get(f"/work/cases/{case.number}/files/{file.pk}/").status_code == 404


def test_my_work_counts_a_long_queue_as_99_plus_and_says_what_that_means(client, cast):
    from minsheng.cases.services import PersonInput, Submission
    from minsheng.intake.services import drafts_register, submission_draft

    person = PersonInput(name="市民", phone="13900001111")
    drafts = [
        submission_draft(
            submission=Submission(
                kind="complaint", subject=f"路灯不亮 {n}", body="路灯坏了。", people=[person]
            )
        )
        for n in range(100)
    ]
    drafts_register(drafts=drafts, actor=None)
    client.force_login(cast.intake)
    page = client.get("/work/?tab=review", HTTP_ACCEPT_LANGUAGE="en")
    counts = {queue.key: count for queue, count in page.context["queues"]}
    assert counts["review"] == 100  # counted to one past the cap: "more than 99"
    assert 'title="More than 99 cases">99+</span>' in page.text
    assert "“99+” means more than 99 cases" in page.text
    assert "99+ cases" in page.text  # the list's caption
    assert len(page.context["page"].object_list) == 25
    assert page.context["page"].has_next()
    chinese = client.get("/work/?tab=review", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "超过 99 件" in chinese
    assert "99 件以上" in chinese

    client.force_login(cast.dispatcher)  # nothing waits for dispatch: an exact 0, no hint
    page = client.get("/work/?tab=dispatch", HTTP_ACCEPT_LANGUAGE="en")
    assert {queue.key: count for queue, count in page.context["queues"]}["dispatch"] == 0
    assert "queue-count-capped" not in page.text


def test_my_work_counts_a_handler_s_co_handled_cases_once_each(client, cast):
    """A tab counts the handler's department's cases, then those it co-handles that another
    department leads (`cases_visible_parts`): a case it both leads and co-handles once."""
    own = drive_to(cast, State.ASSIGNED)
    other = drive_to(cast, State.ASSIGNED)
    Case.objects.filter(pk=own.pk).update(department=cast.housing)
    Case.objects.filter(pk=other.pk).update(department=cast.environment)
    for case in (own, other):
        case.co_departments.set([cast.housing])
    client.force_login(cast.handler)
    page = client.get("/work/?tab=sign")
    counts = {queue.key: count for queue, count in page.context["queues"]}
    assert counts["sign"] == 2
    assert page.context["page"].paginator.shown_total == 2
    shown = {c.number for c in page.context["page"].object_list}
    assert shown == {own.number, other.number}
