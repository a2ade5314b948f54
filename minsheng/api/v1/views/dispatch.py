"""Auto-dispatch through the API (token): the policies with their expected share and
errors, the switch, and the corrections recorded against suggestions. Reading is for
those who read the auto-dispatch report, writing for those who set it (`cases.access`);
the writes are `dispatch.services`'."""

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.accounts.models import User
from minsheng.api.schema import COMMON_PROBLEMS, problems
from minsheng.api.v1.inputs import StrictInput
from minsheng.api.v1.views.base import ApiView, staff_user
from minsheng.cases.access import can_set_auto_dispatch, can_view_auto_dispatch
from minsheng.cases.models import Category
from minsheng.deadlines.models import Kind
from minsheng.dispatch import selectors, services
from minsheng.dispatch.models import CorrectionKind, DispatchCorrection, DispatchPolicy

POLICY_ID = OpenApiParameter("policy_id", int, OpenApiParameter.PATH, description="Policy id.")
CORRECTIONS_SHOWN = 100


class PolicyExists(APIException):
    status_code = 409
    default_detail = "A policy for this kind and category exists already."


class PolicySerializer(serializers.Serializer):
    """One policy, with what it means for the serving model (held-out data)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.IntegerField(source="category_id", allow_null=True)
    category_name = serializers.CharField(source="category.name", allow_null=True)
    is_enabled = serializers.BooleanField()
    precision = serializers.FloatField()
    includes_major = serializers.BooleanField()
    includes_urgent = serializers.BooleanField()
    includes_collective = serializers.BooleanField()
    includes_anonymous_report = serializers.BooleanField()
    drift_window_days = serializers.IntegerField()
    drift_min_cases = serializers.IntegerField()
    is_paused = serializers.BooleanField()
    paused_at = serializers.DateTimeField(allow_null=True)
    paused_precision = serializers.FloatField(allow_null=True)
    threshold = serializers.SerializerMethodField()
    expected_share = serializers.SerializerMethodField()
    expected_errors_per_thousand = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_threshold(self, policy: DispatchPolicy) -> float | None:
        """The lowest confidence assigned automatically; null: none reaches it."""
        return selectors.operating_point_of(policy).threshold

    def get_expected_share(self, policy: DispatchPolicy) -> float:
        """The share of such cases expected to be assigned automatically (0..1)."""
        return selectors.operating_point_of(policy).share

    def get_expected_errors_per_thousand(self, policy: DispatchPolicy) -> float:
        return selectors.operating_point_of(policy).errors_per_thousand


class PolicyInputSerializer(StrictInput):
    """A policy's settings; on a change, only those sent change."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(level=1),
        allow_null=True,
        default=None,
        help_text="A level-1 category's id; null: every category of the kind.",
    )
    is_enabled = serializers.BooleanField(default=False)
    precision = serializers.FloatField(
        min_value=0.5, max_value=0.999, default=0.98, help_text="e.g. 0.98; read to 3 decimals."
    )
    includes_major = serializers.BooleanField(default=False)
    includes_urgent = serializers.BooleanField(default=False)
    includes_collective = serializers.BooleanField(default=False)
    includes_anonymous_report = serializers.BooleanField(default=False)
    drift_window_days = serializers.IntegerField(min_value=1, max_value=365, default=14)
    drift_min_cases = serializers.IntegerField(min_value=1, max_value=10000, default=20)
    resume = serializers.BooleanField(
        default=False, help_text="Lift the pause the drift watch set.", write_only=True
    )


class SwitchSerializer(serializers.Serializer):
    is_on = serializers.BooleanField()
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)


class SwitchInputSerializer(StrictInput):
    is_on = serializers.BooleanField(help_text="false stops automatic dispatch at once.")


class CorrectionSerializer(serializers.Serializer):
    """One person's correction of a suggestion, with the suggestion it corrects."""

    id = serializers.IntegerField()
    case = serializers.CharField(source="decision.case.number")
    kind = serializers.ChoiceField(choices=CorrectionKind.choices)
    suggested_label = serializers.CharField(source="decision.suggested_label")
    confidence = serializers.FloatField(source="decision.confidence")
    model_version = serializers.CharField(source="decision.model_version")
    was_auto_dispatched = serializers.BooleanField(source="decision.is_auto")
    from_department = serializers.CharField(source="from_department.code", allow_null=True)
    to_department = serializers.CharField(source="to_department.code", allow_null=True)
    to_category = serializers.IntegerField(source="to_category_id", allow_null=True)
    by = serializers.CharField(source="actor.username", allow_null=True)
    is_fed_to_training = serializers.BooleanField()
    created_at = serializers.DateTimeField()


def _reader(request: Request) -> User:
    user = staff_user(request)
    if not can_view_auto_dispatch(user):
        raise PermissionDenied(_("You may not read the auto-dispatch settings."))
    return user


def _setter(request: Request) -> User:
    user = staff_user(request)
    if not can_set_auto_dispatch(user):
        raise PermissionDenied(_("Only administrators and supervisors set auto-dispatch."))
    return user


def _policy_saved(
    *, policy: DispatchPolicy | None, actor: User, data: dict[str, Any]
) -> DispatchPolicy:
    """Save through the service; another policy for the same kind and category is a 409."""
    resume = bool(data.pop("resume", False))
    if "precision" in data:
        data["precision"] = Decimal(str(data["precision"])).quantize(
            Decimal("0.001"), rounding=ROUND_DOWN
        )
    kind = data.get("kind", policy.kind if policy else None)
    category = data.get("category", policy.category if policy else None)
    same = DispatchPolicy.objects.filter(kind=kind).filter(
        Q(category=category) if category is not None else Q(category__isnull=True)
    )
    if policy is not None:
        same = same.exclude(pk=policy.pk)
    if same.exists():
        raise PolicyExists(_("A policy for this kind and category exists already."))
    return services.policy_save(policy=policy, actor=actor, resume=resume, **data)


class PolicyListView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="dispatch_policies_list",
        summary="Auto-dispatch policies with their threshold and expected share",
        responses={200: PolicySerializer(many=True), **problems(401, 403, *COMMON_PROBLEMS)},
        tags=["dispatch"],
    )
    def get(self, request: Request) -> Response:
        _reader(request)
        return Response(PolicySerializer(selectors.policies(), many=True).data)

    @extend_schema(
        operation_id="dispatch_policies_create",
        summary="Add an auto-dispatch policy (administrators, supervisors)",
        request=PolicyInputSerializer,
        responses={
            201: PolicySerializer,
            **problems(400, 401, 403, 409, *COMMON_PROBLEMS),
        },
        tags=["dispatch"],
    )
    def post(self, request: Request) -> Response:
        user = _setter(request)
        serializer = PolicyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = _policy_saved(policy=None, actor=user, data=dict(serializer.validated_data))
        return Response(PolicySerializer(policy).data, status=201)


class PolicyDetailView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    def _policy(self, policy_id: int) -> DispatchPolicy:
        policy = selectors.policies().filter(pk=policy_id).first()
        if policy is None:
            raise Http404("No such policy.")
        return policy

    @extend_schema(
        operation_id="dispatch_policies_get",
        summary="One auto-dispatch policy",
        parameters=[POLICY_ID],
        responses={200: PolicySerializer, **problems(401, 403, 404, *COMMON_PROBLEMS)},
        tags=["dispatch"],
    )
    def get(self, request: Request, policy_id: int) -> Response:
        _reader(request)
        return Response(PolicySerializer(self._policy(policy_id)).data)

    @extend_schema(
        operation_id="dispatch_policies_update",
        summary="Change an auto-dispatch policy (administrators, supervisors)",
        parameters=[POLICY_ID],
        request=PolicyInputSerializer(partial=True),
        responses={
            200: PolicySerializer,
            **problems(400, 401, 403, 404, 409, *COMMON_PROBLEMS),
        },
        tags=["dispatch"],
    )
    def patch(self, request: Request, policy_id: int) -> Response:
        user = _setter(request)
        policy = self._policy(policy_id)
        serializer = PolicyInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = _policy_saved(policy=policy, actor=user, data=dict(serializer.validated_data))
        return Response(PolicySerializer(policy).data)


class SwitchView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="dispatch_switch_get",
        summary="Whether automatic dispatch is on",
        responses={200: SwitchSerializer, **problems(401, 403, *COMMON_PROBLEMS)},
        tags=["dispatch"],
    )
    def get(self, request: Request) -> Response:
        _reader(request)
        return Response(SwitchSerializer(selectors.switch_get()).data)

    @extend_schema(
        operation_id="dispatch_switch_set",
        summary="Turn automatic dispatch on or off at once (administrators, supervisors)",
        request=SwitchInputSerializer,
        responses={200: SwitchSerializer, **problems(400, 401, 403, *COMMON_PROBLEMS)},
        tags=["dispatch"],
    )
    def put(self, request: Request) -> Response:
        user = _setter(request)
        serializer = SwitchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        switch = services.switch_set(is_on=serializer.validated_data["is_on"], actor=user)
        return Response(SwitchSerializer(switch).data)


class CorrectionListView(ApiView):
    @extend_schema(
        operation_id="dispatch_corrections_list",
        summary="The latest corrections of routing suggestions (up to 100)",
        responses={
            200: CorrectionSerializer(many=True),
            **problems(401, 403, *COMMON_PROBLEMS),
        },
        tags=["dispatch"],
    )
    def get(self, request: Request) -> Response:
        _reader(request)
        found: list[DispatchCorrection] = list(
            selectors.corrections_recent(limit=CORRECTIONS_SHOWN)
        )
        return Response(CorrectionSerializer(found, many=True).data)
