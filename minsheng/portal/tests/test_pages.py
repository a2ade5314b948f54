"""The public pages as a member of the public uses them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.cases.access import Citizen, access_case_public
from minsheng.cases.models import Case, Rating, State
from minsheng.cases.services import attachment_add
from minsheng.cases.tests.factories import RESULT
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind, Severity
from minsheng.lib.tests.sample_files import jpeg_bytes, pdf

FORM = {
    "kind": "complaint",
    "subject": "工地夜间施工噪音扰民",
    "body": "小区旁边的工地每天晚上十一点以后还在施工。",
    "identity": "named",
    "name": "张伟",
    "phone": "13812345678",
    "contact_by": "sms",
    "consent": "on",
}


def photo(name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def track_in(client, number, code):
    return client.post("/track/", {"number": number, "code": code})


def test_citizen_submits_with_evidence_and_sees_the_receipt_once(client, db):
    assert client.get("/submit/").status_code == 200
    response = client.post("/submit/", {**FORM, "evidence": [photo(), pdf("scan.pdf")]})
    assert response.status_code == 302
    assert response["Location"] == "/receipt/"
    case = Case.objects.get()
    assert case.state == State.SUBMITTED
    assert case.severity == Severity.GENERAL
    assert sorted(a.original_name for a in case.attachments.all()) == ["photo.jpg", "scan.pdf"]

    receipt = client.get("/receipt/")
    assert case.number in receipt.text
    code = receipt.context["code"]
    access_case_public(case.number, code)  # the code shown is the case's code
    assert receipt["Cache-Control"].startswith("max-age=0")
    again = client.get("/receipt/")
    assert code not in again.text
    # The receipt remembered the case for this browser: the tracking page opens directly.
    assert client.get(f"/track/{case.number}/").status_code == 200


def test_errors_are_shown_beside_the_fields_and_keep_what_was_typed(client, db):
    data = {**FORM, "subject": "", "name": "", "phone": "12", "body": "保留我写的内容"}
    response = client.post("/submit/", {**data, "evidence": [photo("virus.exe")]})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"subject", "name", "phone", "evidence"} <= set(errors)
    assert "保留我写的内容" in response.text
    assert 'class="field invalid' in response.text
    assert not Case.objects.exists()

    response = client.post("/submit/", {**FORM, "consent": ""})
    assert "consent" in response.context["form"].errors


def test_a_named_submission_needs_a_way_to_reach_the_person(client, db):
    response = client.post("/submit/", {**FORM, "phone": ""})
    assert "phone" in response.context["form"].errors


def test_emergency_text_shows_the_numbers_first_and_is_registered_urgent(client, db):
    data = {**FORM, "body": "楼道里着火了，有人晕倒"}
    first = client.post("/submit/", data)
    assert first.status_code == 200
    assert first.context["emergency"] == ["119", "120"]
    assert 'href="tel:119"' in first.text
    assert 'name="emergency_seen"' in first.text
    assert not Case.objects.exists()

    second = client.post("/submit/", {**data, "emergency_seen": "1"})
    assert second.status_code == 302
    assert Case.objects.get().severity == Severity.URGENT

    live = client.post("/submit/emergency/", {"body": "有人抢劫"}, HTTP_HX_REQUEST="true")
    assert 'href="tel:110"' in live.text
    quiet = client.post("/submit/emergency/", {"body": "路灯坏了"}, HTTP_HX_REQUEST="true")
    assert "tel:" not in quiet.text


def test_an_anonymous_complaint_is_taken_as_a_report_without_contact_details(client, db):
    data = {**FORM, "identity": "anonymous", "name": "", "phone": ""}
    assert client.post("/submit/", data).status_code == 302
    case = Case.objects.get()
    assert case.is_anonymous
    assert case.kind == Kind.REPORT
    assert not case.complainants.exists()


def test_tracking_needs_the_number_and_its_query_code(client, cast):
    registered = cast.submit()
    number = registered.case.number
    other = cast.submit()
    assert client.get(f"/track/{number}/").status_code == 302  # nothing proven yet
    wrong = track_in(client, number, other.query_code)
    missing = track_in(client, "MS-20000101-000009", registered.query_code)
    assert wrong.status_code == missing.status_code == 200
    assert wrong.context["form"].non_field_errors() == missing.context["form"].non_field_errors()
    assert client.get(f"/track/{number}/").status_code == 302

    right = track_in(client, number.lower(), registered.query_code.lower())
    assert right["Location"] == f"/track/{number}/"
    page = client.get(f"/track/{number}/")
    assert page.status_code == 200
    assert registered.case.subject in page.text
    assert "张伟" not in page.text  # the timeline shows no personal data
    assert page.context["clocks"]  # the review clock, with its explanation
    assert page.context["clocks"][0][1].explanation.lines()


def test_citizen_supplies_the_missing_material_with_a_file(client, cast):
    registered = cast.submit()
    case = registered.case
    perform(case=case, action="request_info", actor=cast.intake, note="请补充现场照片")
    track_in(client, case.number, registered.query_code)
    page = client.get(f"/track/{case.number}/")
    assert "请补充现场照片" in page.text
    assert "supplement" in page.context["action_forms"]

    empty = client.post(f"/track/{case.number}/supplement/", {"note": ""})
    assert "note" in empty.context["action_forms"]["supplement"].errors
    done = client.post(
        f"/track/{case.number}/supplement/", {"note": "照片已补充", "evidence": [photo()]}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    attachment = case.attachments.get()
    download = client.get(f"/track/{case.number}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def replied(cast):
    registered = cast.submit()
    case = registered.case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    perform(case=case, action="sign", actor=cast.handler)
    perform(case=case, action="plan", actor=cast.handler, note="现场核查")
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    perform(case=case, action="approve", actor=cast.head)
    return registered


def test_citizen_reads_the_five_part_answer_rates_it_and_appeals(client, cast):
    registered = replied(cast)
    case = registered.case
    track_in(client, case.number, registered.query_code)
    page = client.get(f"/track/{case.number}/")
    for part in ("facts", "basis", "measures", "outcome", "remedy"):
        assert RESULT[part] in page.text
    assert set(page.context["action_forms"]) == {"rate"}

    bad = client.post(f"/track/{case.number}/rate/", {"rating": "wonderful"})
    assert "rating" in bad.context["action_forms"]["rate"].errors
    client.post(f"/track/{case.number}/rate/", {"rating": Rating.NEUTRAL})
    case.refresh_from_db()
    assert case.rating == Rating.NEUTRAL
    page = client.get(f"/track/{case.number}/")
    assert set(page.context["action_forms"]) == {"appeal"}
    client.post(f"/track/{case.number}/appeal/", {"note": "噪音仍然存在"})
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW


def test_the_public_cannot_take_staff_actions_or_act_on_other_cases(client, cast):
    registered = cast.submit()
    other = cast.submit()
    track_in(client, registered.case.number, registered.query_code)
    assert client.post(f"/track/{registered.case.number}/accept/", {}).status_code == 404
    # Rating a case that has no answer yet: refused by the workflow, shown as a message.
    response = client.post(f"/track/{registered.case.number}/rate/", {"rating": "poor"})
    assert response.status_code == 302
    assert client.post(f"/track/{other.case.number}/appeal/", {"note": "x"}).status_code == 404
    assert Citizen(case_id=registered.case.pk)  # the citizen holds no account


def test_script_typed_by_a_citizen_is_shown_as_text(client, db):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post("/submit/", {**FORM, "subject": script[:200], "body": script})
    case = Case.objects.get()
    assert case.subject == script[:200]
    page = client.get(f"/track/{case.number}/")
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert" in page.text


def test_guide_page_lists_channels_and_time_limits(client, db):
    page = client.get("/guide/")
    assert page.status_code == 200
    assert len(page.context["limits"]) == len(Kind.choices)


def test_the_complainant_cannot_download_internal_files(client, cast):
    registered = cast.submit()
    case = registered.case
    internal = attachment_add(case=case, upload=photo("internal.jpg"), is_public=False)
    public = attachment_add(case=case, upload=photo("public.jpg"))
    track_in(client, case.number, registered.query_code)
    assert client.get(f"/track/{case.number}/files/{public.pk}/").status_code == 200
    assert client.get(f"/track/{case.number}/files/{internal.pk}/").status_code == 404
    client.logout()  # a new browser: no code proven
    assert client.get(f"/track/{case.number}/files/{public.pk}/").status_code == 404
