"""Staff pages for supervision, mounted under /work/supervision/ beside the workbench:
the notices (list with the user's tabs, one notice with its actions, issuing one from a case
or a selection of cases) and the return-visit queue.

Who may do what is asked of `supervision.notices` (notices) and `cases.access.can_call_back`
(visits); every notice is reached through `selectors.notice_get_for` (404 if not theirs).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases.access import access_case, can_call_back
from minsheng.cases.workflow import Act, allowed_actions
from minsheng.lib import uploads
from minsheng.supervision import selectors, services
from minsheng.supervision.forms import NoticeActionForm, NoticeIssueForm, VisitCallForm
from minsheng.supervision.models import NoticeLevel, ReturnVisit
from minsheng.supervision.notices import (
    NOTICE_ACTIONS,
    NoticeTransitionNotAllowed,
    is_supervising,
    notice_allowed_actions,
    notice_issue,
    notice_perform,
)

LOGIN_URL = "workbench:login"
PAGE_SIZE = 25


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not role_facts_for(user).is_staff_member:
        raise PermissionDenied
    return user


@login_required(login_url=LOGIN_URL)
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices the user may see: their tabs with counts, or all of them."""
    user = _staff(request)
    tabs = selectors.notice_queues_for(user)
    key = request.GET.get("tab", "")
    chosen = selectors.notice_queue_notices(user, key) if key else None
    notices = chosen if chosen is not None else selectors.notices_visible_to(user)
    page = Paginator(notices.prefetch_related("cases"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tabs": tabs,
        "tab": key if chosen is not None else "",
        "page": page,
        "may_issue": is_supervising(user),
        "now": timezone.now(),
    }
    return render(request, "supervision/notice_list.html", context)


@login_required(login_url=LOGIN_URL)
def notice_issue_view(request: HttpRequest) -> HttpResponse:
    """Issue a notice about the cases given (`?numbers=` from a case page or the case list's
    selection); each case is reached through `cases.access`."""
    user = _staff(request)
    if not is_supervising(user):
        raise PermissionDenied
    # The case list's selection is POSTed (with select_for_notice): redirect to the form
    # started with those cases (?numbers=, as from a case page), so the form is a GET page.
    if request.method == "POST" and "select_for_notice" in request.POST:
        numbers = list(dict.fromkeys(request.POST.getlist("numbers")))
        return redirect(
            f"{reverse('supervision:notice-issue')}?{urlencode({'numbers': numbers}, doseq=True)}"
        )
    numbers = list(dict.fromkeys(request.GET.getlist("numbers")))
    for number in numbers:
        access_case(user, number)
    initial = {"cases": "\n".join(numbers), "level": NoticeLevel.SUPERVISION, "due_days": 2}
    form = NoticeIssueForm(request.POST or None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
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
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Issued %(number)s.") % {"number": notice.number})
            return redirect("supervision:notice-detail", pk=notice.pk)
    return render(request, "supervision/notice_issue.html", {"form": form})


@login_required(login_url=LOGIN_URL)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: what it demands of whom by when, the answer and its files, its cases,
    and a form for each action the user may take now."""
    user = _staff(request)
    notice = selectors.notice_get_for(user, pk)
    actions = notice_allowed_actions(notice, user)
    context = {
        "notice": notice,
        "cases": notice.cases.select_related("department").order_by("pk"),
        "actions": [(name, NOTICE_ACTIONS[name]) for name in actions],
        "form": NoticeActionForm(),
        "history": selectors.notice_history(notice),
        "now": timezone.now(),
    }
    return render(request, "supervision/notice_detail.html", context)


@login_required(login_url=LOGIN_URL)
@require_POST
def notice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action on a notice; errors come back on the notice's page."""
    user = _staff(request)
    notice = selectors.notice_get_for(user, pk)
    if action not in NOTICE_ACTIONS:
        raise Http404("No such action.")
    form = NoticeActionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            notice_perform(
                notice=notice,
                action=action,
                actor=user,
                note=form.cleaned_data["note"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except (NoticeTransitionNotAllowed, PermissionDenied) as refused:
            messages.error(request, str(refused))
            return redirect("supervision:notice-detail", pk=pk)
        else:
            label = NOTICE_ACTIONS[action].label
            messages.success(request, _("Done: %(action)s.") % {"action": label})
            return redirect("supervision:notice-detail", pk=pk)
    context = {
        "notice": notice,
        "cases": notice.cases.select_related("department").order_by("pk"),
        "actions": [(name, NOTICE_ACTIONS[name]) for name in notice_allowed_actions(notice, user)],
        "form": form,
        "failed_action": action,
        "history": selectors.notice_history(notice),
        "now": timezone.now(),
    }
    return render(request, "supervision/notice_detail.html", context, status=400)


@never_cache
@login_required(login_url=LOGIN_URL)
def notice_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file of a notice's answer, as a download."""
    user = _staff(request)
    notice = selectors.notice_get_for(user, pk)
    found = notice.files.filter(pk=file_pk).first()
    if found is None:
        raise Http404("No such file.")
    return uploads.file_response(
        found.file.open("rb"), name=found.original_name, content_type=found.content_type
    )


# --- return visits ---------------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    user = _staff(request)
    if not can_call_back(user):
        raise PermissionDenied
    return user


@login_required(login_url=LOGIN_URL)
def visit_list(request: HttpRequest) -> HttpResponse:
    """The call-back queue (回访): answered cases whose complainants are not told by message."""
    _caller(request)
    page = Paginator(selectors.return_visits_pending(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/visit_list.html", {"page": page})


@login_required(login_url=LOGIN_URL)
def visit_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a call of one return visit; the case's complainants are shown through
    `cases.access` (the look is logged)."""
    user = _caller(request)
    visit = ReturnVisit.objects.select_related("case").filter(pk=pk).first()
    if visit is None:
        raise Http404("No such return visit.")
    case = access_case(user, visit.case.number)
    form = VisitCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.return_visit_call(
                visit=visit,
                actor=user,
                outcome=data["outcome"],
                note=data["note"],
                rating=data["rating"],
                is_explained=data["is_explained"],
                is_timely=data["is_timely"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The call is recorded."))
            return redirect("supervision:visit-list")
    context = {
        "visit": visit,
        "case": case,
        "complainants": selectors.visit_complainants(user, case),
        "form": form,
        "appeal_action": Act.APPEAL if Act.APPEAL in allowed_actions(case, user) else None,
    }
    return render(request, "supervision/visit_call.html", context)
