"""The OpenAPI document of the REST API v1 (drf-spectacular), and helpers to annotate views.

`ApiSchema` documents what our input serializers enforce beyond drf-spectacular's field
types, so that a request the document calls valid is accepted and one it calls invalid is
refused (schemathesis checks both in `api/tests/test_openapi.py`):
- no text holds a NUL character (`ApiView` refuses them in the query, `StrictInput` in
  bodies), and text that may not be blank holds more than whitespace (DRF trims it first);
- a body that refuses unknown fields (`StrictInput.refuses_unknown_fields`) says
  `additionalProperties: false`;
- rules across fields that a serializer states in `openapi_rules` (e.g. who must be named
  on a submission) are added to its object schema;
- uploaded files may not be empty.
"""

import copy
from typing import Any

from django import forms
from django_filters import FilterSet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from minsheng.accounts.models import Role
from minsheng.api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer
from minsheng.api.v1.actions import FILE_ACTIONS, action_input_classes
from minsheng.api.v1.inputs import NO_NUL, NON_BLANK
from minsheng.cases.workflow import ACTIONS, Act


def _text_pattern(field: serializers.Field | None, schema: dict[str, Any]) -> None:
    """Add to a plain text schema what its field enforces (see the module's docstring)."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _text_pattern(getattr(field, "child", None), schema["items"])
        return
    plain = not schema.keys() & {"enum", "format", "pattern", "oneOf", "not"}
    if schema.get("type") != "string" or not plain:
        return
    non_blank = (
        isinstance(field, serializers.CharField) and field.trim_whitespace and not field.allow_blank
    )
    # Copies: drf-spectacular's hooks rewrite the schema in place, which must not reach
    # the constants (the next document would start from the rewritten ones).
    schema.update(copy.deepcopy(NON_BLANK if non_blank else NO_NUL))


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, saying also what the input serializers enforce beyond
    field types (see the module's docstring)."""

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        if direction == "request" and hasattr(field, "openapi_schema"):
            return field.openapi_schema()  # a field whose values the configuration decides
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1
        items = schema.get("items")
        child = getattr(field, "child", None)
        if (
            isinstance(child, serializers.FileField)
            and isinstance(items, dict)
            and not child.allow_empty_file
        ):
            items["minLength"] = 1
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        fields = serializer.fields
        for name, prop in schema.get("properties", {}).items():
            _text_pattern(fields.get(name), prop)
        if getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        schema.update(copy.deepcopy(getattr(serializer, "openapi_rules", {})))
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query":
                _text_pattern(None, parameter.get("schema", {}))
        return operation


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
        # A boolean that must be true (a confirmation) or false, in the request bodies.
        "TrueEnum": [(True, True)],
        "FalseEnum": [(False, False)],
        # The choices of the lifecycle actions' inputs, named after their TextChoices.
        **{
            f"{spec.choices.__name__}Enum": spec.choices
            for action in ACTIONS.values()
            for spec in action.inputs
            if spec.choices is not None
        },
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
    429: "Too many requests from this address (or for this case); `Retry-After` says when to "
    "try again.",
}


def problems(*statuses: int) -> dict[Any, OpenApiResponse]:
    """Problem JSON responses for these statuses, for `extend_schema(responses=...)`."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            response=ProblemSerializer, description=PROBLEM_DESCRIPTIONS[status]
        )
        for status in statuses
    }


# Every endpoint can answer these whatever its input (400: a NUL character in any query
# parameter, see `ApiView`).
COMMON_PROBLEMS = (400, 405, 406, 415)

NUMBER = OpenApiParameter(
    "number", str, OpenApiParameter.PATH, description="Case number, e.g. MS-20261122-000123."
)
QUERY_CODE_HEADER = OpenApiParameter(
    "X-Query-Code", str, OpenApiParameter.HEADER, description="The case's query code."
)
QUERY_CODE_PARAM = OpenApiParameter(
    "code", str, OpenApiParameter.QUERY, description="The query code, if not in the header."
)


def schema_view() -> Any:
    """The view serving /api/v1/openapi.json: public, and only the v1 endpoints."""
    return SpectacularJSONAPIView.as_view(
        urlconf="minsheng.api.urls",
        custom_settings=SCHEMA_SETTINGS,
        authentication_classes=[],
        permission_classes=[AllowAny],
    )


def act_camel(act: Act) -> str:
    """`extension_request` as `ExtensionRequest`, for the names of an action's classes."""
    return act.value.title().replace("_", "")


def action_request(act: Act) -> dict[str, Any]:
    """`act`'s request body in JSON and in multipart form data, for `extend_schema`."""
    json_class, form_class = action_input_classes(act)
    return {"application/json": json_class, "multipart/form-data": form_class}


def action_description(act: Act, *, public: bool = False) -> str:
    """What the lifecycle table says of `act`: from which states, to which, by whom."""
    spec = ACTIONS[act]
    sources = ", ".join(f"`{state}`" for state in sorted(spec.sources))
    targets = sorted({target for source in spec.sources for target in spec.targets_from(source)})
    if spec.target is None and spec.choose is None:
        leads_to = "It leaves the state as it is."
    else:
        leads_to = "It leads to " + " or ".join(f"`{state}`" for state in targets) + "."
    if public:
        who = "The complainant takes it with the case's query code."
    else:
        roles = ", ".join(f"`{role}`" for role in sorted(spec.roles - {Role.PUBLIC}))
        who = f"Taken by {roles}; `allowed_actions` on the case says whether the caller may now."
    parts = [
        f"From {sources}. {leads_to}",
        who,
        "The body holds only this action's fields; any other field is refused (400).",
    ]
    if act in FILE_ACTIONS:
        parts.append("Files go in multipart form data as `attachments`.")
    return "\n\n".join(parts)


def filter_parameters(filterset: type[FilterSet]) -> list[OpenApiParameter]:
    """The query parameters of a FilterSet's filters whose type drf-spectacular does not
    infer (those filtering through a method, or naming rows by a code), as their form
    fields read them; drf-spectacular documents the others."""
    parameters = []
    for name, each in filterset.base_filters.items():
        field = each.field
        schema: dict[str, Any]
        if isinstance(field, forms.DateField):
            schema = {"type": "string", "format": "date"}
        elif isinstance(field, forms.NullBooleanField):
            schema = {"type": "boolean"}
        elif isinstance(field, forms.ModelChoiceField):
            by_code = field.to_field_name is not None
            schema = {"type": "string"} if by_code else {"type": "integer"}
            if each.extra.get("null_label") is not None and not by_code:
                schema = {"anyOf": [schema, {"type": "string", "enum": [each.null_value]}]}
        else:
            continue
        parameters.append(
            OpenApiParameter(name, schema, OpenApiParameter.QUERY, description=each.label)
        )
    return parameters
