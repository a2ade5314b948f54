"""The OpenAPI document: valid, complete, and true to what the API answers (schemathesis)."""

import gc
import threading

import jsonschema
import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test.testcases import QuietWSGIRequestHandler
from django_filters import ModelChoiceFilter
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.relations import RelatedField
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, from_schema
from schemathesis.engine.events import (
    FatalError,
    FuzzScenarioFinished,
    NonFatalError,
    ScenarioFinished,
)
from schemathesis.openapi.checks import RejectedPositiveData

from minsheng.accounts.models import Department
from minsheng.api.v1.actions import action_input_classes
from minsheng.api.v1.serializers import StaffSubmissionInputSerializer
from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Area, Case, Category, Channel, RejectionReason, State
from minsheng.cases.services import case_files_add
from minsheng.cases.tests.factories import PASSWORD, drive_to
from minsheng.cases.workflow import ACTIONS, Act, InputKind, public_actions
from minsheng.deadlines.models import CaseClass, Kind

EXPECTED_OPERATIONS = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/office"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/stats/evaluation"),
    ("get", "/api/v1/public/stats"),
    ("post", "/api/v1/public/cases"),
    ("get", "/api/v1/public/cases/{number}"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{number}"),
    ("post", "/api/v1/cases/{number}/attachments"),
    ("get", "/api/v1/cases/{number}/attachments/{attachment_id}"),
    ("get", "/api/v1/cases/{number}/case-file.pdf"),
    ("get", "/api/v1/cases/{number}/reporter-grants"),
    ("post", "/api/v1/cases/{number}/reporter-grants"),
    ("post", "/api/v1/cases/{number}/reporter-grants/{grant_id}/revoke"),
    ("get", "/api/v1/cases/{number}/mediation-agreements"),
    ("post", "/api/v1/cases/{number}/mediation-agreements/{agreement_id}/signatures"),
    ("post", "/api/v1/cases/{number}/mediation-agreements/{agreement_id}/fulfilment"),
    ("post", "/api/v1/cases/{number}/result-signature"),
    ("get", "/api/v1/notices"),
    ("post", "/api/v1/notices"),
    ("get", "/api/v1/notices/{notice_id}"),
    ("post", "/api/v1/notices/{notice_id}/actions/{action}"),
    ("get", "/api/v1/dispatch/policies"),
    ("post", "/api/v1/dispatch/policies"),
    ("get", "/api/v1/dispatch/policies/{policy_id}"),
    ("patch", "/api/v1/dispatch/policies/{policy_id}"),
    ("get", "/api/v1/dispatch/switch"),
    ("put", "/api/v1/dispatch/switch"),
    ("get", "/api/v1/dispatch/corrections"),
    ("get", "/api/v1/enforcement"),
    ("post", "/api/v1/enforcement"),
    ("get", "/api/v1/enforcement/{enforcement_id}"),
    ("post", "/api/v1/enforcement/{enforcement_id}/steps"),
    # One operation per lifecycle action, each with its own body.
    *(("post", f"/api/v1/cases/{{number}}/actions/{act}") for act in ACTIONS),
    *(("post", f"/api/v1/public/cases/{{number}}/actions/{act}") for act in public_actions()),
}


def test_openapi_document_is_valid_and_lists_every_endpoint(db, api):
    response = api.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
    assert api.get("/api/v1/openapi.json").json() == document, "the same the next time"
    operations = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert operations == EXPECTED_OPERATIONS
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            problem_statuses = [
                status
                for status, answer in op["responses"].items()
                if "application/problem+json" in answer.get("content", {})
            ]
            assert problem_statuses, f"{method} {path} documents its problems"
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    list_params = {p["name"] for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert {"state", "q", "overdue", "ordering", "page", "page_size"} <= list_params


def test_each_action_documents_its_own_body_from_the_lifecycle_table(db, api):
    document = api.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]

    def body(act, media_type="application/json"):
        operation = document["paths"][f"/api/v1/cases/{{number}}/actions/{act}"]["post"]
        assert operation["operationId"] == f"cases_action_{act}"
        ref = operation["requestBody"]["content"][media_type]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    link, accept = body("link"), body("accept")
    assert set(link["required"]) == {"other", "kind"}
    assert link["additionalProperties"] is False
    assert schemas["LinkKindEnum"]["enum"] == ["duplicate", "related"]
    assert "required" not in accept
    assert set(accept["properties"]) == {"kind", "severity", "case_class", "category", "note"}
    extension = body("extension_request")["properties"]["amount"]
    assert (extension["type"], extension["minimum"], extension["maximum"]) == ("integer", 1, 365)
    assert body("transfer")["properties"]["consent"] == {
        "allOf": [{"$ref": "#/components/schemas/TrueEnum"}],
        "description": str(ACTIONS[Act.TRANSFER].inputs[1].label),
    }
    assert "attachments" in body("supplement", "multipart/form-data")["properties"]
    assert "attachments" not in body("supplement")["properties"]
    assert "attachments" not in body("note", "multipart/form-data")["properties"]
    public = document["paths"]["/api/v1/public/cases/{number}/actions/rate"]["post"]
    assert public["operationId"] == "public_case_action_rate"


def test_statistics_filters_document_the_values_they_accept(db, api):
    """Found by the role runs: `kind` and `channel` were any string, the API refused all but
    a few."""
    operation = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/stats"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}

    assert sorted(schemas["kind"]["enum"]) == sorted(Kind.values)
    assert sorted(schemas["channel"]["enum"]) == sorted(Channel.values)


def test_the_document_asks_a_regulator_transfer_for_its_reference(db, api):
    """Found by the generated requests: the document let a regulator's transfer through
    without the regulator's reference, which the API refuses (`cases.services`)."""
    document = api.get("/api/v1/openapi.json").json()
    content = document["paths"]["/api/v1/cases"]["post"]["requestBody"]["content"]
    matter = {"kind": "complaint", "subject": "转办", "body": "转办。", "is_anonymous": True}
    for media_type in ("application/json", "multipart/form-data"):
        ref = content[media_type]["schema"]["$ref"]
        schema = {"$ref": ref, "components": document["components"]}
        is_valid = jsonschema.Draft202012Validator(schema).is_valid
        assert is_valid({**matter, "channel": "phone"}), media_type
        assert not is_valid({**matter, "channel": "regulator"}), media_type
        assert not is_valid({**matter, "channel": "regulator", "regulator_reference": " "})
        assert is_valid({**matter, "channel": "regulator", "regulator_reference": "监管2026-1"})


def test_generated_action_bodies_require_what_the_table_requires():
    link, _ = action_input_classes(Act.LINK)
    accept, _ = action_input_classes(Act.ACCEPT)

    assert {name for name, field in link().fields.items() if field.required} == {"other", "kind"}
    assert not any(field.required for field in accept().fields.values())
    empty_link = link(data={})
    assert not empty_link.is_valid()
    assert set(empty_link.errors) == {"other", "kind"}
    assert accept(data={}).is_valid()
    refused = accept(data={"rating": "poor", "severity": 1})
    assert not refused.is_valid()
    assert set(refused.errors) == {"rating", "severity"}


# --- schemathesis: generated requests against a live server -----------------------------

MAX_EXAMPLES = 8  # per operation, phase and generation mode
# Seconds a request may take before schemathesis calls it a network error (its default is
# 10): a PDF rendered on a machine busy with other work can take longer; a hang guard only.
REQUEST_TIMEOUT = 120


def failures_of(events) -> list[str]:
    """Every failed check and every error of a schemathesis run, for the assertion message."""
    found: list[str] = []
    for event in events:
        if isinstance(event, ScenarioFinished | FuzzScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        answer = event.recorder.interactions.get(case_id)
                        body = answer.response.content[:500] if answer and answer.response else b""
                        found.append(
                            f"{failure.operation}: {failure.title}\n{failure.message}\n"
                            f"{check.failure_info.code_sample[:1500]}\n{body!r}"
                        )
        elif isinstance(event, NonFatalError):
            found.append(f"error: {event.info.format()}")
        elif isinstance(event, FatalError):
            found.append(f"error: {event.exception!r}")
    return found


# Fields and filters whose value must name a row that exists (a department, a category,
# an area, a case): the document gives their type, the database decides which values exist.
REFERENCE_KINDS = {
    InputKind.DEPARTMENT: Department,
    InputKind.DEPARTMENTS: Department,
    InputKind.CATEGORY: Category,
    InputKind.CASE: Case,
    InputKind.CASE_CLASS: CaseClass,
    InputKind.REJECTION_REASON: RejectionReason,
}


def reference_models() -> dict[str, type[Model]]:
    """The name of every reference field of a body or filter, and the model it names."""
    names: dict[str, type[Model]] = {
        spec.name: REFERENCE_KINDS[spec.kind]
        for action in ACTIONS.values()
        for spec in action.inputs
        if spec.kind in REFERENCE_KINDS
    }
    for name, field in StaffSubmissionInputSerializer().fields.items():
        if isinstance(field, RelatedField) and field.queryset is not None:
            names[name] = field.queryset.model
    for name, each in CaseFilterSet.base_filters.items():
        if isinstance(each, ModelChoiceFilter):
            names[name] = each.queryset.model
    return names


def reference_data(cast) -> dict[str, list[str]]:
    """The existing values of every reference field, and a user's credentials."""
    category = Category.objects.create(name="城乡建设", level=1, department=cast.housing)
    area = Area.objects.create(name="城东区", code="east", level=Area.Level.DISTRICT)
    other = cast.submit(subject="另一件投诉").case
    by_model: dict[type[Model], list[str]] = {
        Department: [cast.housing.code, cast.environment.code],
        Category: [str(category.pk)],
        Area: [area.code],
        Case: [other.number],
        CaseClass: [CaseClass.objects.create(code="general", label="一般").code],
        RejectionReason: [RejectionReason.objects.create(code="late", label="超过时效").code],
    }
    existing = {name: by_model[model] for name, model in reference_models().items()}
    existing["cases"] = [other.number]  # a supervision notice's cases
    return {**existing, "username": [cast.intake.username], "password": [PASSWORD]}


def as_parameters(existing: dict[str, list[str]]) -> dict[str, object]:
    """Existing values as schemathesis parameters, used where it generates bodies and
    queries (its coverage phase draws its own values: `keeps_failure` judges those). Lists
    of departments take the second, so that a lead department is not also a co-handler."""
    parameters: dict[str, object] = {}
    for name, values in existing.items():
        value: object = int(values[0]) if values[0].isdigit() else values[0]
        if name == "co_departments":
            parameters["body.co_departments[*]"] = values[1]
            continue
        if name == "cases":
            parameters["body.cases[*]"] = values[0]
            continue
        parameters[f"body.{name}"] = value
        if name in CaseFilterSet.base_filters:
            parameters[f"query.{name}"] = value
    return parameters


def keeps_failure(existing: dict[str, list[str]]):
    """schemathesis's `filter_failure` hook: a schema-valid request refused (400) only for
    values that name no existing row, or for credentials of nobody, is not the document's
    fault; any other refusal stays a failure, as does the refusal of existing values."""

    def filter_failure(context, failure, case, response) -> bool:
        if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
            return True
        refused = set(response.json().get("errors", {}))
        sent = {**(case.query or {}), **(case.body if isinstance(case.body, dict) else {})}

        def exists(name: str) -> bool:
            values = sent.get(name)
            values = values if isinstance(values, list) else [values]
            return all(str(value) in existing[name] for value in values)

        if case.operation.path == "/api/v1/stats" and refused == {"non_field_errors"}:
            return False  # a period that ends before it starts: two fields, one rule
        if refused == {"attachments"}:
            # The document says "a file"; which files are accepted is decided by their
            # content (lib/uploads.py: no executables, scripts, HTML or archive bombs), and
            # generated bytes are rarely a file anyone would accept.
            return False
        if case.operation.path == "/api/v1/auth/token":
            return refused != {"non_field_errors"} or (exists("username") and exists("password"))
        return not refused <= set(existing) or all(exists(name) for name in refused)

    return filter_failure


@pytest.fixture
def quick_live_server(live_server, monkeypatch, settings):
    """The live server, answering without Nagle's algorithm: on a kept-alive connection
    the response's second write otherwise waits 40 ms for the client's delayed ACK, which
    is most of a request's time here. Afterwards the clients' kept-alive connections are
    closed and their server threads ended while the test still shares its database
    connection with them."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)
    # Thousands of generated requests from one address: rate limits and login lockouts
    # (tested on their own) would answer most of them before the code under test does.
    settings.MINSHENG_RATELIMIT_ALLOW = ["127.0.0.1/32", "::1/128"]
    settings.AXES_ENABLED = False
    yield live_server
    gc.collect()  # schemathesis's HTTP sessions, and with them their connections
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)


def test_api_answers_as_documented(quick_live_server, cast):
    """Generated requests, valid and invalid, against every operation on cases, with every check
    (`schemathesis run --checks all`): no 500; every answer's status, media type, headers
    and body as the document says; no schema-valid request refused; no schema-invalid one
    accepted. Staff operations run with an intake agent's token on a submitted case (with
    a file), the public ones on a fresh case with its query code."""
    case = cast.submit().case
    attachment = case_files_add(
        case=case, actor=cast.intake, files=[SimpleUploadedFile("a.txt", b"a")], is_public=False
    ).attachments.get()
    registered = cast.submit()
    token = Token.objects.get_or_create(user=cast.intake)[0].key
    existing = reference_data(cast)
    config = SchemathesisConfig.from_dict(
        {
            "seed": 1,
            "request-timeout": REQUEST_TIMEOUT,
            "headers": {"Authorization": f"Token {token}"},
            "workers": 1,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "parameters": as_parameters(existing),
            "operations": [
                {
                    "include-path-regex": "^/api/v1/cases/",
                    "parameters": {"number": case.number, "attachment_id": attachment.pk},
                },
                {
                    "include-path-regex": "^/api/v1/public/cases/",
                    "parameters": {
                        "number": registered.case.number,
                        "X-Query-Code": registered.query_code,
                    },
                },
                # The cases' endpoints: supervision notices and statistics have their own tests.
                {"include-path-regex": "^/api/v1/(notices|stats|public/stats)", "enabled": False},
            ],
        }
    )
    url = f"{quick_live_server.url}/api/v1/openapi.json"
    api_schema = schemathesis.openapi.from_url(url, config=config)
    api_schema.hook(keeps_failure(existing))

    failures = failures_of(from_schema(api_schema).execute())

    assert not failures, "\n\n".join(failures)


# --- every role, the whole API --------------------------------------------------------

# Per operation, phase and generation mode, for each further role: enough to reach every
# operation with valid and invalid input while the whole run stays within a few minutes.
ROLE_MAX_EXAMPLES = 3
STAFF_ROLES = ["dispatcher", "handler", "head", "supervisor", "auditor", "admin"]


def whole_api_failures(url: str, *, headers: dict[str, str], existing, operations) -> list[str]:
    """A schemathesis run over every operation of the document (the examples and fuzzing
    phases, every check), with `headers` on each request."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": 2,
            "request-timeout": REQUEST_TIMEOUT,
            "headers": headers,
            "workers": 1,
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {
                "max-examples": ROLE_MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "parameters": as_parameters(existing),
            "operations": operations,
        }
    )
    api_schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json", config=config)
    api_schema.hook(keeps_failure(existing))
    return failures_of(from_schema(api_schema).execute())


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_role_gets_documented_answers_and_no_server_error(quick_live_server, cast, role):
    """The whole API (cases, notices, statistics, public endpoints) with each staff role's
    token, on a case its department handles: refusals are documented 403/404 problems,
    never a 5xx, and every answer matches the document."""
    case = drive_to(cast, State.IN_PROGRESS)
    registered = cast.submit()
    token = Token.objects.get_or_create(user=getattr(cast, role))[0].key
    existing = reference_data(cast)
    operations = [
        {"include-path-regex": "^/api/v1/cases/", "parameters": {"number": case.number}},
        {
            "include-path-regex": "^/api/v1/public/cases/",
            "parameters": {
                "number": registered.case.number,
                "X-Query-Code": registered.query_code,
            },
        },
    ]

    failures = whole_api_failures(
        quick_live_server.url,
        headers={"Authorization": f"Token {token}"},
        existing=existing,
        operations=operations,
    )

    assert not failures, "\n\n".join(failures)


def test_anonymous_callers_get_documented_answers_and_no_server_error(quick_live_server, cast):
    """Without a token: the public endpoints answer as documented, every staff endpoint
    refuses with its documented 401 problem."""
    registered = cast.submit()
    existing = reference_data(cast)
    operations = [
        {
            "include-path-regex": "^/api/v1/(public/)?cases/",
            "parameters": {
                "number": registered.case.number,
                "X-Query-Code": registered.query_code,
            },
        },
    ]

    failures = whole_api_failures(
        quick_live_server.url, headers={}, existing=existing, operations=operations
    )

    assert not failures, "\n\n".join(failures)
