"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), mounted at /open311/v2/.

Services are our topic categories (second level, grouped by the first); a service request is
a case filed through Open311. This module only translates: filing goes through
`api.services.open311_request_create` (which calls `intake.services.submission_register`), reading
through `api.selectors`.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from minsheng.api.errors import field_errors
from minsheng.api.models import Open311Request
from minsheng.api.open311.formats import render, render_errors
from minsheng.api.open311.forms import (
    ATTRIBUTES,
    ServiceRequestForm,
    attributes_parse,
    comma_list,
    w3_datetime,
)
from minsheng.api.selectors import (
    open311_key_get,
    open311_request_get,
    open311_requests,
    open311_service_get,
    open311_service_of,
    open311_services,
)
from minsheng.api.services import Open311Extras, open311_request_create
from minsheng.cases.models import Category, Channel
from minsheng.cases.services import PersonInput, Submission
from minsheng.cases.workflow import OPEN_STATES
from minsheng.deadlines.models import Kind
from minsheng.lib.ratelimits import SubmissionNeed, lookup_refused, submission_check

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00Z"  # when this endpoint's behaviour last changed
MAX_SPAN = timedelta(days=90)
SUBJECT_FROM_DESCRIPTION = 60


def _w3(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _service_data(category: Category) -> dict[str, Any]:
    group = category.parent or category
    keywords = ", ".join(child.name for child in category.children.all())
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": f"{group.name} / {category.name}" if category.parent else category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": keywords,
        "group": group.name,
    }


def _request_data(row: Open311Request) -> dict[str, Any]:
    case = row.case
    service = open311_service_of(case.category)
    return {
        "service_request_id": case.number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": case.get_state_display(),
        "service_name": service.name if service else "",
        "service_code": str(service.pk) if service else row.service_code,
        "description": case.body,
        "agency_responsible": case.department.name if case.department else "",
        "service_notice": "",
        "requested_datetime": _w3(case.created_at),
        "updated_datetime": _w3(case.closed_at or case.updated_at),
        "expected_datetime": _w3(case.next_due_at),
        "address": case.location,
        "address_id": "",
        "zipcode": "",
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": row.media_url,
    }


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    endpoint = {
        "specification": SPECIFICATION,
        "url": request.build_absolute_uri("/open311/v2"),
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    data = {
        "changeset": CHANGESET,
        "contact": _("Contact the 12345 hotline centre."),
        "key_service": _("Ask the hotline centre's administrator for an api_key."),
        "endpoints": [endpoint],
    }
    return render(fmt, "discovery", data)


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [_service_data(c) for c in open311_services()])


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = open311_service_get(code)
    if category is None:
        return render_errors(fmt, 404, [_("No service has this service_code.")])
    attributes = [
        {
            "variable": True,
            "code": attr_code,
            "datatype": datatype,
            "required": False,
            "datatype_description": "",
            "order": order,
            "description": description,
            "values": [{"key": k.value, "name": str(k.label)} for k in Kind]
            if datatype == "singlevaluelist"
            else [],
        }
        for order, (attr_code, (datatype, description, _max)) in enumerate(ATTRIBUTES.items(), 1)
    ]
    data = {"service_code": str(category.pk), "attributes": attributes}
    return render(fmt, "service_definition", data)


def _submission(form: ServiceRequestForm, service: Category, attrs: dict[str, str]) -> Submission:
    """The GeoReport arguments as a `Submission` from the app channel."""
    data = form.cleaned_data
    description: str = data["description"].strip()
    name = f"{data['first_name']} {data['last_name']}".strip()
    contact = data["email"] or data["phone"]
    people = []
    if name or contact:
        people.append(
            PersonInput(
                name=name or contact,
                phone=data["phone"],
                email=data["email"],
                contact_by="sms" if data["phone"] else "email",
            )
        )
    first_line = description.splitlines()[0] if description else ""
    return Submission(
        kind=attrs.get("kind", Kind.COMPLAINT),
        subject=attrs.get("subject") or first_line[:SUBJECT_FROM_DESCRIPTION] or service.name,
        body=description,
        channel=Channel.APP,
        desired_outcome=attrs.get("desired_outcome", ""),
        location=data["address_string"] or data["address_id"],
        respondent=attrs.get("respondent", ""),
        latitude=form.coordinate("lat"),
        longitude=form.coordinate("long"),
        category=service,
        is_anonymous=not people,
        people=people,
    )


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST requests: check the key, parse the arguments, file the case.

    The case is committed before the answer, so the service_request_id is final.
    """
    key = open311_key_get(request.POST.get("api_key", ""))
    if key is None:
        return render_errors(fmt, 403, [_("Missing or invalid api_key.")])
    form = ServiceRequestForm(request.POST)
    if not form.is_valid():
        messages = [
            f"{field}: {message}" if field != "non_field_errors" else message
            for field, found in field_errors(form.errors.get_json_data()).items()
            for message in found
        ]
        return render_errors(fmt, 400, messages)
    service = open311_service_get(form.cleaned_data["service_code"])
    if service is None:
        return render_errors(fmt, 404, [_("No service has this service_code.")])
    attrs, problems = attributes_parse(request.POST)
    if problems:
        return render_errors(fmt, 400, problems)
    try:
        registered, row = open311_request_create(
            key=key,
            submission=_submission(form, service, attrs),
            extras=Open311Extras(
                service_code=str(service.pk),
                device_id=form.cleaned_data["device_id"],
                account_id=form.cleaned_data["account_id"],
                media_url=form.cleaned_data["media_url"],
            ),
        )
    except ValidationError as error:  # the case services name what they refused
        messages = [
            f"{field}: {message}"
            for field, found in error.message_dict.items()
            for message in found
        ]
        return render_errors(fmt, 400, messages)
    answer = {
        "service_request_id": registered.case.number,
        "service_notice": "",
        "account_id": row.account_id,
    }
    return render(fmt, "service_requests", [answer])


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET requests: the standard filters; service_request_id overrides the others."""
    params = request.GET
    if params.get("service_request_id", "").strip():
        numbers = [n.upper() for n in comma_list(params["service_request_id"])][:1000]
        rows = open311_requests(numbers=numbers)
        return render(fmt, "service_requests", [_request_data(r) for r in rows])
    problems: list[str] = []
    codes = comma_list(params.get("service_code", ""))
    if any(not (c.isascii() and c.isdigit()) or len(c) > 18 for c in codes):
        problems.append(
            _("service_code must be service codes from services.%(fmt)s.") % {"fmt": fmt}
        )
    bounds = {}
    for name in ("start_date", "end_date"):
        raw = params.get(name, "").strip()
        bounds[name] = w3_datetime(raw) if raw else None
        if raw and bounds[name] is None:
            problems.append(
                _("%(name)s must be a W3C date-time with a time zone.") % {"name": name}
            )
    statuses = {s.lower() for s in comma_list(params.get("status", ""))}
    if statuses - {"open", "closed"}:
        problems.append(_("status must be open, closed or both."))
    if problems:
        return render_errors(fmt, 400, problems)
    # Without dates: the most recent 90 days; with one date: 90 days from or up to it.
    start, end = bounds["start_date"], bounds["end_date"]
    if start is None:
        end = end or timezone.now()
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end - start > MAX_SPAN:
        return render_errors(fmt, 400, [_("The date range may not span more than 90 days.")])
    rows = open311_requests(
        service_ids=[int(c) for c in codes] or None,
        start=start,
        end=end,
        is_open=None if len(statuses) != 1 else statuses == {"open"},
    )
    return render(fmt, "service_requests", [_request_data(r) for r in rows])


@csrf_exempt  # GeoReport clients authenticate with api_key, not a session cookie
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    try:  # parse the arguments now, so Django's size guards answer in GeoReport form
        request.POST if request.method == "POST" else request.GET  # noqa: B018
    except RequestDataTooBig:
        return render_errors(fmt, 413, [_("The request is too large.")])
    except SuspiciousOperation:
        return render_errors(fmt, 400, [_("The request could not be read.")])
    if request.method == "POST":
        if submission_check(request) is SubmissionNeed.REFUSED:
            return render_errors(fmt, 429, [_("Too many requests from this address.")])
        return _create(request, fmt)
    if lookup_refused(request, key=None):
        return render_errors(fmt, 429, [_("Too many requests from this address.")])
    return _list(request, fmt)


@require_GET
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if lookup_refused(request, key=number):
        return render_errors(fmt, 429, [_("Too many requests from this address.")])
    row = open311_request_get(number) if "\x00" not in number else None
    if row is None:
        return render_errors(fmt, 404, [_("No service request has this id.")])
    return render(fmt, "service_requests", [_request_data(row)])


@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """We file requests in real time and hand out ids, not tokens; for clients that ask
    anyway, a service_request_id is its own token."""
    if lookup_refused(request, key=token):
        return render_errors(fmt, 429, [_("Too many requests from this address.")])
    row = open311_request_get(token) if "\x00" not in token else None
    if row is None:
        return render_errors(fmt, 404, [_("No service request has this token.")])
    answer = {"service_request_id": row.case.number, "token": token}
    return render(fmt, "service_requests", [answer])


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return render_errors(fmt, 404, [_("No such GeoReport v2 resource.")])
