"""Enforcement cases (立案查处) through the API (token): those the caller may see, opening one
from a complaint, one with its steps, and taking its next step. The step table
(`enforcement.services`) decides who may take which step and when; every enforcement case
is reached through `enforcement.selectors.enforcement_get_for` (404 whether missing or not
the caller's)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.accounts.models import User
from minsheng.api.errors import NON_FIELD
from minsheng.api.schema import COMMON_PROBLEMS, problems
from minsheng.api.v1.inputs import StrictInput
from minsheng.api.v1.views.base import ApiView, staff_user
from minsheng.cases.access import access_case, may_work_enforcement
from minsheng.enforcement import selectors, services
from minsheng.enforcement.models import (
    EnforcementCase,
    EnforcementState,
    HearingMode,
    Reinspection,
    Stage,
)
from minsheng.enforcement.selectors import StepLine

ENFORCEMENT_ID = OpenApiParameter(
    "enforcement_id", int, OpenApiParameter.PATH, description="Enforcement case id."
)


class EnforcementStepSerializer(serializers.Serializer):
    """One step: done, due (its clock running) or later (not started)."""

    step = serializers.ChoiceField(choices=Stage.choices)
    step_label = serializers.CharField()
    status = serializers.ChoiceField(choices=["done", "due", "later"])
    is_taken = serializers.BooleanField(
        help_text="false: the respondent's rectification period, ended by the re-inspection."
    )
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    explanation = serializers.ListField(child=serializers.CharField())
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(allow_null=True)
    document = serializers.CharField()
    note = serializers.CharField()
    values = serializers.DictField(
        help_text="What the step recorded: mode, served_on, receiver, result, place."
    )


def _step_data(line: StepLine) -> dict[str, Any]:
    row = line.row
    return {
        "step": line.step.value,
        "step_label": str(line.step.label),
        "status": line.status,
        "is_taken": line.spec.is_taken,
        "started_at": row.started_at if row else None,
        "due_at": row.due_at if row else None,
        "is_overdue": line.is_overdue,
        "explanation": line.explanation,
        "done_at": row.done_at if row else None,
        "done_by": row.done_by.username if row and row.done_by else None,
        "document": row.document if row else "",
        "note": row.note if row else "",
        "values": row.data if row else {},
    }


class EnforcementSerializer(serializers.Serializer):
    """One enforcement case as listed: the step it waits for and when that is due."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    case = serializers.CharField(source="case.number", help_text="The complaint's number.")
    department = serializers.CharField(source="case.department.code", allow_null=True)
    respondent = serializers.CharField()
    state = serializers.ChoiceField(choices=EnforcementState.choices)
    step = serializers.ChoiceField(choices=[("", ""), *Stage.choices], help_text="The next step.")
    next_due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_is_overdue(self, enforcement: EnforcementCase) -> bool:
        due = enforcement.next_due_at
        return bool(enforcement.is_open and due is not None and due < self.context["now"])


class EnforcementDetailSerializer(EnforcementSerializer):
    """One enforcement case with every step and the steps the caller may take now."""

    subject = serializers.CharField(help_text="The complaint's subject, as the caller may read it.")
    findings = serializers.CharField()
    opened_by = serializers.CharField(source="opened_by.username")
    steps = EnforcementStepSerializer(many=True)
    allowed_steps = serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices))


def _detail(enforcement: EnforcementCase, user: User) -> dict[str, Any]:
    view = selectors.enforcement_view_for(enforcement, user)
    data = dict(EnforcementSerializer(enforcement, context={"now": timezone.now()}).data)
    data.update(
        subject=view.subject,
        findings=enforcement.findings,
        opened_by=enforcement.opened_by.username,
        steps=[_step_data(line) for line in view.steps],
        allowed_steps=view.allowed,
    )
    return data


class EnforcementPagination(PageNumberPagination):
    page_size = 50


class EnforcementPageSerializer(serializers.Serializer):
    """One page of enforcement cases."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EnforcementSerializer(many=True)


class EnforcementOpenInputSerializer(StrictInput):
    """Open an enforcement case from a complaint being handled (转立案查处)."""

    refuses_unknown_fields = True
    case = serializers.CharField(max_length=24, help_text="The complaint's number.")
    respondent = serializers.CharField(max_length=services.SHORT_MAX["respondent"])
    findings = serializers.CharField(max_length=services.TEXT_MAX)


def _step_input_field(name: str, *, required: bool) -> serializers.Field:
    """The API field of one input of the step table."""
    if name == "mode":
        return serializers.ChoiceField(choices=HearingMode.choices, required=required)
    if name == "result":
        return serializers.ChoiceField(choices=Reinspection.choices, required=required)
    if name == "served_on":
        return serializers.DateField(
            required=required,
            help_text="YYYY-MM-DD; not in the future, not before the decision.",
        )
    longest = services.SHORT_MAX.get(name, services.TEXT_MAX)
    if required:
        return serializers.CharField(max_length=longest)
    return serializers.CharField(max_length=longest, default="", allow_blank=True)


def _step_input_class(step: Stage) -> type[StrictInput]:
    """The body of one step: `step` naming it, and the step table's inputs for it (the
    required ones required), nothing else."""
    spec = services.STEPS[step]
    fields: dict[str, Any] = {
        "step": serializers.ChoiceField(choices=[step.value]),
        **{name: _step_input_field(name, required=name in spec.required) for name in spec.inputs},
    }
    name = "".join(part.title() for part in step.value.split("_"))
    attrs = {
        "__doc__": f"Take the step {step.value}: {spec.label}.",
        "__module__": __name__,
        "refuses_unknown_fields": True,
        **fields,
    }
    return type(f"Enforcement{name}StepInputSerializer", (StrictInput,), attrs)


# One body per step the department takes, chosen by its `step`.
STEP_INPUTS: dict[str, type[StrictInput]] = {
    step.value: _step_input_class(step) for step in services.ORDER if services.STEPS[step].is_taken
}
# The same, as the document's oneOf (discriminated by `step`).
STEP_BODIES: dict[str, serializers.Serializer | type[serializers.Serializer]] = dict(
    STEP_INPUTS.items()
)


class EnforcementListView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="enforcement_list",
        summary="Enforcement cases visible to the caller (open ones, the soonest due first)",
        parameters=[
            OpenApiParameter(
                "state", str, enum=EnforcementState.values, description="Default: open."
            ),
            OpenApiParameter("page", int, description="Page number."),
        ],
        responses={200: EnforcementPageSerializer, **problems(400, 401, 404, 406)},
        tags=["enforcement"],
    )
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        state = request.query_params.get("state", EnforcementState.OPEN)
        if state not in EnforcementState.values:
            raise serializers.ValidationError({"state": [_("Choose one of the listed values.")]})
        found = selectors.enforcement_list_for(user, state=state)
        paginator = EnforcementPagination()
        page = paginator.paginate_queryset(found, request, self)
        data = EnforcementSerializer(page, many=True, context={"now": timezone.now()}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="enforcement_open",
        summary="Open an enforcement case from a complaint (its department's handlers, head)",
        description="404 when the complaint does not exist or the caller may not open it.",
        request=EnforcementOpenInputSerializer,
        responses={
            201: EnforcementDetailSerializer,
            **problems(400, 401, 403, 404, 409, *COMMON_PROBLEMS),
        },
        tags=["enforcement"],
    )
    def post(self, request: Request) -> Response:
        user = staff_user(request)
        if not may_work_enforcement(user):
            raise PermissionDenied(_("Only a department's handlers and head open one."))
        serializer = EnforcementOpenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A complaint the caller may not open reads exactly like one that does not exist.
        case = access_case(user, data["case"].strip().upper())
        enforcement = services.enforcement_open(
            case=case, actor=user, respondent=data["respondent"], findings=data["findings"]
        )
        return Response(_detail(enforcement, user), status=201)


class EnforcementDetailView(ApiView):
    @extend_schema(
        operation_id="enforcement_get",
        summary="One enforcement case with its steps and their due times",
        parameters=[ENFORCEMENT_ID],
        responses={200: EnforcementDetailSerializer, **problems(401, 404, *COMMON_PROBLEMS)},
        tags=["enforcement"],
    )
    def get(self, request: Request, enforcement_id: int) -> Response:
        user = staff_user(request)
        enforcement = selectors.enforcement_get_for(user, enforcement_id)
        return Response(_detail(enforcement, user))


class EnforcementStepView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="enforcement_step",
        summary="Take the next step of an enforcement case",
        parameters=[ENFORCEMENT_ID],
        request=PolymorphicProxySerializer(
            component_name="EnforcementStepInput",
            serializers=STEP_BODIES,
            resource_type_field_name="step",
        ),
        responses={
            200: EnforcementDetailSerializer,
            **problems(400, 401, 403, 404, 409, *COMMON_PROBLEMS),
        },
        tags=["enforcement"],
    )
    def post(self, request: Request, enforcement_id: int) -> Response:
        user = staff_user(request)
        enforcement = selectors.enforcement_get_for(user, enforcement_id)
        if not services.enforcement_allowed_steps(enforcement, user) and enforcement.is_open:
            # Refused before the body is read when the caller may take no step now; the
            # reason (another role's step, or not theirs at all) is the table's.
            reason = services.enforcement_why_not(enforcement, user, enforcement.step)
            raise PermissionDenied(reason)
        body = request.data
        if not isinstance(body, Mapping):
            raise serializers.ValidationError({NON_FIELD: [_("Send a JSON object.")]})
        step = body.get("step")
        input_class = STEP_INPUTS.get(step) if isinstance(step, str) else None
        if input_class is None:
            raise serializers.ValidationError({"step": [_("Choose one of the listed values.")]})
        serializer = input_class(data=body)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        done = services.enforcement_step_take(enforcement=enforcement, actor=user, **data)
        return Response(_detail(done, user))
