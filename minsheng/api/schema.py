"""The OpenAPI document of the REST API v1 (drf-spectacular), and helpers to annotate views."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny

from minsheng.api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer
from minsheng.cases.workflow import ACTIONS, public_actions

# Applied when the document is served. They belong in settings.SPECTACULAR_SETTINGS; kept
# here so the document is right whatever the project settings say.
SCHEMA_SETTINGS: dict[str, Any] = {
    "TITLE": "Minsheng API",
    "DESCRIPTION": (
        "Complaint and petition management (民声), REST API v1.\n\n"
        "Staff authenticate with `Authorization: Token <token>` from `POST /api/v1/auth/token`."
        " The public needs no token: a case's query code (header `X-Query-Code` or parameter"
        " `code`) proves the complainant. Every error is RFC 9457 problem JSON"
        " (`application/problem+json`) with the invalid fields under `errors`."
    ),
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StateEnum": "minsheng.cases.models.State",
        "KindEnum": "minsheng.deadlines.models.Kind",
        "SeverityEnum": "minsheng.deadlines.models.Severity",
        "ChannelEnum": "minsheng.cases.models.Channel",
        "StaffChannelEnum": "minsheng.api.v1.serializers.STAFF_CHANNEL_CHOICES",
        "StepEnum": "minsheng.deadlines.models.Step",
        "UnitEnum": "minsheng.deadlines.models.Unit",
    },
}

PROBLEM_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field.",
    401: "No or a wrong token.",
    403: "The caller may not do this.",
    404: "No such resource, or not visible to the caller.",
    405: "Method not allowed.",
    406: "Cannot answer in the accepted media type.",
    409: "The action is not possible in the case's current state.",
    413: "The request is too large.",
    415: "Unsupported media type.",
}


def problems(*statuses: int) -> dict[Any, OpenApiResponse]:
    """Problem JSON responses for these statuses, for `extend_schema(responses=...)`."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=ProblemSerializer, description=PROBLEM_DESCRIPTIONS[status]
        )
        for status in statuses
    }


# Every endpoint can answer these whatever its input.
COMMON_PROBLEMS = (405, 406, 415)

NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, description="Case number, e.g. MS-20261122-000123."
)
QUERY_CODE_HEADER = OpenApiParameter(
    "X-Query-Code", str, OpenApiParameter.HEADER, description="The case's query code."
)
QUERY_CODE_PARAM = OpenApiParameter(
    "code", str, OpenApiParameter.QUERY, description="The query code, if not in the header."
)
STAFF_ACTION = OpenApiParameter(
    "action",
    str,
    OpenApiParameter.PATH,
    enum=sorted(ACTIONS),
    description="A lifecycle action; `allowed_actions` lists those the caller may take now.",
)
PUBLIC_ACTION = OpenApiParameter(
    "action",
    str,
    OpenApiParameter.PATH,
    enum=sorted(public_actions()),
    description="An action the complainant takes: " + ", ".join(public_actions()) + ".",
)


def schema_view() -> Any:
    """The view serving /api/v1/openapi.json: public, and only the v1 endpoints."""
    return SpectacularJSONAPIView.as_view(
        urlconf="minsheng.api.urls",
        custom_settings=SCHEMA_SETTINGS,
        authentication_classes=[],
        permission_classes=[AllowAny],
    )
