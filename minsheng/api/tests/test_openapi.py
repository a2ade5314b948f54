"""The OpenAPI document: valid, complete, and true to what the API answers (schemathesis)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to

EXPECTED_OPERATIONS = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/public/stats"),
    ("post", "/api/v1/public/cases"),
    ("get", "/api/v1/public/cases/{number}"),
    ("post", "/api/v1/public/cases/{number}/actions/{action}"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{number}"),
    ("post", "/api/v1/cases/{number}/actions/{action}"),
    ("post", "/api/v1/cases/{number}/attachments"),
    ("get", "/api/v1/cases/{number}/attachments/{attachment_id}"),
    ("get", "/api/v1/cases/{number}/case-file.pdf"),
}


def test_openapi_document_is_valid_and_lists_every_endpoint(db, api):
    response = api.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    validate_schema(document)
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


# --- schemathesis: generated requests against the live WSGI app -------------------------

MAX_EXAMPLES = 10  # per operation and variant: about 300 requests, a few seconds
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, without closing the test's database connection after each
    request (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


def exercise(strategy, headers):
    """Send MAX_EXAMPLES generated requests and check each answer against the document."""

    @given(generated=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(generated):
        generated.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_api_answers_as_documented(cast, api_schema):
    """Generated requests, valid and invalid, against every operation: no 500, and every
    answer's status, media type, headers and body as the document says. Each operation
    is tried with random path values and with a real case (and its query code)."""
    registered = cast.submit()
    case = drive_to(cast, State.IN_PROGRESS)
    token = Token.objects.get_or_create(user=cast.intake)[0].key
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        is_public = "/public/" in operation.path or operation.path.endswith("/auth/token")
        headers = {} if is_public else {"Authorization": f"Token {token}"}
        real = {}
        if "{number}" in operation.path:
            real = {"number": registered.case.number if is_public else case.number}
            if is_public:
                headers = {"X-Query-Code": registered.query_code}
        variants = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real),
        ]
        for strategy in variants:
            try:
                exercise(strategy, headers)
            except Unsatisfiable:
                pass  # nothing left to vary (e.g. a negative request with fixed path values)
            except Exception as error:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
