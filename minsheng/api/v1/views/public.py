"""Endpoints the public calls without a token: the staff token itself, submitting a matter,
and following and acting on a case with its query code."""

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import Throttled
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.api.schema import (
    COMMON_PROBLEMS,
    NUMBER,
    QUERY_CODE_HEADER,
    QUERY_CODE_PARAM,
    act_camel,
    action_description,
    action_request,
    problems,
)
from minsheng.api.services import token_issue
from minsheng.api.v1 import serializers as s
from minsheng.api.v1.views.base import (
    BoundedJSONParser,
    PublicApiView,
    action_take,
    case_state_data,
    clocks_data,
    query_code,
    registered_data,
    submission_serializer,
)
from minsheng.cases.access import Citizen, access_case_public
from minsheng.cases.models import Case, Channel
from minsheng.cases.selectors import case_view_for_complainant, public_event_for
from minsheng.cases.workflow import ACTIONS, Act
from minsheng.intake.services import submission_register
from minsheng.lib.ratelimits import (
    SubmissionNeed,
    lookup_refused,
    lookup_retry_after,
    submission_check,
    submission_retry_after,
)


def _case_for_complainant(request: Request, number: str) -> tuple[Case, Citizen]:
    """The case proven by its number and query code, after the look-up rate limits: a
    refusal (429) and a wrong pair (404) each read the same whichever part was wrong."""
    if lookup_refused(request, key=number):
        raise Throttled(
            wait=lookup_retry_after(),
            detail=_("Too many look-ups of this case or from this address; try again later."),
        )
    return access_case_public(number, query_code(request))


class TokenView(PublicApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="auth_token",
        summary="Get an API token",
        request=s.TokenInputSerializer,
        responses={200: s.TokenOutputSerializer, **problems(400, 429, *COMMON_PROBLEMS)},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response(s.TokenOutputSerializer({"token": token.key}).data)


class PublicCaseCreateView(PublicApiView):
    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        operation_id="public_case_create",
        summary="Submit a matter",
        description=(
            "JSON with complainants in `people`, or multipart form data with one complainant"
            " in flat fields and files in `attachments`. The case is committed before the"
            " answer: the number and query code are final."
        ),
        request={
            "application/json": s.SubmissionInputSerializer,
            "multipart/form-data": s.SubmissionFormInputSerializer,
        },
        responses={201: s.RegisteredSerializer, **problems(400, 413, 429, *COMMON_PROBLEMS)},
        tags=["public"],
    )
    def post(self, request: Request) -> Response:
        # Refused before the body is parsed, and without a database write.
        if submission_check(request) is SubmissionNeed.REFUSED:
            raise Throttled(
                wait=submission_retry_after(),
                detail=_("Too many submissions from this address; try again later."),
            )
        serializer = submission_serializer(
            request, s.SubmissionInputSerializer, s.SubmissionFormInputSerializer
        )
        files = serializer.validated_data.get("attachments") or []
        registered = submission_register(
            submission=serializer.submission(channel=Channel.API), actor=None, files=files
        )
        return Response(s.RegisteredSerializer(registered_data(registered)).data, status=201)


class PublicCaseDetailView(PublicApiView):
    @extend_schema(
        operation_id="public_case_get",
        summary="Follow a case with its query code",
        parameters=[NUMBER, QUERY_CODE_HEADER, QUERY_CODE_PARAM],
        responses={200: s.PublicCaseSerializer, **problems(404, 429, *COMMON_PROBLEMS)},
        tags=["public"],
    )
    def get(self, request: Request, number: str) -> Response:
        case, citizen = _case_for_complainant(request, number)
        view = case_view_for_complainant(case, citizen)
        answer = view.answer
        data = {
            "number": case.number,
            "subject": case.subject,
            "kind": case.kind,
            "kind_label": case.get_kind_display(),
            "state": case.state,
            "state_label": case.get_state_display(),
            "submitted_at": case.created_at,
            "next_due_step": case.next_due_step,
            "next_due_at": case.next_due_at,
            "awaiting": clocks_data(view.clocks),
            "timeline": view.timeline,
            "answer": answer.text if answer is not None else "",
            "rejection_reason": case.rejection_reason,
            "transferred_to": case.transferred_to,
            "result": answer.result if answer is not None else None,
            "rating": case.rating,
            "appeal_until": case.appeal_until,
            "allowed_actions": view.allowed_actions,
        }
        return Response(s.PublicCaseSerializer(data).data)


class PublicCaseActionView(PublicApiView):
    """Takes one of the complainant's actions, `act`; `case_action_view` makes one each."""

    checks_body_for_nul = False  # StrictInput refuses NUL in the fields it reads

    parser_classes = [BoundedJSONParser, MultiPartParser]
    act: Act

    def post(self, request: Request, number: str) -> Response:
        case, citizen = _case_for_complainant(request, number)
        event = action_take(request=request, case=case, actor=citizen, act=self.act)
        data = {"case": case_state_data(case, citizen), "event": public_event_for(event)}
        return Response(s.PublicActionResultSerializer(data).data)


class PublicCaseOtherActionView(PublicCaseActionView):
    """`POST /public/cases/{number}/actions/<name>` for any other name: 404 for a name the
    lifecycle does not know; a staff action is refused as the lifecycle refuses it (403).
    Not in the document, which lists the complainant's own actions."""

    schema = None

    def post(self, request: Request, number: str, action: str) -> Response:  # type: ignore[override]
        if action not in ACTIONS:
            _case_for_complainant(request, number)
            raise Http404
        self.act = Act(action)
        return super().post(request, number)


def case_action_view(act: Act) -> Callable[..., Any]:
    """The view of `POST /public/cases/{number}/actions/<act>`, with `act`'s own body."""

    class ActionView(PublicCaseActionView):
        pass

    ActionView.act = act
    ActionView.__name__ = ActionView.__qualname__ = f"PublicCase{act_camel(act)}ActionView"
    post = extend_schema(
        operation_id=f"public_case_action_{act.value}",
        summary=ACTIONS[act].label,
        description=action_description(act, public=True),
        parameters=[NUMBER, QUERY_CODE_HEADER, QUERY_CODE_PARAM],
        request=action_request(act),
        responses={
            200: s.PublicActionResultSerializer,
            **problems(400, 403, 404, 409, 413, 429, *COMMON_PROBLEMS),
        },
        tags=["public"],
    )
    extend_schema_view(post=post)(ActionView)
    return ActionView.as_view()
