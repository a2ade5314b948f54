"""Supervision notices through the API: the same life as on the pages, the same refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to

pytestmark = pytest.mark.django_db


def test_a_notice_through_the_api_from_issue_to_close(cast, as_user, settings, tmp_path):
    case = drive_to(cast, State.IN_PROGRESS)
    body = {
        "cases": [case.number],
        "level": "supervision",
        "reason": "群众多次来电",
        "demand": "书面说明",
        "due_days": 2,
    }
    assert as_user(cast.head).post("/api/v1/notices", body, format="json").status_code == 403
    issued = as_user(cast.supervisor).post("/api/v1/notices", body, format="json")
    assert issued.status_code == 201, issued.content
    notice = issued.json()
    assert notice["department"] == "housing"
    assert notice["cases"] == [case.number]
    assert notice["allowed_actions"] == ["escalate"]

    head = as_user(cast.head)
    url = f"/api/v1/notices/{notice['id']}"
    assert head.get(url).json()["allowed_actions"] == ["acknowledge"]
    assert as_user(cast.handler2).get(url).status_code == 404
    assert head.post(f"{url}/actions/close", {}, format="json").status_code == 403
    assert head.post(f"{url}/actions/acknowledge", {}, format="json").status_code == 200
    assert head.post(f"{url}/actions/acknowledge", {}, format="json").status_code == 409
    empty = head.post(f"{url}/actions/answer", {"note": ""}, format="json")
    assert empty.status_code == 400
    assert set(empty.json()["errors"]) == {"note"}
    scan = SimpleUploadedFile("说明.pdf", b"%PDF-1.4", content_type="application/pdf")
    answered = head.post(
        f"{url}/actions/answer", {"note": "已整改", "attachments": [scan]}, format="multipart"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["files"] == ["说明.pdf"]
    closed = as_user(cast.supervisor).post(f"{url}/actions/close", {}, format="json")
    assert closed.json()["state"] == "closed"
    listed = head.get("/api/v1/notices", {"state": "closed"}).json()
    assert [n["number"] for n in listed["results"]] == [notice["number"]]
    assert head.get("/api/v1/notices", {"state": "bogus"}).status_code == 400
    assert head.post(f"{url}/actions/not_an_action", {}, format="json").status_code == 404


def test_issuing_names_the_bad_fields(cast, as_user):
    closed = drive_to(cast, State.CLOSED)
    response = as_user(cast.supervisor).post(
        "/api/v1/notices",
        {"cases": ["MS-19990101-000001"], "level": "x", "reason": "", "demand": "d", "due_days": 0},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"cases", "level", "reason", "due_days"}
    refused = as_user(cast.supervisor).post(
        "/api/v1/notices",
        {
            "cases": [closed.number],
            "level": "reminder",
            "reason": "r",
            "demand": "d",
            "due_days": 1,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"cases"}
