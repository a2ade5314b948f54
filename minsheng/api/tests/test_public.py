"""The public endpoints: submit, follow with the query code, supplement, rate, appeal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.cases.access import Citizen
from minsheng.cases.models import Case, Channel, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind
from minsheng.lib.tests.sample_files import jpeg_bytes, png_bytes

SUBMISSION = {
    "kind": "complaint",
    "subject": "小区门口垃圾无人清运",
    "body": "小区门口的垃圾已经三天没有清运，气味很大。",
    "location": "城东区新华街道幸福小区",
    "people": [{"name": "李娜", "phone": "13900001111"}],
}


def test_public_submission_answers_number_code_and_review_deadline(db, api):
    response = api.post("/api/v1/public/cases", SUBMISSION, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert case.channel == Channel.API
    assert case.state == State.SUBMITTED
    assert case.complainants.get().phone == "13900001111"
    assert len(body["query_code"]) == 8
    assert body["state"] == "submitted"
    assert body["due"]["step"] == "review"
    assert body["due"]["due_at"]
    assert body["due"]["explanation"], "the deadline says how it was counted"


def test_public_submission_as_multipart_keeps_files_and_flat_complainant(db, api):
    photo = SimpleUploadedFile("垃圾.jpg", jpeg_bytes(), content_type="image/jpeg")
    data = {**SUBMISSION, "people": None, "name": "李娜", "phone": "13900001111"}
    del data["people"]
    response = api.post(
        "/api/v1/public/cases", {**data, "attachments": [photo]}, format="multipart"
    )

    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.complainants.get().name == "李娜"
    attachment = case.attachments.get()
    assert attachment.original_name == "垃圾.jpg"
    assert attachment.file.read().startswith(b"\xff\xd8\xff")  # a JPEG, re-encoded


def test_public_submission_problems_name_the_fields(db, api):
    missing = api.post("/api/v1/public/cases", {"kind": "gossip"}, format="json")
    assert missing.status_code == 400
    assert missing["Content-Type"] == "application/problem+json"
    problem = missing.json()
    assert problem["status"] == 400
    assert problem["type"] == "urn:minsheng:problem:invalid-input"
    assert {"kind", "subject", "body"} <= set(problem["errors"])

    nobody = api.post("/api/v1/public/cases", {**SUBMISSION, "people": []}, format="json")
    assert nobody.status_code == 400
    assert "people" in nobody.json()["errors"], "the service's rule names its field"

    no_contact = api.post(
        "/api/v1/public/cases", {**SUBMISSION, "people": [{"name": "李娜"}]}, format="json"
    )
    assert no_contact.status_code == 400
    assert "people[0].phone" in no_contact.json()["errors"]

    bad_email = api.post(
        "/api/v1/public/cases",
        {**SUBMISSION, "people": [{"name": "李娜", "email": "not-an-email"}]},
        format="json",
    )
    assert set(bad_email.json()["errors"]) == {"people[0].email"}
    assert Case.objects.count() == 0


def test_public_submission_reads_values_as_the_document_types_them(db, api):
    person = {"name": "李娜", "phone": "13900001111"}
    lax_boolean = api.post(
        "/api/v1/public/cases",
        {**SUBMISSION, "people": [{**person, "is_representative": 0}]},
        format="json",
    )
    number_as_text = api.post("/api/v1/public/cases", {**SUBMISSION, "subject": 5}, format="json")
    assert set(lax_boolean.json()["errors"]) == {"people[0].is_representative"}
    assert set(number_as_text.json()["errors"]) == {"subject"}

    precise = api.post(
        "/api/v1/public/cases",
        {**SUBMISSION, "latitude": 31.230416123456, "longitude": 121.473701987654},
        format="json",
    )
    assert precise.status_code == 201, "coordinates are rounded, not refused"
    case = Case.objects.get(number=precise.json()["number"])
    assert (str(case.latitude), str(case.longitude)) == ("31.230416", "121.473702")

    flat = {k: v for k, v in SUBMISSION.items() if k != "people"}
    form = {**flat, **person, "occurred_at": "null", "is_anonymous": "false"}
    as_form = api.post("/api/v1/public/cases", form, format="multipart")
    assert as_form.status_code == 201, as_form.content
    assert Case.objects.get(number=as_form.json()["number"]).occurred_at is None


def test_anonymous_complaint_is_registered_as_a_report(db, api):
    response = api.post(
        "/api/v1/public/cases", {**SUBMISSION, "people": [], "is_anonymous": True}, format="json"
    )
    assert response.status_code == 201
    assert Case.objects.get(number=response.json()["number"]).kind == Kind.REPORT


def test_complainant_follows_the_case_with_the_code_and_a_wrong_code_is_a_plain_404(cast, api):
    registered = cast.submit()
    number, code = registered.case.number, registered.query_code

    by_header = api.get(f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=code)
    by_param = api.get(f"/api/v1/public/cases/{number.lower()}", {"code": code.lower()})
    wrong_code = api.get(f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE="WRONG234")
    no_code = api.get(f"/api/v1/public/cases/{number}")
    no_case = api.get("/api/v1/public/cases/MS-20000101-000001", HTTP_X_QUERY_CODE=code)

    assert by_header.status_code == 200
    assert by_param.json() == by_header.json()
    view = by_header.json()
    assert view["state"] == "submitted"
    assert view["awaiting"][0]["step"] == "review"
    assert view["awaiting"][0]["explanation"]
    assert view["next_due_at"]
    assert [e["action"] for e in view["timeline"]] == ["register"]
    assert view["allowed_actions"] == []
    assert "complainants" not in view

    for refused in (wrong_code, no_code, no_case):
        assert refused.status_code == 404
        assert refused["Content-Type"] == "application/problem+json"
    assert wrong_code.json()["detail"] == no_case.json()["detail"]


def test_public_timeline_shows_only_what_is_meant_for_the_complainant(cast, api):
    registered = cast.submit()
    case = registered.case
    perform(case=case, action="note", actor=cast.intake, note="来电人情绪激动，注意沟通")
    perform(case=case, action="accept", actor=cast.intake)
    perform(
        case=case,
        action="assign",
        actor=cast.dispatcher,
        department=cast.housing,
        note="内部：请优先处理",
    )

    view = api.get(
        f"/api/v1/public/cases/{case.number}", HTTP_X_QUERY_CODE=registered.query_code
    ).json()

    assert [e["action"] for e in view["timeline"]] == ["register", "accept", "assign"]
    assert all(e["note"] == "" for e in view["timeline"])
    assert view["state_label"]


def test_complainant_supplies_material_with_a_file(cast, api):
    registered = cast.submit()
    case = registered.case
    perform(case=case, action="request_info", actor=cast.intake, note="请补充现场照片")
    url = f"/api/v1/public/cases/{case.number}"

    view = api.get(url, HTTP_X_QUERY_CODE=registered.query_code).json()
    assert view["state"] == "needs_info"
    assert view["allowed_actions"] == ["supplement"]
    assert view["timeline"][-1]["note"] == "请补充现场照片"
    assert view["awaiting"][0]["is_paused"] is True
    assert view["awaiting"][0]["due_at"] is None

    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = api.post(
        f"{url}/actions/supplement",
        {"note": "照片已上传", "attachments": [photo]},
        format="multipart",
        HTTP_X_QUERY_CODE=registered.query_code,
    )

    assert response.status_code == 200, response.content
    assert response.json()["case"]["state"] == "submitted"
    assert response.json()["event"]["attachments"] == ["现场.png"]
    assert case.attachments.get().event.action == "supplement"


def test_complainant_reads_the_result_rates_it_and_appeals(cast, api):
    case = drive_to(cast, State.REPLIED)
    code = "CODE2345"
    # drive_to does not return the code; give the case a known one through the real hash.
    from minsheng.cases.access import QUERY_CODE_PURPOSE
    from minsheng.lib.hashing import keyed_hash

    Case.objects.filter(pk=case.pk).update(
        query_code_hash=keyed_hash(code, purpose=QUERY_CODE_PURPOSE)
    )
    url = f"/api/v1/public/cases/{case.number}"

    view = api.get(url, {"code": code}).json()
    assert view["state"] == "replied"
    assert set(view["result"]) >= {"facts", "basis", "measures", "outcome", "remedy"}
    assert view["allowed_actions"] == ["rate"]

    rated = api.post(f"{url}/actions/rate?code={code}", {"rating": "poor"}, format="json")
    assert rated.status_code == 200, rated.content
    assert rated.json()["case"]["allowed_actions"] == ["appeal"]

    again = api.post(f"{url}/actions/rate?code={code}", {"rating": "poor"}, format="json")
    assert again.status_code == 409
    assert again.json()["type"] == "urn:minsheng:problem:transition-not-allowed"

    appealed = api.post(
        f"{url}/actions/appeal", {"note": "问题仍未解决"}, format="json", HTTP_X_QUERY_CODE=code
    )
    assert appealed.status_code == 200
    assert appealed.json()["case"]["state"] == "under_review"
    assert appealed.json()["event"]["note"] == "问题仍未解决"


def test_complainant_cannot_take_staff_actions_or_use_another_cases_code(cast, api):
    first = cast.submit()
    second = cast.submit()
    url = f"/api/v1/public/cases/{first.case.number}/actions"

    staff_action = api.post(f"{url}/accept", {}, format="json", HTTP_X_QUERY_CODE=first.query_code)
    other_code = api.post(
        f"{url}/supplement", {"note": "x"}, format="json", HTTP_X_QUERY_CODE=second.query_code
    )
    unknown = api.post(f"{url}/teleport", {}, format="json", HTTP_X_QUERY_CODE=first.query_code)

    assert staff_action.status_code == 403
    assert other_code.status_code == 404
    assert unknown.status_code == 404
    assert Case.objects.get(pk=first.case.pk).state == State.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_case_is_committed_before_the_number_is_given_out(live_server):
    import requests

    response = requests.post(f"{live_server.url}/api/v1/public/cases", json=SUBMISSION, timeout=30)
    assert response.status_code == 201
    # The live server answered on its own connection; this thread sees the row only if
    # that transaction had committed before the response went out.
    assert Case.objects.filter(number=response.json()["number"]).exists()


def test_citizen_actor_is_only_the_case_it_was_proven_for(cast):
    registered = cast.submit()
    assert Citizen(case_id=registered.case.pk).is_authenticated is False
