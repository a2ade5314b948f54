"""Staff pages: My work, the case list (with bulk assignment), the case page and its action
forms, registering phone, letter and walk-in matters.

Every view: access (`staff_required`, `cases.access`) → parse (forms) → service or
selector → render or redirect. What a user may do is asked of `cases.workflow`.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from minsheng.accounts.models import User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases import access as case_access
from minsheng.cases import office
from minsheng.cases.access import (
    access_case,
    can_add_files,
    can_assign_in_bulk,
    can_register_matters,
)
from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.forms import action_form_class, action_inputs
from minsheng.cases.grants import (
    has_hidden_reporter,
    reporter_grant_create,
    reporter_grant_revoke,
    reporter_grants_of,
)
from minsheng.cases.models import Case, CaseResult
from minsheng.cases.selectors import (
    attachment_get,
    case_list_for_user,
    case_sections_by_due,
    case_view_for_staff,
    public_answer_for,
)
from minsheng.cases.services import case_files_add
from minsheng.cases.workflow import (
    ACTIONS,
    Act,
    Queue,
    TransitionNotAllowed,
    allowed_actions,
    knowledge_entry_actions,
    may_take,
    perform,
    queue_actions,
    queue_states,
    why_not,
)
from minsheng.deadlines.models import Kind
from minsheng.dispatch.selectors import auto_dispatched_ids, decision_of, paused_policies
from minsheng.enforcement.selectors import enforcement_section_for
from minsheng.intake.emergency import emergency_context
from minsheng.intake.services import submission_register
from minsheng.knowledge.selectors import policy_entries_search, policy_entry_get
from minsheng.lib import uploads
from minsheng.lib.pagination import (
    BadCursor,
    KeysetPage,
    KeysetPaginator,
    page_from_query,
)
from minsheng.routing import answer_check, hot_topics
from minsheng.routing.forms import HotTopicsForm
from minsheng.routing.selectors import (
    SimilarCase,
    repeat_filings_for,
    similar_cases_for,
    similar_open_cases,
)
from minsheng.routing.services import Suggestion, suggestion_for
from minsheng.supervision.notices import is_supervising
from minsheng.supervision.selectors import notice_queues_for, notices_of_case
from minsheng.workbench.forms import (
    CaseFilesForm,
    ReporterGrantForm,
    ResultSignatureForm,
    SimilarLookupForm,
    StaffRegistrationForm,
    category_suggest,
    entry_initial,
    fields_with_templates,
    form_with_template,
    mediation_forms,
)
from minsheng.workbench.selectors import (
    QUEUE_COUNT_CAP,
    queue_cases,
    queue_parts,
    queues_for_user,
)

LOGIN_URL = "workbench:login"
PAGE_SIZE = 25
REGISTERED_KEY = "workbench_registered"  # {"number", "code"}: shown once on the case page


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Logged in (else to the login page) and holding at least one role (else 403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not role_facts_for(_user(request)).is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper, login_url=LOGIN_URL)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user


def _keyset_page(request: HttpRequest, paginator: KeysetPaginator) -> KeysetPage:
    """The page of a case list the request asks for (`after`/`before` a cursor, or `page`);
    the first page, with a message, for a link that no longer leads anywhere."""
    try:
        return page_from_query(paginator, request.GET)
    except BadCursor:
        messages.error(request, _("That page link is not valid any more: showing the first page."))
    except (EmptyPage, PageNotAnInteger):
        pass
    return paginator.page()


@staff_required
def my_work(request: HttpRequest) -> HttpResponse:
    """The user's queues with their counts, and the cases of the chosen one."""
    user = _user(request)
    queues = queues_for_user(user)
    key = request.GET.get("tab") or (queues[0][0].key if queues else "")
    current = next((queue for queue, _count in queues if queue.key == key), None)
    page = None
    if current is not None:
        cases = queue_cases(user, current)
        paginator = KeysetPaginator(
            case_sections_by_due(cases),
            PAGE_SIZE,
            counted=cases,
            cap=QUEUE_COUNT_CAP,
            parts=queue_parts(user, current),
        )
        page = _keyset_page(request, paginator)
        page.object_list = case_access.cases_listed_for(user, page.object_list)
    context = {
        "queues": queues,
        "count_cap": QUEUE_COUNT_CAP,
        "any_capped": any(count > QUEUE_COUNT_CAP for _queue, count in queues),
        "current": current,
        "page": page,
        "auto_ids": auto_dispatched_ids(c.pk for c in page.object_list) if page else set(),
        "paused_policies": paused_policies() if case_access.can_set_auto_dispatch(user) else [],
        "notice_tabs": notice_queues_for(user),
        "now": timezone.now(),
    }
    return render(request, "workbench/my_work.html", context)


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the user may see, filtered with the shared CaseFilterSet, paginated."""
    user = _user(request)
    filterset = CaseFilterSet(request.GET or None, queryset=case_list_for_user(user), user=user)
    # Pages by cursor, whatever their depth; counting stops at 10,000 ("10,000+"), or at
    # 1,000 for a keyword.
    paginator = filterset.paginator(PAGE_SIZE)
    page = _keyset_page(request, paginator)
    page.object_list = case_access.cases_listed_for(user, page.object_list)
    query = request.GET.copy()
    for position in ("page", "after", "before"):
        query.pop(position, None)
    bulk_form = None
    if can_assign_in_bulk(user):
        bulk_form = action_form_class(Act.ASSIGN)(prefix="bulk")
    context = {
        "filterset": filterset,
        "page": page,
        "auto_ids": auto_dispatched_ids(c.pk for c in page.object_list),
        "query": query.urlencode(),
        "bulk_form": bulk_form,
        "may_supervise": is_supervising(user),
        "now": timezone.now(),
    }
    return render(request, "workbench/case_list.html", context)


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the chosen cases to one department: one `perform` per case, each failure
    reported with its case number."""
    user = _user(request)
    if not can_assign_in_bulk(user):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workbench:case-list")
    form = action_form_class(Act.ASSIGN)(request.POST, prefix="bulk")
    numbers = list(dict.fromkeys(request.POST.getlist("numbers")))
    if not numbers:
        messages.error(request, _("Choose at least one case."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    done: list[str] = []
    for number in numbers:
        try:
            case = access_case(user, number)
            perform(case=case, action=Act.ASSIGN, actor=user, **action_inputs(form))
        except Http404:
            messages.error(request, _("%(number)s: no such case.") % {"number": number})
        except (TransitionNotAllowed, PermissionDenied, ValidationError) as failure:
            reason = " ".join(getattr(failure, "messages", [str(failure)]))
            messages.error(request, f"{number}: {reason}")
        else:
            done.append(number)
    if done:
        messages.success(
            request,
            _("Assigned %(count)s cases: %(numbers)s")
            % {"count": len(done), "numbers": ", ".join(done)},
        )
    return redirect(back)


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the case panel shows, read through the cases selectors and access."""
    user = _user(request)
    shown = request.session.get(REGISTERED_KEY)
    if shown and shown.get("number") == case.number:
        del request.session[REGISTERED_KEY]
    else:
        shown = None
    view = case_view_for_staff(case, user, purpose="workbench case page")
    return {
        **view.as_context(),
        "registered": shown,
        "answer_warnings": _approval_warnings(case, view.result),
        "files_form": CaseFilesForm() if view.may_add_files else None,
        "similar_cases": similar_cases_for(case, user),
        # The office's configuration (`cases.office`): the class, the further details.
        "case_class": office.case_class_get(case.case_class_id),
        # The approval level the result waits at, of how many (医务科 → 分管院长 → 院长).
        "approval_level": office.approval_level_current(case),
        "approval_levels": len(office.approval_chain(case)),
        "extra_details": office.extra_shown(case, shown_as=case_access.text_masker_for(user, case)),
        "repeat_filings": repeat_filings_for(user, case),
        "notices": notices_of_case(case.pk),
        "dispatch_decision": decision_of(case.pk),
        "enforcement_section": enforcement_section_for(case, user),
        "may_supervise": is_supervising(user),
        "has_reply_letter": public_answer_for(case) is not None,
        "may_grant_reporter": case.kind == Kind.REPORT
        and case_access.can_grant_reporter_access(user),
        # Records some offices keep (`workbench.mediation`): each agreement with its form.
        "mediation": mediation_forms(view.mediation_agreements),
        "result_signature_form": ResultSignatureForm(
            prefix="result-signature",
            initial={"signed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        )
        if view.may_record_result_signature
        else None,
        "now": timezone.now(),
    }


@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case(_user(request), number)
    return render(request, "workbench/case_detail.html", _case_context(request, case))


@staff_required
def case_action(request: HtmxHttpRequest, number: str, action: str) -> HttpResponse:
    """One lifecycle action's form (GET) and its submission (POST) through `perform`.

    With htmx the form comes as a fragment and success returns the refreshed case panel;
    without it, success redirects to the case page.
    """
    user = _user(request)
    case = access_case(user, number)
    if action not in ACTIONS:
        raise Http404("No such action.")
    if request.method == "POST" and not may_take(case, user, action):
        raise PermissionDenied  # refused as such before the form is read (auditors)
    form_class = action_form_class(action)
    if request.method == "POST" and "insert_template" in request.POST:
        form = form_with_template(form_class, request.POST)  # the picker without JavaScript
    elif request.method == "POST":
        form = form_class(request.POST)
    else:
        entry = request.GET.get("entry", "")
        found = policy_entry_get(int(entry), public_only=False) if entry.isdigit() else None
        form = form_class(initial=entry_initial(form_class, found) if found else None)
    if "category" in form.fields and case.category_id is None:
        category_suggest(form, suggestion_for(subject=case.subject, body=case.body))
    if form.is_bound and form.is_valid() and not _held_by_answer_check(request, case, action, form):
        try:
            perform(case=case, action=action, actor=user, **action_inputs(form))
        except ValidationError as error:
            form.add_error(None, error)
        except (TransitionNotAllowed, PermissionDenied) as refused:
            messages.error(request, str(refused))
            return _after_action(request, number)
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": ACTIONS[Act(action)].label}
            )
            return _after_action(request, number)
    first_field = next(iter(form.fields.values()), None)
    if first_field is not None:
        first_field.widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
    context = {
        "case": case,
        "subject": case_access.text_masker_for(user, case)(case.subject),
        "action": action,
        "form": form,
        "fields": fields_with_templates(form, action),
        "refused": why_not(case, user, action),
    }
    context.update(_answer_check_context(request, case, action, form))
    if not request.htmx:
        return render(request, "workbench/case_action.html", context)
    response = render(request, "workbench/_action_form.html", context)
    if request.method == "POST":
        response = reswap(retarget(response, "#action-form"), "innerHTML")
    return response


def _after_action(request: HtmxHttpRequest, number: str) -> HttpResponse:
    if not request.htmx:
        return redirect("workbench:case-detail", number=number)
    case = access_case(_user(request), number)
    return render(request, "workbench/_case_panel.html", _case_context(request, case))


@staff_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a phone, letter, e-mail or walk-in matter (intake agents)."""
    user = _user(request)
    if not can_register_matters(user):
        raise PermissionDenied
    # "Check for similar cases" (without JavaScript) shows the form again, unchecked.
    checking = request.method == "POST" and "similar_check" in request.POST
    if checking:
        form = StaffRegistrationForm(initial=request.POST.dict())
    else:
        form = StaffRegistrationForm(request.POST or None, request.FILES or None)
    suggestion = _suggestion(request.POST)
    previous = request.POST.get("category_suggested", "")
    suggested = category_suggest(form, suggestion, previous=previous)
    if request.method == "POST" and not checking and form.is_valid():
        try:
            registered = submission_register(
                submission=form.submission(),
                actor=user,
                files=form.cleaned_data["evidence"],
                suggestion=suggestion,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            number = registered.case.number
            request.session[REGISTERED_KEY] = {"number": number, "code": registered.query_code}
            return redirect("workbench:case-detail", number=number)
    similar = _similar_to_form(user, request.POST) if request.method == "POST" else None
    context = {"form": form, "similar": similar, "category_suggested": suggested}
    return render(
        request, "workbench/register.html", {**context, **emergency_context(form.emergency())}
    )


# Fewer characters than this say too little for the routing model to suggest a category.
SUGGEST_FROM_CHARS = 4


def _suggestion(data: Any) -> Suggestion | None:
    """The routing model's category suggestion for the subject and text typed so far."""
    subject, body = str(data.get("subject", "")).strip(), str(data.get("body", "")).strip()
    if len(subject + body) < SUGGEST_FROM_CHARS:
        return None
    return suggestion_for(subject=subject[:200], body=body[:5000])


@staff_required
@require_POST
def register_category(request: HttpRequest) -> HttpResponse:
    """The category choice of the registration page with the routing model's suggestion
    for the text typed so far, preselected unless the agent chose another (htmx)."""
    if not can_register_matters(_user(request)):
        raise PermissionDenied
    form = StaffRegistrationForm(initial=request.POST.dict())
    previous = request.POST.get("category_suggested", "")
    suggested = category_suggest(form, _suggestion(request.POST), previous=previous)
    context = {"form": form, "category_suggested": suggested}
    return render(request, "workbench/_category_choice.html", context)


@staff_required
@require_POST
def register_extra(request: HttpRequest) -> HttpResponse:
    """The registration page's extra fields for the category now chosen, with what was
    typed so far (htmx, when the category changes)."""
    if not can_register_matters(_user(request)):
        raise PermissionDenied
    form = StaffRegistrationForm(initial=request.POST.dict())
    context = {"form": form, "refresh_url": reverse("workbench:register-extra")}
    return render(request, "_extra_fields.html", context)


def _similar_to_form(user: User, data: Any) -> list[SimilarCase]:
    lookup = SimilarLookupForm(data)
    if not lookup.is_valid():
        return []
    return similar_open_cases(matter=lookup.matter(), user=user)


@staff_required
@require_POST
def register_similar(request: HttpRequest) -> HttpResponse:
    """The open cases like the matter being typed on the registration page (htmx)."""
    user = _user(request)
    if not can_register_matters(user):
        raise PermissionDenied
    similar = _similar_to_form(user, request.POST)
    return render(request, "workbench/_similar_cases.html", {"similar": similar})


def _granting_case(request: HttpRequest, number: str) -> Case:
    """The case, for a supervisor who may grant sight of its reporter (404, else 403; 404
    too when it is not a report)."""
    case = access_case(_user(request), number)
    if not case_access.can_grant_reporter_access(_user(request)):
        raise PermissionDenied
    if not has_hidden_reporter(case):
        raise Http404("Not a report: no reporter is hidden.")
    return case


@staff_required
def reporter_grants_view(request: HttpRequest, number: str) -> HttpResponse:
    """Who may see the reporter of a report, and a form to grant it (supervisors)."""
    user = _user(request)
    case = _granting_case(request, number)
    form = ReporterGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reporter_grant_create(case=case, actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Granted."))
            return redirect("workbench:reporter-grants", number=case.number)
    context = {"case": case, "form": form, "grants": reporter_grants_of(case)}
    return render(request, "workbench/reporter_grants.html", context)


@staff_required
@require_POST
def reporter_grant_revoke_view(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Take a grant back (supervisors)."""
    case = _granting_case(request, number)
    grant = reporter_grants_of(case).filter(pk=pk).first()
    if grant is None:
        raise Http404("No such grant.")
    try:
        reporter_grant_revoke(grant=grant, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Revoked."))
    return redirect("workbench:reporter-grants", number=case.number)


@never_cache
@staff_required
def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A file of a case the user may see, always as a download."""
    case = access_case(_user(request), number)
    found = attachment_get(case, pk, public=False)
    if found is None:
        raise Http404("No such file.")
    return uploads.file_response(
        found.file.open("rb"), name=found.original_name, content_type=found.content_type
    )


@staff_required
@require_POST
def case_files_add_view(request: HttpRequest, number: str) -> HttpResponse:
    """Add files to a case (`cases.access.can_add_files`); errors show beside the field."""
    user = _user(request)
    case = access_case(user, number)
    if not can_add_files(user, case):
        raise PermissionDenied
    form = CaseFilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = form.cleaned_data
            case_files_add(
                case=case,
                actor=user,
                files=data["evidence"],
                is_public=data["is_public"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(form.cleaned_data["evidence"])
            messages.success(request, _("Added %(count)s files.") % {"count": count})
            return redirect("workbench:case-detail", number=number)
    context = {**_case_context(request, case), "files_form": form}
    return render(request, "workbench/case_detail.html", context)


@staff_required
def knowledge_search(request: HtmxHttpRequest) -> HttpResponse:
    """Search the policy knowledge base (政策知识库), from a case page (htmx) or on its own.
    With `case`, each entry links to the case's answer form started with the entry."""
    user = _user(request)
    query = request.GET.get("q", "").strip()[:100]
    case = access_case(user, request.GET["case"]) if request.GET.get("case") else None
    allowed = allowed_actions(case, user) if case is not None else []
    context = {
        "query": query,
        "searched": True,
        "case": case,
        "entries": policy_entries_search(query=query, public_only=False),
        "entry_action": next((a for a in knowledge_entry_actions() if a in allowed), None),
    }
    if request.htmx:
        return render(request, "workbench/_knowledge_results.html", context)
    return render(request, "workbench/knowledge.html", context)


# --- answer check and hot topics (routing) ----------------------------------------------

ANSWER_CHECK_ACK = "answer_check_ack"  # the "Submit anyway" button


def _approval_warnings(case: Case, result: CaseResult | None) -> list[answer_check.AnswerWarning]:
    """The answer check of the result awaiting approval (none in other states)."""
    if case.state not in queue_states(Queue.APPROVAL):
        return []
    return answer_check.case_result_warnings(case, result)


def _answer_check_context(
    request: HttpRequest, case: Case, action: str, form: Any
) -> dict[str, Any]:
    """The answer check's warnings for the result form (on the text just submitted) and
    the approval forms (on the stored result). It warns, it never blocks."""
    if action == Act.SUBMIT_RESULT and form.is_bound and form.is_valid():
        data = form.cleaned_data
        warnings = answer_check.result_warnings(
            subject=case.subject,
            body=case.body,
            facts=data.get("facts", ""),
            basis=data.get("basis", ""),
            measures=data.get("measures", ""),
            outcome=data.get("outcome", ""),
            remedy=data.get("remedy", ""),
            remedy_days=data.get("remedy_days"),
        )
        return {"answer_warnings": warnings, "answer_check_pending": bool(warnings)}
    if action in queue_actions(Queue.APPROVAL):
        return {"answer_warnings": _approval_warnings(case, case.results.first())}
    return {}


def _held_by_answer_check(request: HttpRequest, case: Case, action: str, form: Any) -> bool:
    """A result with warnings comes back once with them; "Submit anyway" goes through."""
    if action != Act.SUBMIT_RESULT or ANSWER_CHECK_ACK in request.POST:
        return False
    return bool(_answer_check_context(request, case, action, form).get("answer_warnings"))


HOT_TOPICS_SHOWN = 20


@staff_required
def hot_topics_view(request: HttpRequest) -> HttpResponse:
    """Hot topics (热点问题): groups of similar cases in a period and area, hottest first
    (routing.hot_topics; supervisors and leaders)."""
    user = _user(request)
    if not case_access.can_view_hot_topics(user):
        raise PermissionDenied
    form = HotTopicsForm(request.GET or {"days": 30})
    run = None
    if form.is_valid():
        end = timezone.now()
        start = end - timedelta(days=form.cleaned_data["days"])
        area = form.cleaned_data["area"]
        items = hot_topics.case_items(
            case_access.cases_visible_to(user),
            start=start,
            end=end,
            area=area,
        )
        run = hot_topics.topics_find(items, start=start, end=end, limit=HOT_TOPICS_SHOWN)
    return render(request, "workbench/hot_topics.html", {"form": form, "run": run})
