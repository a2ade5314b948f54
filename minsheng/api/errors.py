"""Every error the REST API returns, as RFC 9457 problem JSON.

    {"type": ..., "title": ..., "status": 400, "detail": ..., "instance": "/api/v1/...",
     "errors": {"people[0].phone": ["..."]}}

`problem_exception_handler` is the DRF exception handler. It turns the errors our services
raise (Django `ValidationError` with field names, `PermissionDenied`, `Http404`,
`TransitionNotAllowed`), DRF's own (validation, parse, authentication, method, media type)
and Django's request-size guards into problems. Anything else is a bug and stays a 500.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse, UnreadablePostError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.cases.workflow import TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types of our own; plain HTTP errors use "about:blank" with the status phrase.
INVALID_INPUT = "urn:minsheng:problem:invalid-input"
TRANSITION_NOT_ALLOWED = "urn:minsheng:problem:transition-not-allowed"
BLANK = "about:blank"
NON_FIELD = "non_field_errors"


def problem_response(
    *,
    status: int,
    detail: str,
    type_: str = BLANK,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem JSON response."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF or Django error details into {"people[0].name": ["..."]}."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD_ERRORS, NON_FIELD) else str(key)
            if isinstance(key, int):  # DRF keys a list's item errors by index
                path = f"{prefix}[{key}]"
            elif prefix and name != NON_FIELD:
                path = f"{prefix}.{name}"
            else:
                path = prefix or name
            for field, messages in field_errors(value, path).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list | tuple):
        if any(isinstance(item, Mapping | list | tuple) for item in detail):
            # A list of nested errors, one per item: keep each item's index.
            flat = {}
            for index, item in enumerate(detail):
                if item:
                    nested = field_errors(item, f"{prefix}[{index}]")
                    for field, messages in nested.items():
                        flat.setdefault(field, []).extend(messages)
            return flat
        return {prefix or NON_FIELD: [str(message) for message in detail]}
    return {prefix or NON_FIELD: [str(detail)]}


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return field_errors(exc.message_dict)
    return {NON_FIELD: list(exc.messages)}


def validation_problem(errors: dict[str, list[str]], instance: str | None = None) -> Response:
    """400 naming each invalid field."""
    first_field, messages = next(iter(errors.items()), (NON_FIELD, [""]))
    detail = messages[0] if first_field == NON_FIELD else f"{first_field}: {messages[0]}"
    return problem_response(
        status=400,
        type_=INVALID_INPUT,
        title=_("Invalid input"),
        detail=detail,
        errors=errors,
        instance=instance,
    )


def _auth_headers(exc: exceptions.APIException, context: Mapping[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    view = context.get("view")
    request = context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        header = view.get_authenticate_header(request) if view and request else None
        if header:
            headers["WWW-Authenticate"] = header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    return headers


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: map an exception to a problem response (None: a real 500)."""
    request: Request | None = context.get("request")
    instance = request.path if request is not None else None
    if isinstance(exc, DjangoValidationError):
        return validation_problem(_django_errors(exc), instance)
    if isinstance(exc, exceptions.ValidationError):
        return validation_problem(field_errors(exc.detail), instance)
    if isinstance(exc, TransitionNotAllowed):
        return problem_response(
            status=409,
            type_=TRANSITION_NOT_ALLOWED,
            title=_("Not possible now"),
            detail=str(exc),
            instance=instance,
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        return problem_response(status=404, detail=_("Not found."), instance=instance)
    if isinstance(exc, DjangoPermissionDenied):
        detail = str(exc) or _("You may not do this.")
        return problem_response(status=403, detail=detail, instance=instance)
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            status=413, detail=_("The request is too large."), instance=instance
        )
    if isinstance(exc, SuspiciousOperation | UnreadablePostError):
        return problem_response(
            status=400, detail=_("The request could not be read."), instance=instance
        )
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc)
        return problem_response(
            status=exc.status_code,
            detail=str(detail),
            instance=instance,
            headers=_auth_headers(exc, context),
        )
    return None


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, for the OpenAPI document."""

    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False, help_text="The request path.")
    # The metaclass moves declared fields off the class, so `.errors` still works.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Field name to messages, e.g. {"people[0].phone": ["..."]}.',
    )


def problem_page(
    request: HttpRequest, *, status: int, exception: BaseException | None = None
) -> JsonResponse:
    """The problem answer for a request under /api/ or /open311/ that no API view answered:
    no such endpoint (404), a body Django refused to read (400; too large: 413, as
    `problem_exception_handler` says), or a crash (500). The root URLconf's error handlers
    call it, so API clients never get an HTML page."""
    details = {
        400: _("The request could not be read."),
        403: _("You may not do this."),
        404: _("Not found."),
        500: _("Something went wrong on our side. It has been logged; try again later."),
    }
    if isinstance(exception, RequestDataTooBig):
        status, detail = 413, _("The request is too large.")
    else:
        detail = details.get(status, HTTPStatus(status).phrase)
    body = {
        "type": BLANK,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
