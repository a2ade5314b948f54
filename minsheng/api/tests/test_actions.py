"""The uniform action endpoint: POST /api/v1/cases/{number}/actions/{action}."""

import pytest

from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import RESULT, drive_to


def act(client, case, action, body=None, **kwargs):
    return client.post(
        f"/api/v1/cases/{case.number}/actions/{action}", body or {}, format="json", **kwargs
    )


def test_a_case_walks_its_life_through_the_api(cast, as_user):
    case = cast.submit().case

    accepted = act(as_user(cast.intake), case, "accept", {"severity": "complex"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["case"]["state"] == "accepted"
    assert accepted.json()["event"]["action"] == "accept"
    assert accepted.json()["event"]["actor"] == "intake"

    assigned = act(
        as_user(cast.dispatcher),
        case,
        "assign",
        {"department": "housing", "co_departments": ["environment"]},
    )
    assert assigned.json()["case"]["state"] == "assigned"
    handler = as_user(cast.handler)
    assert act(handler, case, "sign").json()["case"]["allowed_actions"][:2] == ["plan", "progress"]
    assert act(handler, case, "plan", {"note": "现场核查"}).status_code == 200
    submitted = act(handler, case, "submit_result", RESULT)
    assert submitted.json()["case"]["state"] == "pending_approval"
    approved = act(as_user(cast.head), case, "approve")
    assert approved.json()["case"]["state"] == "replied"
    assert Case.objects.get(pk=case.pk).severity == "complex"


def test_wrong_role_gets_403_and_wrong_state_409(cast, as_user):
    case = cast.submit().case

    handler_tries = act(as_user(cast.supervisor), case, "accept")
    early = act(as_user(cast.dispatcher), case, "assign", {"department": "housing"})

    assert handler_tries.status_code == 403
    assert handler_tries["Content-Type"] == "application/problem+json"
    assert early.status_code == 409
    assert early.json()["status"] == 409
    assert early.json()["detail"]
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_action_fields_are_checked_and_named(cast, as_user):
    case = drive_to(cast, State.ACCEPTED)
    dispatcher = as_user(cast.dispatcher)

    no_such_department = act(dispatcher, case, "assign", {"department": "nowhere"})
    missing = act(dispatcher, case, "assign", {})
    unknown_field = act(dispatcher, case, "assign", {"department": "housing", "rating": "poor"})
    wrong_type = act(dispatcher, case, "assign", {"department": {"code": "housing"}})
    wrong_list = act(dispatcher, case, "assign", {"department": "housing", "co_departments": 5})
    huge = act(dispatcher, case, "assign", {"department": "housing", "note": "很" * 20001})

    assert set(no_such_department.json()["errors"]) == {"department"}
    assert set(missing.json()["errors"]) == {"department"}
    assert set(unknown_field.json()["errors"]) == {"rating"}
    assert set(wrong_type.json()["errors"]) == {"department"}
    assert set(wrong_list.json()["errors"]) == {"co_departments"}
    assert set(huge.json()["errors"]) == {"note"}
    for response in (no_such_department, missing, unknown_field, wrong_type, wrong_list, huge):
        assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_each_action_takes_only_its_own_fields_in_their_documented_types(cast, as_user):
    case = drive_to(cast, State.IN_PROGRESS)
    head = as_user(cast.head)
    url = f"/api/v1/cases/{case.number}/actions/extension_request"

    as_text = act(head, case, "extension_request", {"amount": "5", "note": "现场复杂"})
    too_many = act(head, case, "extension_request", {"amount": 366, "note": "现场复杂"})
    blank = act(head, case, "extension_request", {"amount": 5, "note": "   "})
    other_fields = act(head, case, "extension_request", {"amount": 5, "note": "x", "into": "y"})
    files = head.post(url, {"amount": "5", "note": "x", "attachments": [b"x"]}, format="multipart")
    generic = head.post(f"/api/v1/cases/{case.number}/actions/{{action}}", {}, format="json")

    assert set(as_text.json()["errors"]) == {"amount"}
    assert set(too_many.json()["errors"]) == {"amount"}
    assert set(blank.json()["errors"]) == {"note"}
    assert set(other_fields.json()["errors"]) == {"into"}
    assert set(files.json()["errors"]) == {"attachments"}
    for response in (as_text, too_many, blank, other_fields, files):
        assert response.status_code == 400
    assert generic.status_code == 404
    as_form = head.post(url, {"amount": "5", "note": "现场复杂"}, format="multipart")
    assert as_form.status_code == 200, as_form.content


def test_workflow_input_rules_come_back_as_field_errors(cast, as_user):
    case = cast.submit().case
    response = act(as_user(cast.intake), case, "transfer", {"body": "市公安局", "consent": False})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"consent"}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("actions/teleport", 404),
        ("actions/", 404),
        ("nonsense/deeper", 404),
    ],
)
def test_unknown_actions_and_paths_are_404_problems(cast, as_user, path, status):
    case = cast.submit().case
    response = as_user(cast.intake).post(f"/api/v1/cases/{case.number}/{path}", {}, format="json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_bad_bodies_are_400_problems_not_500(cast, as_user):
    case = cast.submit().case
    client = as_user(cast.intake)
    url = f"/api/v1/cases/{case.number}/actions/reject"

    malformed = client.post(url, '{"note": "unterminated', content_type="application/json")
    not_an_object = client.post(url, "[1, 2]", content_type="application/json")
    wrong_media = client.post(url, "note=x", content_type="text/plain")
    wrong_method = client.get(url)

    assert malformed.status_code == 400
    assert malformed.json()["detail"]
    assert not_an_object.status_code == 400
    assert wrong_media.status_code == 415
    assert wrong_method.status_code == 405
    for response in (malformed, not_an_object, wrong_media, wrong_method):
        assert response["Content-Type"] == "application/problem+json"
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_supplement_by_intake_takes_files_and_other_actions_refuse_them(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = drive_to(cast, State.NEEDS_INFO)
    client = as_user(cast.intake)
    letter = SimpleUploadedFile("来信.txt", b"letter", content_type="text/plain")
    supplied = client.post(
        f"/api/v1/cases/{case.number}/actions/supplement",
        {"note": "来信补充材料", "attachments": [letter]},
        format="multipart",
    )
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["event"]["attachments"] == [case.attachments.get().pk]

    other = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    refused = client.post(
        f"/api/v1/cases/{case.number}/actions/note",
        {"note": "附件", "attachments": [other]},
        format="multipart",
    )
    assert set(refused.json()["errors"]) == {"attachments"}
