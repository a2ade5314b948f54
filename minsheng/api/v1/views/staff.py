"""Staff endpoints (token): the case list and registration, one case, its actions and files.
Every case is reached through `cases.access`."""

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from minsheng.accounts.models import User
from minsheng.api.schema import (
    COMMON_PROBLEMS,
    NUMBER,
    act_camel,
    action_description,
    action_request,
    filter_parameters,
    problems,
)
from minsheng.api.v1 import serializers as s
from minsheng.api.v1.inputs import FORM_INTEGER
from minsheng.api.v1.views.base import (
    ApiView,
    BoundedJSONParser,
    PublicApiView,
    action_take,
    case_state_data,
    clocks_data,
    registered_data,
    staff_user,
    submission_serializer,
)
from minsheng.cases.access import (
    access_case,
    can_register_matters,
    cases_listed_for,
    holds_file_role,
    text_masker_for,
)
from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Case
from minsheng.cases.selectors import attachment_get, case_list_for_user, case_view_for_staff
from minsheng.cases.services import case_files_add
from minsheng.cases.workflow import ACTIONS, Act
from minsheng.intake.services import submission_register
from minsheng.lib import uploads
from minsheng.lib.pagination import (
    BadCursor,
    CappedPaginator,
    KeysetPage,
    KeysetPaginator,
    page_from_query,
)
from minsheng.routing.answer_check import case_result_warnings
from minsheng.routing.selectors import similar_cases_for


class CasePagination(PageNumberPagination):
    """Pages of cases by cursor (`lib.pagination.KeysetPaginator`): `next` and `previous`
    carry `after=`/`before=` tokens, and any page costs what the first one does. `page`
    (a number) still works for the first pages; a cursor this list did not make is a page
    that does not exist (404). The count stops at 10,000
    (`count_is_capped`), as in the workbench: a full COUNT over a million cases costs more
    than the page. A `page_size` that is not a whole number of at least 1 is refused (DRF
    would use the default); above 200 it is 200. An empty `page` is a page that does not
    exist, as any other page that is not a number."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator
    keyset_page: KeysetPage | None = None

    def paginate_sections(self, filterset: CaseFilterSet, request: Request) -> list[Case]:
        """The page of the filtered cases the request asks for."""
        size = self.get_page_size(request)
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound
        self.request = request
        paginator = filterset.paginator(size)
        try:
            self.keyset_page = page_from_query(paginator, request.query_params)
        except (BadCursor, EmptyPage, PageNotAnInteger) as exc:
            raise NotFound from exc  # as DRF's own cursor pagination: no such page
        return list(self.keyset_page.object_list)

    def _link(self, position: str, cursor: str) -> str | None:
        if not cursor or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        for name in (self.page_query_param, "after", "before"):
            url = remove_query_param(url, name)
        return replace_query_param(url, position, cursor)

    def get_next_link(self) -> str | None:
        if self.keyset_page is None:
            return super().get_next_link()
        return self._link("after", self.keyset_page.next_cursor)

    def get_previous_link(self) -> str | None:
        if self.keyset_page is None:
            return super().get_previous_link()
        return self._link("before", self.keyset_page.previous_cursor)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if FORM_INTEGER.fullmatch(raw) is None:
            raise ValidationError({self.page_size_query_param: [_("Enter a whole number.")]})
        if int(raw) < 1:
            message = serializers.IntegerField.default_error_messages["min_value"]
            raise ValidationError({self.page_size_query_param: [message.format(min_value=1)]})
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound  # DRF would read an empty page as the first
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    "A page number, for the first pages; deeper pages follow `next`."
                )
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Cases per page: {self.page_size} if not given, at most"
                    f" {self.max_page_size} (a larger value is taken as {self.max_page_size})."
                )
        for position, description in (
            ("after", "The page after this cursor (from the `next` link)."),
            ("before", "The page before this cursor (from the `previous` link)."),
        ):
            parameters.append(
                {
                    "name": position,
                    "required": False,
                    "in": "query",
                    "description": description,
                    "schema": {"type": "string"},
                }
            )
        return parameters

    def get_paginated_response(self, data: Any) -> Response:
        paginator: CappedPaginator | KeysetPaginator
        if self.keyset_page is not None:
            paginator = self.keyset_page.paginator
        else:
            assert self.page is not None  # noqa: S101 - paginate_queryset ran first
            assert isinstance(self.page.paginator, CappedPaginator)  # noqa: S101 - set above
            paginator = self.page.paginator
        return Response(
            {
                "count": paginator.shown_total,
                "count_is_capped": paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "True when there are more cases than `count` (counting stopped).",
        }
        paged["required"] = [*paged.get("required", []), "count_is_capped"]
        return paged


# What a boolean filter's widget reads as yes or no ("" as not given); it reads any other
# value as "not given" too, which the API refuses instead.
BOOLEAN_VALUES = frozenset({"", "true", "false", "1", "0"})


def check_boolean_filters(request: Request) -> None:
    """Refuse a boolean filter's value that is not yes or no, naming the filter."""
    errors = {
        name: [_("Enter yes or no.")]
        for name, each in CaseFilterSet.base_filters.items()
        if isinstance(each, BooleanFilter)
        and request.query_params.get(name, "").lower() not in BOOLEAN_VALUES
    }
    if errors:
        raise ValidationError(errors)


class CaseListView(ApiView, GenericAPIView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads
    parser_classes = [BoundedJSONParser, MultiPartParser]
    serializer_class = s.CaseSummarySerializer
    filterset_class = CaseFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = CasePagination

    def get_queryset(self) -> QuerySet[Case]:
        user = self.request.user
        if not isinstance(user, User):
            return Case.objects.none()
        return case_list_for_user(user)

    @extend_schema(
        operation_id="cases_list",
        summary="Cases visible to the caller",
        parameters=filter_parameters(CaseFilterSet),
        # Keyed like the problems, so drf-spectacular sees the 200 first and paginates it.
        responses={
            (200, "application/json"): s.CaseSummarySerializer(many=True),
            **problems(400, 401, 404, 406),
        },
        tags=["cases"],
    )
    def get(self, request: Request) -> Response:
        user = staff_user(request)
        check_boolean_filters(request)
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if filterset is not None and not filterset.is_valid():
            raise translate_validation(filterset.errors)
        assert isinstance(filterset, CaseFilterSet)  # noqa: S101 - filterset_class
        assert isinstance(self.paginator, CasePagination)  # noqa: S101 - pagination_class
        page = self.paginator.paginate_sections(filterset, request)
        listed = cases_listed_for(user, page)
        return self.get_paginated_response(s.CaseSummarySerializer(listed, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        summary="Register a phone call, letter or visit (intake agents)",
        request={
            "application/json": s.StaffSubmissionInputSerializer,
            "multipart/form-data": s.StaffSubmissionFormInputSerializer,
        },
        responses={201: s.RegisteredSerializer, **problems(400, 401, 403, 413, 406, 415)},
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        user = staff_user(request)
        if not can_register_matters(user):
            raise PermissionDenied(_("Only intake agents register cases."))
        serializer = submission_serializer(
            request, s.StaffSubmissionInputSerializer, s.StaffSubmissionFormInputSerializer
        )
        data = serializer.validated_data
        registered = submission_register(
            submission=serializer.submission(channel=data["channel"]),
            actor=user,
            files=data.get("attachments") or [],
        )
        return Response(s.RegisteredSerializer(registered_data(registered)).data, status=201)


class CaseDetailView(ApiView):
    @extend_schema(
        operation_id="cases_get",
        summary="One case, as the caller may see it",
        parameters=[NUMBER],
        responses={200: s.CaseDetailSerializer, **problems(401, 404, *COMMON_PROBLEMS)},
        tags=["cases"],
    )
    def get(self, request: Request, number: str) -> Response:
        user = staff_user(request)
        case = access_case(user, number)
        view = case_view_for_staff(case, user, purpose="api:case-detail")
        data = {
            "case": case,
            "view": view,
            "complainants": view.complainants,
            "clocks": clocks_data(view.clocks),
            "timeline": view.timeline,
            "attachments": view.attachments,
            "links": view.links,
            "merged_cases": [other.number for other in view.merged_cases],
            "result": view.result,
            "answer_check": case_result_warnings(case, view.result),
            "extension_requests": view.extension_requests,
            "allowed_actions": view.actions,
            "similar_cases": similar_cases_for(case, user),
        }
        shown_as = text_masker_for(user, case)
        return Response(s.CaseDetailSerializer(data, context={"shown_as": shown_as}).data)


class CaseActionView(ApiView):
    """Takes one lifecycle action, `act`; `case_action_view` makes one per action."""

    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    parser_classes = [BoundedJSONParser, MultiPartParser]
    act: Act

    def post(self, request: Request, number: str) -> Response:
        user = staff_user(request)
        case = access_case(user, number)
        event = action_take(request=request, case=case, actor=user, act=self.act)
        data = {"case": case_state_data(case, user), "event": event}
        return Response(s.ActionResultSerializer(data).data)


class CaseUnknownActionView(ApiView):
    """`POST /cases/{number}/actions/<name>` for a name the lifecycle does not know: 404,
    once the caller and the case are checked (each action has its own route)."""

    schema = None

    def post(self, request: Request, number: str, action: str) -> Response:
        access_case(staff_user(request), number)
        raise Http404


def case_action_view(act: Act) -> Callable[..., Any]:
    """The view of `POST /cases/{number}/actions/<act>`, documented with `act`'s own body."""

    class ActionView(CaseActionView):
        pass

    ActionView.act = act
    ActionView.__name__ = ActionView.__qualname__ = f"Case{act_camel(act)}ActionView"
    post = extend_schema(
        operation_id=f"cases_action_{act.value}",
        summary=ACTIONS[act].label,
        description=action_description(act),
        parameters=[NUMBER],
        request=action_request(act),
        responses={
            200: s.ActionResultSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["actions"],
    )
    extend_schema_view(post=post)(ActionView)
    return ActionView.as_view()


class CaseAttachmentsView(ApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="cases_attachments_upload",
        summary="Add files to a case",
        description=(
            "Recorded on the timeline as files added (public if `is_public`); the same rule"
            ' as the workbench\'s "Add files" decides who may.'
        ),
        parameters=[NUMBER],
        request={"multipart/form-data": s.AttachmentUploadInputSerializer},
        responses={
            201: s.AttachmentUploadResultSerializer,
            **problems(400, 401, 403, 404, 409, 413, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def post(self, request: Request, number: str) -> Response:
        user = staff_user(request)
        case = access_case(user, number)
        if not holds_file_role(user, case):  # refused as such before the body is read
            raise PermissionDenied(_("You may not add files to this case."))
        serializer = s.AttachmentUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event = case_files_add(
            case=case,
            actor=user,
            files=data["attachments"],
            note=data["note"],
            is_public=data["is_public"],
        )
        result = {"attachments": event.attachments.all(), "event": event}
        return Response(s.AttachmentUploadResultSerializer(result).data, status=201)


class AnyMediaRenderer(BaseRenderer):
    """Lets a download answer any Accept header; errors on the way are still JSON."""

    media_type = "*/*"
    format = "file"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class CaseAttachmentDownloadView(ApiView):
    renderer_classes = [AnyMediaRenderer]

    @extend_schema(
        operation_id="cases_attachments_download",
        summary="Download one of a case's files",
        parameters=[NUMBER],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            **problems(401, 404, 405, 415),
        },
        tags=["cases"],
    )
    def get(self, request: Request, number: str, attachment_id: int) -> FileResponse:
        user = staff_user(request)
        case = access_case(user, number)
        attachment = attachment_get(case, attachment_id, public=False)
        if attachment is None:
            raise Http404
        return uploads.file_response(
            attachment.file.open("rb"),
            name=attachment.original_name,
            content_type=attachment.content_type,
        )


class NotFoundView(PublicApiView):
    """Any other path under /api/v1/: a 404 problem rather than an HTML page."""

    schema = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise Http404
