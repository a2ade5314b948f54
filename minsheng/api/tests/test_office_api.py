"""The API follows the office's configuration: registration takes `case_class`, `extra` and
`regulator_reference` and names the field it refuses; the case shows them; `GET
/api/v1/office` describes the office to an app building its form."""

from datetime import timedelta

from django.utils import timezone

from minsheng.cases import office
from minsheng.cases.models import Case, Category, Channel
from minsheng.cases.tests.office_factories import (
    TWO_YEARS_TEXT,
    insurance_category,
    insurer_classes,
    office_takes,
    policy_number_field,
    reception,
    two_year_limit,
)
from minsheng.deadlines.models import Kind, Severity

PERSON = {"name": "钱敏", "phone": "13712345678"}


def matter(**changes):
    return {
        "kind": "complaint",
        "subject": "理赔迟迟不到账",
        "body": "车险理赔申请一个月了还没有到账。",
        "people": [PERSON],
        **changes,
    }


def test_the_two_year_limit_is_refused_on_occurred_at_with_its_legal_text(db, api):
    reason = two_year_limit()
    old = (timezone.now() - timedelta(days=800)).isoformat()

    refused = api.post("/api/v1/public/cases", matter(occurred_at=old), format="json")

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == {"occurred_at": [office.reason_text(reason)]}
    assert TWO_YEARS_TEXT in refused.json()["errors"]["occurred_at"][0]
    assert not Case.objects.exists()


def test_staff_register_with_class_extra_fields_and_see_them_on_the_case(cast, as_user):
    classes = insurer_classes()
    claims = insurance_category()
    car = Category.objects.get(name="车险理赔")
    policy_number_field(claims)
    intake = as_user(cast.intake)

    missing = intake.post("/api/v1/cases", matter(category=car.pk, case_class="a"), format="json")
    bad = intake.post(
        "/api/v1/cases",
        matter(category=car.pk, case_class="a", extra={"policy_number": "X1"}),
        format="json",
    )
    unknown_class = intake.post("/api/v1/cases", matter(case_class="zz"), format="json")
    made = intake.post(
        "/api/v1/cases",
        matter(category=car.pk, case_class="a", extra={"policy_number": "P20261206"}),
        format="json",
    )

    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["extra.policy_number"]
    assert "policy_number" in missing.json()["errors"]["extra.policy_number"][0]
    assert list(bad.json()["errors"]) == ["extra.policy_number"]
    assert list(unknown_class.json()["errors"]) == ["case_class"]
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    case = intake.get(f"/api/v1/cases/{number}").json()["case"]
    assert case["case_class"] == {"code": "a", "label": "A类"}
    assert case["severity"] == Severity.URGENT == classes["A"].handling
    assert case["extra"] == {"policy_number": "P20261206"}
    assert case["extra_details"] == [
        {"code": "policy_number", "label": "保单号", "value": "P20261206"}
    ]


def test_a_regulator_transfer_is_registered_with_its_reference(cast, as_user):
    intake = as_user(cast.intake)

    without = intake.post("/api/v1/cases", matter(channel="regulator"), format="json")
    made = intake.post(
        "/api/v1/cases",
        matter(channel="regulator", regulator_reference="监管转〔2026〕88号"),
        format="json",
    )

    assert list(without.json()["errors"]) == ["regulator_reference"]
    assert made.status_code == 201, made.content
    case = intake.get(f"/api/v1/cases/{made.json()['number']}").json()["case"]
    assert (case["channel"], case["regulator_reference"]) == ("regulator", "监管转〔2026〕88号")


def test_kinds_and_channels_the_office_does_not_take_are_refused(cast, as_user, api):
    office_takes(kinds=[Kind.COMPLAINT], channels=[Channel.PHONE, Channel.API])

    suggestion = api.post("/api/v1/public/cases", matter(kind="suggestion"), format="json")
    by_letter = as_user(cast.intake).post("/api/v1/cases", matter(channel="letter"), format="json")
    complaint = api.post("/api/v1/public/cases", matter(), format="json")

    assert list(suggestion.json()["errors"]) == ["kind"]
    assert list(by_letter.json()["errors"]) == ["channel"]
    assert complaint.status_code == 201


def test_extra_fields_in_multipart_form_data_are_named_extra_dot_code(cast, as_user):
    policy_number_field()
    intake = as_user(cast.intake)
    flat = {"kind": "complaint", "subject": "理赔", "body": "理赔慢", "name": "钱敏"}

    refused = intake.post("/api/v1/cases", {**flat, "phone": "13712345678"})
    made = intake.post(
        "/api/v1/cases",
        {**flat, "phone": "13712345678", "extra.policy_number": "P12345678"},
    )

    assert list(refused.json()["errors"]) == ["extra.policy_number"]
    assert made.status_code == 201, made.content
    assert Case.objects.get(number=made.json()["number"]).extra == {"policy_number": "P12345678"}


def test_the_office_describes_itself_without_personal_data(db, api):
    reception(reception_place="市民中心三楼", reception_hours="工作日 9:00–17:00")
    insurer_classes()
    claims = insurance_category()
    policy_number_field(claims)

    office = api.get("/api/v1/office").json()

    assert office["name"] == "市劳动保障监察支队"
    assert office["reception"] == {
        "place": "市民中心三楼",
        "hours": "工作日 9:00–17:00",
        "phone": "",
        "days": "",
    }
    assert [c["code"] for c in office["case_classes"]] == ["a", "b", "c"]
    assert {k["code"] for k in office["kinds"]} == set(Kind.values)
    assert office["extra_fields"] == [
        {
            "code": "policy_number",
            "label": "保单号",
            "type": "text",
            "is_required": True,
            "choices": [],
            "pattern": r"P\d{8}",
            "category": {"id": claims.pk, "name": "保险理赔", "level": 1},
        }
    ]


def test_the_document_lists_the_offices_extra_fields_for_registration(db, api):
    policy_number_field()

    document = api.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    extra = schemas["SubmissionInputRequest"]["properties"]["extra"]
    assert extra["additionalProperties"] is False
    assert set(extra["properties"]) == {"policy_number"}
    assert "/api/v1/office" in document["paths"]


def test_a_complainant_cannot_choose_the_class(db, api):
    """The class is staff's call, as the severity is: the public API does not take it."""
    insurer_classes()

    chose = api.post("/api/v1/public/cases", matter(case_class="a"), format="json")
    document = api.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert chose.status_code == 201, chose.content
    case = Case.objects.get()
    assert (case.case_class_id, case.severity) == (None, Severity.GENERAL)
    assert "case_class" not in document["SubmissionInputRequest"]["properties"]
    assert "case_class" in document["StaffSubmissionInputRequest"]["properties"]
