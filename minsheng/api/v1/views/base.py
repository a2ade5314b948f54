"""What every v1 endpoint shares: the base views (JSON, problem JSON), the bounded JSON
parser, and the helpers that parse an action and shape clocks, events and cases."""

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minsheng.accounts.models import User
from minsheng.api.errors import NON_FIELD, problem_exception_handler
from minsheng.api.schema import ApiSchema
from minsheng.api.v1 import serializers as s
from minsheng.api.v1.actions import action_input_classes
from minsheng.cases.access import Actor
from minsheng.cases.forms import action_form_class, action_inputs
from minsheng.cases.models import Case, CaseClock, CaseEvent
from minsheng.cases.services import Registered, material_supply
from minsheng.cases.workflow import Act, allowed_actions, may_take, perform
from minsheng.deadlines.calendar import Due


class BoundedJSONParser(JSONParser):
    """JSON no larger than DATA_UPLOAD_MAX_MEMORY_SIZE (Django applies it to forms, DRF not to
    JSON) and not nested deeper than Python can parse."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig("The request body is too large.")
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - nested too deeply") from error


class ApiView(APIView):
    """Every v1 endpoint: JSON out, errors as problem JSON."""

    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]
    schema = ApiSchema()

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return problem_exception_handler

    # Whether `initial` refuses a NUL character anywhere in the body. Views whose input
    # serializers are `StrictInput` turn it off: those refuse NUL in the fields they read
    # and ignore fields they do not (as their document says).
    checks_body_for_nul = True

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # PostgreSQL can neither store nor compare text holding NUL characters: refuse them
        # in the path, the query and the body before anything reaches the database.
        if any("\x00" in str(value) for value in kwargs.values()):
            raise Http404
        bad = sorted(
            name
            for name, values in request.query_params.lists()
            if any("\x00" in value for value in values)
        )
        super().initial(request, *args, **kwargs)
        if self.checks_body_for_nul and request.method not in ("GET", "HEAD", "OPTIONS"):
            bad += nul_fields(request.data)
        if bad:
            message = _("Null characters are not allowed.")
            raise serializers.ValidationError({name: [message] for name in bad})


def nul_fields(data: Any, prefix: str = "") -> list[str]:
    """The names of the fields in a parsed body whose text holds a NUL character."""
    if isinstance(data, QueryDict):
        return [name for name, values in data.lists() if any("\x00" in str(v) for v in values)]
    if isinstance(data, Mapping):
        return [
            found
            for key, value in data.items()
            for found in nul_fields(value, f"{prefix}.{key}" if prefix else str(key))
        ]
    if isinstance(data, list):
        return [
            found
            for index, item in enumerate(data)
            for found in nul_fields(item, f"{prefix}[{index}]")
        ]
    if isinstance(data, str) and "\x00" in data:
        return [prefix or NON_FIELD]
    return []


class PublicApiView(ApiView):
    """An endpoint the public calls without a token."""

    authentication_classes = []
    permission_classes = [AllowAny]


def staff_user(request: Request) -> User:
    """The authenticated staff member making the request."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def query_code(request: Request) -> str:
    """The query code from the X-Query-Code header or the `code` parameter."""
    return request.headers.get("X-Query-Code") or request.query_params.get("code") or ""


def due_data(clock: CaseClock, due: Due, now: datetime) -> dict[str, Any]:
    return {
        "step": clock.step,
        "step_label": clock.get_step_display(),
        "unit": clock.unit,
        "due_at": due.due_at,
        "is_paused": clock.is_paused,
        "is_overdue": due.due_at is not None and due.due_at < now,
        "explanation": due.explanation.lines(),
    }


def _soonest(clock: tuple[CaseClock, Due]) -> tuple[bool, datetime]:
    due_at = clock[1].due_at
    return due_at is None, due_at or clock[0].started_at


def clocks_data(clocks: Sequence[tuple[CaseClock, Due]]) -> list[dict[str, Any]]:
    """Running clocks (from a selector) in the API's shape."""
    now = timezone.now()
    return [due_data(clock, due, now) for clock, due in clocks]


def registered_data(registered: Registered) -> dict[str, Any]:
    """The answer to a submission, from what registering wrote (nothing is read again)."""
    case = registered.case
    clocks = clocks_data(sorted(registered.clocks, key=_soonest))
    return {
        "number": case.number,
        "query_code": registered.query_code,
        "state": case.state,
        "state_label": case.get_state_display(),
        "due": clocks[0] if clocks else None,
    }


def case_state_data(case: Case, actor: Actor) -> dict[str, Any]:
    return {
        "number": case.number,
        "state": case.state,
        "state_label": case.get_state_display(),
        "allowed_actions": allowed_actions(case, actor),
    }


def is_form(request: Request) -> bool:
    return (request.content_type or "").startswith("multipart/")


def submission_serializer(
    request: Request, json_class: type[s.SubmissionInputSerializer], form_class: type[Any]
) -> s.SubmissionInputSerializer:
    """The request's submission, validated (JSON, or multipart form data with files)."""
    serializer = (form_class if is_form(request) else json_class)(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


def action_take(*, request: Request, case: Case, actor: Actor, act: Act) -> CaseEvent:
    """Parse the body of action `act` and take it.

    1. the body must be an object; `act`'s input serializer (generated from the lifecycle
       table, `api.v1.actions`) checks that its fields are the action's own, typed, sized
       and given where required, naming each field it refuses;
    2. the action's form (the workbench's) parses the values: departments, cases and
       categories by their codes, numbers and ids;
    3. `supplement` goes through `material_supply` (it takes files), any other action
       through `perform`.
    Before any of it, an actor who may never take `act` on this case is refused (403).
    """
    if not may_take(case, actor, act):
        raise PermissionDenied(_("You may not take this action on this case."))
    data = request.data
    if not isinstance(data, Mapping):
        raise serializers.ValidationError({NON_FIELD: [_("Send a JSON object.")]})
    json_class, form_class = action_input_classes(act)
    serializer = (form_class if is_form(request) else json_class)(data=data)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    files = values.pop("attachments", [])
    form = action_form_class(act)(values)
    if not form.is_valid():
        raise DjangoValidationError({k: list(v) for k, v in form.errors.items()})
    inputs = action_inputs(form)
    if act == Act.SUPPLEMENT:
        return material_supply(case=case, actor=actor, note=inputs.get("note", ""), files=files)
    return perform(case=case, action=act, actor=actor, **inputs)
