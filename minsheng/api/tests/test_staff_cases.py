"""Staff endpoints: token, case list and detail, registration, attachments."""

from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.accounts.services import user_create
from minsheng.cases.models import Case, Channel, PersonalDataAccess, State
from minsheng.cases.tests.factories import PASSWORD, drive_to
from minsheng.cases.workflow import perform


def test_token_for_good_credentials_and_a_problem_for_bad_ones(cast, api):
    good = api.post(
        "/api/v1/auth/token", {"username": "intake", "password": PASSWORD}, format="json"
    )
    bad = api.post("/api/v1/auth/token", {"username": "intake", "password": "x"}, format="json")
    empty = api.post("/api/v1/auth/token", {}, format="json")

    assert good.status_code == 200
    token = good.json()["token"]
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "non_field_errors" in bad.json()["errors"]
    assert set(empty.json()["errors"]) == {"username", "password"}

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/cases").status_code == 200


def test_staff_endpoints_refuse_without_a_token(cast, api):
    case = cast.submit().case
    for response in (
        api.get("/api/v1/cases"),
        api.get(f"/api/v1/cases/{case.number}"),
        api.post(f"/api/v1/cases/{case.number}/actions/accept", {}, format="json"),
        api.get("/api/v1/cases", HTTP_AUTHORIZATION="Token not-a-token"),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == "Token"


def test_case_list_shows_what_each_role_may_see(cast, as_user):
    ours = drive_to(cast, State.IN_PROGRESS)  # housing leads, environment co-handles
    fresh = cast.submit(subject="公交线路调整咨询").case
    nobody = user_create(username="nobody", password=PASSWORD, roles=[])

    def numbers(user, **params):
        response = as_user(user).get("/api/v1/cases", params)
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers(cast.intake) == {ours.number, fresh.number}
    assert numbers(cast.auditor) == {ours.number, fresh.number}
    assert numbers(cast.handler) == {ours.number}
    assert numbers(cast.handler2) == {ours.number}, "co-handling department sees it too"
    assert numbers(nobody) == set()
    assert numbers(cast.intake, state="submitted") == {fresh.number}
    assert numbers(cast.intake, q="公交") == {fresh.number}
    assert numbers(cast.intake, department="housing") == {ours.number}


def test_case_list_rejects_bad_filters_by_name(cast, as_user):
    response = as_user(cast.intake).get("/api/v1/cases", {"state": "sleeping", "page_size": 5})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"state"}
    assert as_user(cast.intake).get("/api/v1/cases", {"page": 99}).status_code == 404


def test_case_list_takes_paging_and_yes_or_no_only_as_documented(cast, as_user):
    cast.submit()
    client = as_user(cast.intake)

    def status(**params):
        return client.get("/api/v1/cases", params).status_code

    assert status(page_size=1) == 200
    assert status(page_size=1000) == 200, "above the maximum it is the maximum"
    for bad in ("null", "0", "-3", "1.5", ""):
        response = client.get("/api/v1/cases", {"page_size": bad})
        assert response.status_code == 400, bad
        assert set(response.json()["errors"]) == {"page_size"}
    assert status(page="") == 404
    assert status(overdue="true") == status(overdue="false") == 200
    overdue = client.get("/api/v1/cases", {"overdue": "sometimes"})
    assert overdue.status_code == 400
    assert set(overdue.json()["errors"]) == {"overdue"}


def test_case_list_query_count_does_not_grow_with_cases(
    cast, as_user, django_assert_max_num_queries
):
    for _ in range(3):
        drive_to(cast, State.ASSIGNED)
    client = as_user(cast.handler)
    # token+user, roles, co-handled ids, the count (its own department's cases, then the
    # co-handled), the page; +1 spare
    with django_assert_max_num_queries(7):
        small = client.get("/api/v1/cases")
    for _ in range(12):
        drive_to(cast, State.ASSIGNED)
        cast.submit()
    # token+user, roles, co-handled ids, the count (its own department's cases, then the
    # co-handled), the page; +1 spare
    with django_assert_max_num_queries(7):
        large = client.get("/api/v1/cases", {"page_size": 10})
    assert small.json()["count"] == 3
    assert large.json()["count"] == 15
    assert len(large.json()["results"]) == 10
    assert large.json()["next"]
    row = large.json()["results"][0]
    assert row["department"] == {"code": "housing", "name": cast.housing.name}
    assert row["state_label"]


def test_case_detail_shows_clocks_timeline_and_allowed_actions(cast, as_user):
    case = drive_to(cast, State.ASSIGNED)
    perform(case=case, action="note", actor=cast.dispatcher, note="内部备注")

    response = as_user(cast.handler).get(f"/api/v1/cases/{case.number}")

    assert response.status_code == 200
    detail = response.json()
    assert detail["case"]["number"] == case.number
    assert detail["case"]["co_departments"] == [
        {"code": "environment", "name": cast.environment.name}
    ]
    assert {c["step"] for c in detail["clocks"]} == {"plan", "result"}
    assert all(c["explanation"] for c in detail["clocks"])
    actions = [e["action"] for e in detail["timeline"]]
    assert actions == ["register", "accept", "assign", "note"]
    assert detail["timeline"][-1]["is_public"] is False
    assert detail["allowed_actions"] == ["sign", "return", "note"]
    assert detail["complainants"][0]["phone"] == "13812345678"
    assert detail["complainants"][0]["is_masked"] is False


def test_an_old_occurrence_time_reads_as_rfc_3339(cast, as_user):
    client = as_user(cast.intake)
    registered = client.post(
        "/api/v1/cases",
        {
            "kind": "help",
            "subject": "旧事",
            "body": "很久以前",
            "is_anonymous": True,
            "occurred_at": "0197-02-10T20:12:46+08:28",
        },
        format="json",
    )
    assert registered.status_code == 201, registered.content

    case = client.get(f"/api/v1/cases/{registered.json()['number']}").json()["case"]

    # In Shanghai before 1901 the offset is local mean time, +08:05:43.
    assert case["occurred_at"] == "0197-02-10T11:44:46Z"


def test_personal_data_is_masked_for_roles_that_must_not_see_it(cast, as_user):
    case = cast.submit(respondent_department=cast.housing).case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)

    full = as_user(cast.intake).get(f"/api/v1/cases/{case.number}").json()["complainants"][0]
    audited = as_user(cast.auditor).get(f"/api/v1/cases/{case.number}").json()["complainants"]
    respondent = as_user(cast.handler).get(f"/api/v1/cases/{case.number}").json()

    assert full["name"] == "张伟"
    assert full["is_masked"] is False
    assert audited[0]["is_masked"] is True
    assert audited[0]["phone"] == "138****5678"
    assert respondent["complainants"][0]["is_masked"] is True
    assert respondent["complainants"][0]["name"] == "张**"
    assert PersonalDataAccess.objects.filter(case=case, user=cast.intake).count() == 1
    assert not PersonalDataAccess.objects.filter(user=cast.auditor).exists()


def test_case_detail_is_404_for_a_department_that_is_not_involved(cast, as_user):
    case = cast.submit().case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    assert as_user(cast.handler).get(f"/api/v1/cases/{case.number}").status_code == 200
    other = as_user(cast.handler2).get(f"/api/v1/cases/{case.number}")
    missing = as_user(cast.handler2).get("/api/v1/cases/MS-20000101-000001")
    assert other.status_code == 404
    assert other.json() | {"instance": ""} == missing.json() | {"instance": ""}


def test_intake_registers_a_phone_call_and_others_may_not(cast, as_user):
    body = {
        "channel": "phone",
        "kind": "help",
        "severity": "urgent",
        "subject": "老人独居需要帮助",
        "body": "邻居老人独居，行动不便，希望社区上门看看。",
        "respondent_department": "housing",
        "people": [{"name": "王芳", "phone": "13700002222", "contact_by": "phone"}],
    }
    registered = as_user(cast.intake).post("/api/v1/cases", body, format="json")
    refused = as_user(cast.handler).post("/api/v1/cases", body, format="json")
    bad = as_user(cast.intake).post(
        "/api/v1/cases", {**body, "channel": "web", "respondent_department": "x"}, format="json"
    )

    assert registered.status_code == 201, registered.content
    case = Case.objects.get(number=registered.json()["number"])
    assert case.channel == Channel.PHONE
    assert case.severity == "urgent"
    assert case.events.get().actor == cast.intake
    assert registered.json()["due"]["unit"] == "hours"
    assert refused.status_code == 403
    assert set(bad.json()["errors"]) == {"channel", "respondent_department"}


def test_attachments_upload_and_download_are_access_checked(cast, as_user):
    case = drive_to(cast, State.IN_PROGRESS)
    scan = SimpleUploadedFile("现场核查.pdf", b"%PDF-1.4 fake", content_type="application/pdf")

    uploaded = as_user(cast.handler).post(
        f"/api/v1/cases/{case.number}/attachments",
        {"attachments": [scan], "note": "现场核查记录"},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    attachment = uploaded.json()["attachments"][0]
    assert attachment["name"] == "现场核查.pdf"
    assert attachment["is_public"] is False
    assert uploaded.json()["event"]["action"] == "files_added"

    url = f"/api/v1/cases/{case.number}/attachments/{attachment['id']}"
    download = as_user(cast.supervisor).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 fake"
    assert "attachment" in download["Content-Disposition"]

    readonly = as_user(cast.auditor).post(
        f"/api/v1/cases/{case.number}/attachments",
        {"attachments": [SimpleUploadedFile("a.txt", b"a", content_type="text/plain")]},
        format="multipart",
    )
    assert readonly.status_code == 403, "the auditor reads but does not add"

    outsider = user_create(username="outsider", password=PASSWORD, roles=[])
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(cast.intake).get(f"{url}0").status_code == 404
    empty = as_user(cast.handler).post(
        f"/api/v1/cases/{case.number}/attachments", {}, format="multipart"
    )
    assert set(empty.json()["errors"]) == {"attachments"}


def test_archived_case_takes_no_more_files(cast, as_user):
    case = drive_to(cast, State.ARCHIVED)
    scan = SimpleUploadedFile("late.txt", b"late", content_type="text/plain")
    response = as_user(cast.supervisor).post(
        f"/api/v1/cases/{case.number}/attachments", {"attachments": [scan]}, format="multipart"
    )
    assert response.status_code == 409
    assert not case.attachments.exists()
