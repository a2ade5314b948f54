"""Public pages: submit a matter, the receipt, follow a case by number and query code
(supplement, rate, appeal), and how the service works. No login; the query code proves
the complainant (`cases.access.access_case_public`).
"""

import logging
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minsheng.cases import office
from minsheng.cases.access import Citizen, access_case_public
from minsheng.cases.forms import EvidenceField, action_form_class, action_inputs
from minsheng.cases.models import Case
from minsheng.cases.selectors import attachment_get, case_view_for_complainant, open_clocks_for
from minsheng.cases.services import material_supply
from minsheng.cases.workflow import Act, TransitionNotAllowed, perform, public_actions
from minsheng.deadlines.models import Kind, Severity
from minsheng.deadlines.selectors import policy_for
from minsheng.intake.emergency import EMERGENCY_SERVICES, emergency_context, emergency_numbers
from minsheng.intake.services import submission_register
from minsheng.knowledge.selectors import policy_entries_search
from minsheng.lib import uploads
from minsheng.lib.plain_forms import PlainForm
from minsheng.lib.ratelimits import SubmissionNeed, lookup_refused, submission_check
from minsheng.portal.forms import BODY_MAX_CHARS, ChallengeForm, SubmissionForm
from minsheng.reports.filters import PublicMonthForm, recent_months
from minsheng.reports.selectors import public_figures
from minsheng.reports.services import PAGE_REFRESH_EVENTS, facts_refresh
from minsheng.routing import hot_topics

TOO_MANY_LOOKUPS = gettext_lazy(
    "Too many look-ups of this case or from your network in a short time. Please wait a few "
    "minutes and try again, or call the 12345 hotline."
)
RECEIPT_KEY = "portal_receipt"  # {"number", "code"}: shown once on the receipt page
TRACKED_KEY = "portal_tracked"  # {number: code}: cases this browser has proven the code for
TRACKED_LINK_KEY = "portal_tracked_link"  # {number: token}: the same, by a tracking link


class TrackForm(PlainForm):
    number = forms.CharField(label=gettext_lazy("Case number"), max_length=24)
    code = forms.CharField(label=gettext_lazy("Query code"), max_length=16)


class SupplementForm(action_form_class(Act.SUPPLEMENT)):  # type: ignore[misc]
    evidence = EvidenceField(label=gettext_lazy("Files"))


def _remember(request: HttpRequest, number: str, code: str) -> None:
    tracked = dict(request.session.get(TRACKED_KEY, {}))
    tracked[number] = code
    request.session[TRACKED_KEY] = tracked


def _tracked_case(request: HttpRequest, number: str) -> tuple[Case, Citizen]:
    code = request.session.get(TRACKED_KEY, {}).get(number, "")
    token = request.session.get(TRACKED_LINK_KEY, {}).get(number, "")
    return access_case_public(number, code, token=token)


def _follow_link(request: HttpRequest, number: str, token: str) -> HttpResponse | None:
    """A tracking link from a message: open the case, or None if the link is not valid."""
    try:
        case, _citizen = access_case_public(number, token=token)
    except Http404:
        return None
    links = dict(request.session.get(TRACKED_LINK_KEY, {}))
    links[case.number] = token
    request.session[TRACKED_LINK_KEY] = links
    return redirect("portal:track-case", number=case.number)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"track_form": TrackForm()})


def submit(request: HttpRequest) -> HttpResponse:
    """The submission form; after the case is committed, the receipt (redirect after POST).
    Past a number of submissions from one address a simple question comes first; past a
    higher one the address is refused for a while (`lib.ratelimits`, nothing written)."""
    need = submission_check(request, count=request.method == "POST")
    if need is SubmissionNeed.REFUSED:
        return error_page(request, status=429)
    form = SubmissionForm(request.POST or None, request.FILES or None)
    challenge = ChallengeForm(request.POST or None) if need is SubmissionNeed.CHALLENGE else None
    is_valid = form.is_valid() if request.method == "POST" else False
    if challenge is not None and request.method == "POST":
        is_valid = challenge.is_valid() and is_valid
    if is_valid:
        try:
            registered = submission_register(
                submission=form.submission(), actor=None, files=form.cleaned_data["evidence"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            number, code = registered.case.number, registered.query_code
            request.session[RECEIPT_KEY] = {"number": number, "code": code}
            _remember(request, number, code)
            return redirect("portal:receipt")
    context = {"form": form, "challenge": challenge, **emergency_context(form.emergency())}
    return render(request, "portal/submit.html", context)


@require_POST
def emergency_check(request: HttpRequest) -> HttpResponse:
    """The emergency notice for the text typed so far (htmx, while the person types)."""
    fields = ("subject", "body", "desired_outcome", "location")
    numbers = emergency_numbers(*(request.POST.get(name, "") for name in fields))
    return render(request, "portal/_emergency.html", emergency_context(numbers))


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    """The number and query code, shown once, with how to follow the case and when it is due."""
    shown = request.session.pop(RECEIPT_KEY, None)
    if shown is None:
        return render(request, "portal/receipt.html", {"case": None})
    case, _citizen = access_case_public(shown["number"], shown["code"])
    policy = office.policy_of(case)
    context = {"case": case, "code": shown["code"], "clocks": open_clocks_for(case)}
    return render(request, "portal/receipt.html", {**context, "policy": policy})


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Ask for the number and the query code; a wrong pair looks like a missing case."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    link_error = ""
    if request.method == "GET" and request.GET.get("token"):
        followed = _follow_link(request, request.GET.get("number", ""), request.GET["token"])
        if followed is not None:
            return followed
        link_error = _("This link is not valid or has expired; enter the query code.")
    status = 200
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        if lookup_refused(request, key=number):
            form.add_error(None, TOO_MANY_LOOKUPS)
            status = 429
        else:
            try:
                access_case_public(number, form.cleaned_data["code"])
            except Http404:
                form.add_error(None, _("No case matches this number and query code."))
            else:
                _remember(request, number, form.cleaned_data["code"].strip().upper())
                return redirect("portal:track-case", number=number)
    context = {"form": form, "link_error": link_error}
    return render(request, "portal/track.html", context, status=status)


@never_cache
def track_case(request: HttpRequest, number: str) -> HttpResponse:
    """What the complainant may see: public timeline, what is awaited, the answer, and the
    forms for the actions they may take now."""
    try:
        case, citizen = _tracked_case(request, number)
    except Http404:
        return redirect(f"{reverse('portal:track')}?{urlencode({'number': number})}")
    return render(request, "portal/track_case.html", _track_context(case, citizen, {}))


@never_cache
@require_POST
def track_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Supplement, rate or appeal, as the complainant proven by the query code."""
    if action not in public_actions():
        raise Http404("No such action.")
    case, citizen = _tracked_case(request, number)
    form_class = SupplementForm if action == Act.SUPPLEMENT else action_form_class(action)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            if action == Act.SUPPLEMENT:
                material_supply(
                    case=case,
                    actor=citizen,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["evidence"],
                )
            else:
                perform(case=case, action=action, actor=citizen, **action_inputs(form))
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("portal:track-case", number=case.number)
        else:
            messages.success(request, _("Thank you. Your case has been updated."))
            return redirect("portal:track-case", number=case.number)
    context = _track_context(case, citizen, {action: form})
    return render(request, "portal/track_case.html", context, status=200)


def _track_context(case: Case, citizen: Citizen, bound: dict[str, forms.Form]) -> dict[str, Any]:
    view = case_view_for_complainant(case, citizen)
    action_forms = {
        name: bound.get(name)
        or (SupplementForm() if name == Act.SUPPLEMENT else action_form_class(name)())
        for name in view.allowed_actions
    }
    return {"case": case, "view": view, "action_forms": action_forms}


@never_cache
def track_attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A file of the case that the complainant may see, always as a download."""
    case, _citizen = _tracked_case(request, number)
    attachment = attachment_get(case, pk, public=True)
    if attachment is None:
        raise Http404("No such file.")
    return uploads.file_response(
        attachment.file.open("rb"),
        name=attachment.original_name,
        content_type=attachment.content_type,
    )


def guide(request: HttpRequest) -> HttpResponse:
    """Channels, the process and the time limits (from the deadline policies), and the
    public answers of the policy knowledge base, searchable."""
    limits = [
        (label, policy_for(kind=kind, severity=Severity.GENERAL)) for kind, label in Kind.choices
    ]
    urgent = policy_for(kind=Kind.COMPLAINT, severity=Severity.URGENT)
    query = request.GET.get("q", "").strip()[:100]
    entries = policy_entries_search(query=query, public_only=True)
    context = {"limits": limits, "urgent": urgent, "query": query, "entries": entries}
    return render(request, "portal/guide.html", context)


# --- error pages (the root URLconf's handlers; API paths answer problem JSON instead) ----

logger = logging.getLogger(__name__)

ERROR_TEXTS = {
    400: (
        gettext_lazy("We could not read what was sent"),
        gettext_lazy("The request was incomplete or damaged. Please go back and try again."),
    ),
    403: (
        gettext_lazy("You may not open this page"),
        gettext_lazy(
            "Your account does not allow this. If you need it for your work, ask an administrator."
        ),
    ),
    404: (
        gettext_lazy("We cannot find this page"),
        gettext_lazy(
            "The address may be mistyped, or the page has moved. A case is followed with "
            "its number and query code on the page “Follow a case”."
        ),
    ),
    429: (
        gettext_lazy("Too many requests"),
        gettext_lazy(
            "Many matters were sent from your network in a short time. Please try again later, "
            "or call the 12345 hotline: every call is taken."
        ),
    ),
    500: (
        gettext_lazy("Something went wrong on our side"),
        gettext_lazy(
            "The error has been logged and will be looked at. Please try again in a few "
            "minutes. If you were sending a matter, check with the number on your receipt "
            "before sending it again."
        ),
    ),
}
EXPIRED = (
    gettext_lazy("This page has expired"),
    gettext_lazy(
        "For your safety a form can be sent only for a while after it was opened, and only "
        "with cookies allowed. Go back, reload the page and send it again."
    ),
)
TOO_LONG_TITLE = gettext_lazy("What you sent is too long")
TOO_LONG = gettext_lazy(
    "What you sent is too long for us to receive: a description may have up to "
    "%(limit)s characters. Go back, shorten the text (your browser usually keeps what you "
    "typed) and send it again."
)


def error_page(
    request: HttpRequest,
    *,
    status: int,
    exception: BaseException | None = None,
    is_expired: bool = False,
) -> HttpResponse:
    """The page for 400, 403, 404 and 500, in the site's language and look (the workbench's
    under /work/): what happened, a way back, and the emergency numbers."""
    title, explanation = (str(text) for text in (EXPIRED if is_expired else ERROR_TEXTS[status]))
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        title, explanation = str(TOO_LONG_TITLE), TOO_LONG % {"limit": BODY_MAX_CHARS}
    referer = request.headers.get("referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""
    is_staff_page = request.path.startswith("/work/")
    context = {
        "status": status,
        "title": title,
        "explanation": explanation,
        "back": back,
        "base": "workbench/base.html" if is_staff_page else "portal/base.html",
        "home": reverse("workbench:my-work" if is_staff_page else "portal:home"),
        "emergency_services": [(number, label) for number, label, _w in EMERGENCY_SERVICES],
    }
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # the page must not fail: a broken database may be why we are here
        logger.exception("error page %s could not be rendered", status)
        return HttpResponse(PLAIN_ERROR, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: a form sent from a page that expired (or without cookies)
    gets the 403 page, saying so."""
    return error_page(request, status=403, is_expired=True)


PLAIN_ERROR = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>民声 12345</title>'
    "<h1>出错了 · Something went wrong</h1><p>请稍后再试。Please try again later.</p>"
    "<p>紧急情况请拨打 110（报警）、119（火警）、120（急救）。"
    "Emergencies: 110, 119, 120. 便民热线 Hotline 12345.</p>"
)


def open_figures(request: HttpRequest) -> HttpResponse:
    """Public disclosure (信息公开): one month's figures (`reports.public_figures`, cached,
    small counts suppressed, no personal data) with its hot topics in neutral words, which
    this page hands in from `routing` (a feature does not import another)."""
    form = PublicMonthForm(request.GET or {})
    month = form.cleaned_data["month"] if form.is_valid() else recent_months(1)[0]
    facts_refresh(max_events=PAGE_REFRESH_EVENTS)  # cheap when nothing changed
    figures = public_figures(month=month, topics_source=hot_topics.period_topics)
    context = {"form": form, "figures": figures, "months": recent_months()}
    return render(request, "portal/open.html", context)
