"""Grants to see the reporter (举报人) of a report, through the API (token): list a case's
grants, grant a department or a user, revoke a grant. Supervisors only (`cases.access.
can_grant_reporter_access`); the case is reached through `access_case` (404 whether missing
or not the caller's). The writes are `cases.grants`' services, which log each one."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.accounts.models import Department, User
from minsheng.api.schema import COMMON_PROBLEMS, problems
from minsheng.api.v1.inputs import StrictInput
from minsheng.api.v1.views.base import ApiView, staff_user
from minsheng.cases.access import access_case, can_grant_reporter_access
from minsheng.cases.grants import (
    has_hidden_reporter,
    reporter_grant_create,
    reporter_grant_revoke,
    reporter_grants_of,
)
from minsheng.cases.models import Case

NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="Case number.")
GRANT_ID = OpenApiParameter("grant_id", int, OpenApiParameter.PATH, description="Grant id.")
TEXT_MAX = 2000


class ReporterGrantSerializer(serializers.Serializer):
    """One grant to see who reported a case."""

    id = serializers.IntegerField()
    department = serializers.CharField(source="department.code", allow_null=True)
    user = serializers.CharField(source="user.username", allow_null=True)
    reason = serializers.CharField()
    granted_by = serializers.CharField(source="granted_by.username")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ReporterGrantInputSerializer(StrictInput):
    """Whom to let see the reporter (a department or one user), why, and until when."""

    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.filter(is_active=True),
        default=None,
        allow_null=True,
        help_text="Department code (or give `user`).",
    )
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        default=None,
        allow_null=True,
        help_text="Username (or give `department`).",
    )
    reason = serializers.CharField(max_length=TEXT_MAX)
    expires_at = serializers.DateTimeField(default=None, allow_null=True)


def _supervised_case(request: Request, number: str) -> tuple[User, Case]:
    """The case, for a supervisor (404 also when it is not a report: it has no grants)."""
    user = staff_user(request)
    case = access_case(user, number)
    if not can_grant_reporter_access(user):
        raise PermissionDenied(_("Only supervisors may grant sight of a reporter."))
    if not has_hidden_reporter(case):
        raise Http404("Not a report: no reporter is hidden.")
    return user, case


class ReporterGrantListView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    @extend_schema(
        operation_id="reporter_grants_list",
        summary="Grants to see the reporter of a case (supervisors)",
        parameters=[NUMBER],
        responses={
            200: ReporterGrantSerializer(many=True),
            **problems(401, 403, 404, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def get(self, request: Request, number: str) -> Response:
        _user, case = _supervised_case(request, number)
        return Response(ReporterGrantSerializer(reporter_grants_of(case), many=True).data)

    @extend_schema(
        operation_id="reporter_grants_create",
        summary="Let a department or a user see who reported a report (supervisors)",
        parameters=[NUMBER],
        request=ReporterGrantInputSerializer,
        responses={201: ReporterGrantSerializer, **problems(400, 401, 403, 404, *COMMON_PROBLEMS)},
        tags=["cases"],
    )
    def post(self, request: Request, number: str) -> Response:
        user, case = _supervised_case(request, number)
        serializer = ReporterGrantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        grant = reporter_grant_create(case=case, actor=user, **data)
        return Response(ReporterGrantSerializer(grant).data, status=201)


class ReporterGrantRevokeView(ApiView):
    @extend_schema(
        operation_id="reporter_grants_revoke",
        summary="Revoke a grant to see the reporter (supervisors)",
        parameters=[NUMBER, GRANT_ID],
        request=None,
        responses={200: ReporterGrantSerializer, **problems(400, 401, 403, 404, *COMMON_PROBLEMS)},
        tags=["cases"],
    )
    def post(self, request: Request, number: str, grant_id: int) -> Response:
        user, case = _supervised_case(request, number)
        grant = reporter_grants_of(case).filter(pk=grant_id).first()
        if grant is None:
            raise Http404("No such grant.")
        grant = reporter_grant_revoke(grant=grant, actor=user)
        return Response(ReporterGrantSerializer(grant).data)
