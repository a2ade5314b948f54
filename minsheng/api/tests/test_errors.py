"""Problem JSON for every kind of bad input, and never a 500."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from minsheng.api.errors import field_errors, problem_exception_handler
from minsheng.cases.models import Case
from minsheng.cases.workflow import TransitionNotAllowed


def test_field_errors_flatten_nested_lists_and_non_field_errors():
    detail = {
        "subject": ["Too long."],
        "people": {1: {"email": ["Enter a valid e-mail address."]}},
        "attachments": [[], ["Too big."]],
        "non_field_errors": ["Bad."],
        "__all__": ["Also bad."],
    }
    assert field_errors(detail) == {
        "subject": ["Too long."],
        "people[1].email": ["Enter a valid e-mail address."],
        "attachments[1]": ["Too big."],
        "non_field_errors": ["Bad.", "Also bad."],
    }


@pytest.mark.parametrize(
    ("error", "status", "errors"),
    [
        (ValidationError({"note": ["Required."]}), 400, {"note": ["Required."]}),
        (ValidationError("Plain."), 400, {"non_field_errors": ["Plain."]}),
        (serializers.ValidationError({"kind": ["Bad."]}), 400, {"kind": ["Bad."]}),
        (TransitionNotAllowed("Not now."), 409, None),
    ],
)
def test_handler_maps_domain_errors_to_problems(error, status, errors):
    response = problem_exception_handler(error, {})
    assert response is not None
    assert response.status_code == status
    assert response.data["status"] == status
    assert response.data.get("errors") == errors
    assert response.content_type == "application/problem+json"


def test_unexpected_errors_are_left_to_be_500s():
    assert problem_exception_handler(ZeroDivisionError(), {}) is None


def test_api_paths_that_do_not_exist_answer_with_a_problem(db, api):
    for response in (
        api.get("/api/v1/"),
        api.get("/api/v1/nothing/here"),
        api.post("/api/v1/cases/", {}, format="json"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_hostile_bodies_are_refused_with_problems(db, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    url = "/api/v1/public/cases"
    base = {"kind": "complaint", "subject": "s", "body": "b", "is_anonymous": True}

    deep = api.post(url, "[" * 9_000, content_type="application/json")
    too_big = api.post(url, {**base, "body": "长" * 20_000}, format="json")
    too_long = api.post(url, {**base, "subject": "长" * 201}, format="json")
    nul = api.post(url, {**base, "subject": "a\x00b"}, format="json")
    surrogate = api.post(
        url,
        '{"kind": "complaint", "subject": "\\ud800", "body": "b"}',
        content_type="application/json",
    )
    wrong_types = api.post(
        url, {**base, "subject": ["a"], "is_anonymous": "maybe", "people": "x"}, format="json"
    )
    nan = api.post(url, '{"latitude": NaN}', content_type="application/json")
    bad_charset = api.post(url, b"{}", content_type="application/json; charset=bz2_codec")

    assert deep.status_code == 400
    assert too_big.status_code == 413
    assert set(too_long.json()["errors"]) == {"subject"}
    assert set(nul.json()["errors"]) == {"subject"}
    assert set(surrogate.json()["errors"]) == {"subject"}
    assert set(wrong_types.json()["errors"]) == {"subject", "is_anonymous", "people"}
    assert nan.status_code == 400
    assert bad_charset.status_code == 400
    for response in (deep, too_big, too_long, nul, surrogate, wrong_types, nan, bad_charset):
        assert response["Content-Type"] == "application/problem+json"
    assert not Case.objects.exists()


def test_null_characters_in_paths_and_filters_are_refused_before_any_query(cast, as_user):
    client = as_user(cast.intake)
    assert client.get("/api/v1/cases/MS%00").status_code == 404
    response = client.get("/api/v1/cases", {"department": "hous\x00ing"})
    assert set(response.json()["errors"]) == {"department"}


def test_null_characters_in_bodies_are_refused_by_field_name(cast, as_user):
    body = {
        "kind": "help",
        "subject": "s",
        "body": "b",
        "is_anonymous": True,
        "area": "cd\x00",
        "people": [],
    }
    as_json = as_user(cast.intake).post("/api/v1/cases", body, format="json")
    as_form = as_user(cast.intake).post("/api/v1/cases", body, format="multipart")
    nested = as_user(cast.intake).post(
        "/api/v1/cases",
        {**body, "area": None, "people": [{"name": "a\x00", "phone": "1"}]},
        format="json",
    )
    assert set(as_json.json()["errors"]) == {"area"}
    assert set(as_form.json()["errors"]) == {"area"}
    assert set(nested.json()["errors"]) == {"people[0].name"}
    assert not Case.objects.exists()
