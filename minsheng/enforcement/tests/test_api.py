"""The enforcement cases through the REST API: the whole flow from a complaint to a closed
enforcement case, its deadlines across National Day, steps out of order answered 409,
bad input named field by field, and other departments refused as if nothing existed."""

from datetime import UTC, datetime

import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.accounts.models import Department, Role
from minsheng.accounts.services import user_create
from minsheng.cases.models import CaseEvent, State
from minsheng.cases.tests.factories import PASSWORD, drive_to
from minsheng.cases.workflow import Act


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _steps(body) -> dict:
    return {step["step"]: step for step in body["steps"]}


def test_housing_runs_an_enforcement_case_through_the_api(
    cast, english, django_assert_max_num_queries
):
    handler, head = _api(cast.handler), _api(cast.head)
    with time_machine.travel(datetime(2026, 9, 21, 2, 0, tzinfo=UTC), tick=False):
        complaint = drive_to(cast, State.IN_PROGRESS)
        bad = handler.post(
            "/api/v1/enforcement",
            {"case": complaint.number, "respondent": "", "findings": 5, "colour": "red"},
            format="json",
        )
        assert bad.status_code == 400
        assert set(bad.json()["errors"]) == {"respondent", "findings", "colour"}
        nowhere = handler.post(
            "/api/v1/enforcement",
            {"case": "MS-20000101-000001", "respondent": "某公司", "findings": "渗水"},
            format="json",
        )
        assert nowhere.status_code == 404
        opened = handler.post(
            "/api/v1/enforcement",
            {"case": complaint.number, "respondent": "某建筑工程有限公司", "findings": "外墙渗水"},
            format="json",
        )
        assert opened.status_code == 201, opened.json()
        body = opened.json()
        assert body["number"] == "ZF-20260921-0001"
        assert body["case"] == complaint.number
        assert body["step"] == "filing_approval"
        assert body["allowed_steps"] == []  # the head's step
        assert CaseEvent.objects.filter(case=complaint, action=Act.ENFORCEMENT_OPENED).exists()
        url = f"/api/v1/enforcement/{body['id']}"
        # The handler may take no step now: refused before the body is read.
        assert (
            handler.post(f"{url}/steps", {"step": "filing_approval"}, format="json").status_code
            == 403
        )
        # Out of order: the head may act, but the decision is not next.
        early = head.post(
            f"{url}/steps", {"step": "decision", "document": "处9号", "note": "x"}, format="json"
        )
        assert early.status_code == 409
        assert early.json()["type"] == "urn:minsheng:problem:transition-not-allowed"
        done = head.post(f"{url}/steps", {"step": "filing_approval", "note": "同意"}, format="json")
        assert done.status_code == 200
        assert done.json()["step"] == "notice"
        wrong = handler.post(
            f"{url}/steps", {"step": "notice", "result": "rectified"}, format="json"
        )
        assert wrong.status_code == 400
        assert set(wrong.json()["errors"]) == {"document", "result"}
        for step in (
            {"step": "notice", "document": "责改〔2026〕17号"},
            {"step": "statement", "mode": "waived", "note": "当事人书面放弃"},
        ):
            assert handler.post(f"{url}/steps", step, format="json").status_code == 200
        decided = head.post(
            f"{url}/steps",
            {"step": "decision", "document": "处〔2026〕9号", "note": "责令三日内整改"},
            format="json",
        )
        assert decided.status_code == 200
    with time_machine.travel(datetime(2026, 9, 28, 2, 0, tzinfo=UTC), tick=False):
        bad_date = handler.post(
            f"{url}/steps",
            {"step": "service", "served_on": "27 Sept", "receiver": "王经理"},
            format="json",
        )
        assert bad_date.status_code == 400
        assert list(bad_date.json()["errors"]) == ["served_on"]
        served = handler.post(
            f"{url}/steps",
            {"step": "service", "served_on": "2026-09-27", "receiver": "王经理"},
            format="json",
        )
        assert served.status_code == 200
        steps = _steps(served.json())
        # 3 natural days from service; 5 working days after that (National Day skipped).
        assert steps["rectification"]["due_at"] == "2026-09-30T15:59:59Z"
        assert steps["rectification"]["is_taken"] is False
        assert steps["reinspection"]["due_at"] == "2026-10-13T15:59:59Z"
        explained = steps["reinspection"]["explanation"]  # in the site's language (Chinese)
        assert any("2026-10-01" in line and "2026-10-07" in line for line in explained)
        assert served.json()["step"] == "reinspection"
    with time_machine.travel(datetime(2026, 10, 14, 2, 0, tzinfo=UTC), tick=False):
        with django_assert_max_num_queries(8):
            listed = handler.get("/api/v1/enforcement")
        row = listed.json()["results"][0]
        assert (row["number"], row["step"], row["is_overdue"]) == (
            "ZF-20260921-0001",
            "reinspection",
            True,
        )
        for who, step in (
            (handler, {"step": "reinspection", "result": "not_rectified", "note": "仍渗水"}),
            (handler, {"step": "publication", "place": "市住建局网站"}),
            (head, {"step": "close"}),
        ):
            assert who.post(f"{url}/steps", step, format="json").status_code == 200
        closed = head.get(url).json()
        assert closed["state"] == "closed"
        assert all(step["status"] == "done" for step in closed["steps"])
        assert head.post(f"{url}/steps", {"step": "close"}, format="json").status_code == 409
        assert handler.get("/api/v1/enforcement").json()["count"] == 0
        assert handler.get("/api/v1/enforcement?state=closed").json()["count"] == 1
        assert handler.get("/api/v1/enforcement?state=shut").status_code == 400


def test_other_departments_and_other_roles_are_refused(cast, complaint):
    opened = _api(cast.handler).post(
        "/api/v1/enforcement",
        {"case": complaint.number, "respondent": "某公司", "findings": "渗水"},
        format="json",
    )
    url = f"/api/v1/enforcement/{opened.json()['id']}"
    transport = Department.objects.create(name="市交通运输局", code="transport")
    outsider = _api(
        user_create(username="transport_head", password=PASSWORD, roles=[(Role.HEAD, transport)])
    )
    assert outsider.get(url).status_code == 404
    assert (
        outsider.post(f"{url}/steps", {"step": "filing_approval"}, format="json").status_code == 404
    )
    assert outsider.get("/api/v1/enforcement").json()["count"] == 0
    again = outsider.post(
        "/api/v1/enforcement",
        {"case": complaint.number, "respondent": "某公司", "findings": "渗水"},
        format="json",
    )
    assert again.status_code == 404  # the same answer as for a case that does not exist
    # The centre reads it and may not open one; the co-handling department reads it only.
    for reader in (cast.supervisor, cast.handler2):
        client = _api(reader)
        assert client.get(url).status_code == 200
        assert (
            client.post(f"{url}/steps", {"step": "filing_approval"}, format="json").status_code
            == 403
        )
    assert _api(cast.supervisor).post("/api/v1/enforcement", {}, format="json").status_code == 403
    assert APIClient().get(url).status_code == 401
