"""Supervision notices (督办单) through the API (token): the notices the caller may see, one
notice, issuing one, and taking one of its actions. The notice's own lifecycle table
(`supervision.notices`) decides who may do what; every notice is reached through
`supervision.selectors.notice_get_for` (404 whether missing or not the caller's)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.accounts.models import Department, User
from minsheng.api.schema import COMMON_PROBLEMS, problems
from minsheng.api.v1.views.base import ApiView, BoundedJSONParser, staff_user
from minsheng.cases.forms import EvidenceField
from minsheng.cases.models import Case
from minsheng.supervision import selectors
from minsheng.supervision.models import NoticeLevel, NoticeState, SupervisionNotice
from minsheng.supervision.notices import (
    MAX_CASES,
    MAX_DUE_DAYS,
    NOTICE_ACTIONS,
    TEXT_MAX,
    is_supervising,
    notice_allowed_actions,
    notice_issue,
    notice_perform,
)

NOTICE_ID = OpenApiParameter("notice_id", int, OpenApiParameter.PATH, description="Notice id.")
NOTICE_ACTION = OpenApiParameter(
    "action",
    str,
    OpenApiParameter.PATH,
    enum=sorted(NOTICE_ACTIONS),
    description="A notice action; `allowed_actions` lists those the caller may take now.",
)


class NoticeOutputSerializer(serializers.Serializer):
    """One notice as the caller may see it."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    level = serializers.ChoiceField(choices=NoticeLevel.choices)
    state = serializers.ChoiceField(choices=NoticeState.choices)
    cases = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.code")
    recipient = serializers.CharField(source="recipient.username", allow_null=True)
    reason = serializers.CharField()
    demand = serializers.CharField()
    due_days = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    issued_by = serializers.CharField(
        source="issued_by.username", allow_null=True, help_text="Null: issued by a policy."
    )
    answer = serializers.CharField()
    files = serializers.SerializerMethodField()
    escalated_from = serializers.IntegerField(source="escalated_from_id", allow_null=True)
    allowed_actions = serializers.SerializerMethodField()

    def get_cases(self, notice: SupervisionNotice) -> list[str]:
        return [case.number for case in notice.cases.all()]

    def get_files(self, notice: SupervisionNotice) -> list[str]:
        return [file.original_name for file in notice.files.all()]

    def get_allowed_actions(self, notice: SupervisionNotice) -> list[str]:
        return notice_allowed_actions(notice, self.context["user"])


class NoticePagination(PageNumberPagination):
    page_size = 50


class NoticePageSerializer(serializers.Serializer):
    """One page of notices."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NoticeOutputSerializer(many=True)


class NoticeIssueInputSerializer(serializers.Serializer):
    """A notice issued by hand (supervisors and leaders)."""

    cases = serializers.ListField(
        child=serializers.CharField(max_length=24),
        min_length=1,
        max_length=MAX_CASES,
        help_text="Case numbers.",
    )
    level = serializers.ChoiceField(choices=NoticeLevel.choices)
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.filter(is_active=True),
        default=None,
        allow_null=True,
        help_text="Department code; default: the cases' lead department.",
    )
    recipient = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        default=None,
        allow_null=True,
        help_text="Username; default: the department's heads.",
    )
    reason = serializers.CharField(max_length=TEXT_MAX)
    demand = serializers.CharField(max_length=TEXT_MAX)
    due_days = serializers.IntegerField(min_value=1, max_value=MAX_DUE_DAYS)

    def validate_cases(self, numbers: list[str]) -> list[Case]:
        wanted = list(dict.fromkeys(n.strip().upper() for n in numbers))
        found = {case.number: case for case in Case.objects.filter(number__in=wanted)}
        missing = [n for n in wanted if n not in found]
        if missing:
            raise serializers.ValidationError(
                _("No case has this number: %(numbers)s") % {"numbers": ", ".join(missing)}
            )
        return [found[n] for n in wanted]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["department"] is None:
            departments = {case.department_id for case in attrs["cases"]}
            if len(departments) != 1 or None in departments:
                raise serializers.ValidationError(
                    {"department": [_("The cases have no single lead department: name one.")]}
                )
            attrs["department"] = attrs["cases"][0].department
        return attrs


class NoticeActionInputSerializer(serializers.Serializer):
    """The note of a notice action (required to answer and to send back)."""

    note = serializers.CharField(max_length=TEXT_MAX, default="", allow_blank=True)


class NoticeActionFormInputSerializer(NoticeActionInputSerializer):
    """The same as multipart form data, with the answer's files in `attachments`."""

    attachments = serializers.ListField(child=serializers.FileField(), default=list)

    def validate_attachments(self, files: list[Any]) -> list[Any]:
        try:
            return EvidenceField(required=False).clean(files)
        except DjangoValidationError as problem:  # the types and sizes a case takes
            raise serializers.ValidationError(problem.messages) from problem


class NoticeListView(ApiView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="notices_list",
        summary="Supervision notices visible to the caller",
        parameters=[
            OpenApiParameter("state", str, enum=NoticeState.values, description="Only this state."),
            OpenApiParameter("level", str, enum=NoticeLevel.values, description="Only this level."),
            OpenApiParameter("page", int, description="Page number."),
        ],
        responses={200: NoticePageSerializer, **problems(400, 401, 404, 406)},
        tags=["supervision"],
    )
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        notices = selectors.notices_visible_to(user).prefetch_related("cases", "files")
        for name, values in (("state", NoticeState.values), ("level", NoticeLevel.values)):
            value = request.query_params.get(name)
            if value is None:
                continue
            if value not in values:
                raise serializers.ValidationError({name: [_("Choose one of the listed values.")]})
            notices = notices.filter(**{name: value})
        paginator = NoticePagination()
        page = paginator.paginate_queryset(notices.order_by("-issued_at", "-pk"), request, self)
        data = NoticeOutputSerializer(page, many=True, context={"user": user}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="notices_issue",
        summary="Issue a supervision notice (supervisors and leaders)",
        request=NoticeIssueInputSerializer,
        responses={201: NoticeOutputSerializer, **problems(400, 401, 403, *COMMON_PROBLEMS)},
        tags=["supervision"],
    )
    def post(self, request: Request) -> Response:
        user = staff_user(request)
        if not is_supervising(user):
            raise PermissionDenied(_("Only the supervision office and leaders issue notices."))
        serializer = NoticeIssueInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        notice = notice_issue(
            cases=data["cases"],
            department=data["department"],
            recipient=data["recipient"],
            level=NoticeLevel(data["level"]),
            reason=data["reason"],
            demand=data["demand"],
            due_days=data["due_days"],
            actor=user,
        )
        output = NoticeOutputSerializer(notice, context={"user": user})
        return Response(output.data, status=201)


class NoticeDetailView(ApiView):
    @extend_schema(
        operation_id="notices_get",
        summary="One supervision notice",
        parameters=[NOTICE_ID],
        responses={200: NoticeOutputSerializer, **problems(401, 404, *COMMON_PROBLEMS)},
        tags=["supervision"],
    )
    def get(self, request: Request, notice_id: int) -> Response:
        user = staff_user(request)
        notice = selectors.notice_get_for(user, notice_id)
        return Response(NoticeOutputSerializer(notice, context={"user": user}).data)


class NoticeActionView(ApiView):
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        operation_id="notices_action",
        summary="Take a supervision notice action",
        description="`answer` and `send_back` need a `note`; `answer` also takes files.",
        parameters=[NOTICE_ID, NOTICE_ACTION],
        request={
            "application/json": NoticeActionInputSerializer,
            "multipart/form-data": NoticeActionFormInputSerializer,
        },
        responses={
            200: NoticeOutputSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["supervision"],
    )
    def post(self, request: Request, notice_id: int, action: str) -> Response:
        user = staff_user(request)
        notice = selectors.notice_get_for(user, notice_id)
        if action not in NOTICE_ACTIONS:
            raise Http404
        is_form = (request.content_type or "").startswith("multipart/")
        input_class = NoticeActionFormInputSerializer if is_form else NoticeActionInputSerializer
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        done = notice_perform(
            notice=notice,
            action=action,
            actor=user,
            note=data["note"],
            files=data.get("attachments") or [],
        )
        return Response(NoticeOutputSerializer(done, context={"user": user}).data)
