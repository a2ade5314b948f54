"""Enforcement pages, mounted under /work/enforcement/ beside the workbench: the list of
open (or closed) enforcement cases with the step each waits for, one enforcement case with
its steps and the form of the next, and opening one from a complaint (转立案查处).

Who may see a complaint, and work its enforcement, is asked of `cases.access`; which step
comes next and who takes it, of the step table (`services`). Every enforcement case is
reached through `selectors.enforcement_get_for` (404 if not theirs).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases.access import access_case, enforcement_roles_on, text_masker_for
from minsheng.cases.workflow import TransitionNotAllowed
from minsheng.enforcement import selectors, services
from minsheng.enforcement.forms import EnforcementOpenForm, step_form_class
from minsheng.enforcement.models import EnforcementState, Stage

LOGIN_URL = "workbench:login"
PAGE_SIZE = 25


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not role_facts_for(user).is_staff_member:
        raise PermissionDenied
    return user


@login_required(login_url=LOGIN_URL)
def enforcement_list(request: HttpRequest) -> HttpResponse:
    """The enforcement cases the user may see, open ones the soonest due first."""
    user = _staff(request)
    closed = request.GET.get("state") == EnforcementState.CLOSED
    state = EnforcementState.CLOSED if closed else EnforcementState.OPEN
    found = selectors.enforcement_list_for(user, state=state)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "now": timezone.now()}
    return render(request, "enforcement/enforcement_list.html", context)


@login_required(login_url=LOGIN_URL)
def enforcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enforcement case: its steps with their due times, and the next step's form
    (POST takes it through `services.enforcement_step_take`)."""
    user = _staff(request)
    enforcement = selectors.enforcement_get_for(user, pk)
    step = Stage(enforcement.step) if enforcement.step else None
    allowed = services.enforcement_allowed_steps(enforcement, user)
    if request.method == "POST" and (step is None or step not in allowed):
        raise PermissionDenied  # refused before the form is read (auditors, supervisors)
    form = step_form_class(step)(request.POST or None) if step else None
    if step is not None and form is not None and form.is_bound and form.is_valid():
        try:
            services.enforcement_step_take(
                enforcement=enforcement, step=str(step), actor=user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("enforcement:detail", pk=pk)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": services.STEPS[step].label})
            return redirect("enforcement:detail", pk=pk)
    view = selectors.enforcement_view_for(enforcement, user)
    context = {
        "view": view,
        "enforcement": enforcement,
        "form": form if view.allowed else None,
        "next_spec": services.STEPS[step] if step else None,
        "refused": services.enforcement_why_not(enforcement, user, str(step)) if step else None,
    }
    return render(request, "enforcement/enforcement_detail.html", context)


@login_required(login_url=LOGIN_URL)
def enforcement_open(request: HttpRequest, number: str) -> HttpResponse:
    """Open an enforcement case from the complaint `number` (转立案查处): the form (GET,
    or with its errors) and its submission."""
    user = _staff(request)
    case = access_case(user, number)
    if not enforcement_roles_on(user, case):
        raise PermissionDenied  # refused before the form is read
    form = EnforcementOpenForm(request.POST or None, initial={"respondent": case.respondent})
    if form.is_bound and form.is_valid():
        try:
            opened = services.enforcement_open(case=case, actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("workbench:case-detail", number=case.number)
        else:
            messages.success(
                request, _("Enforcement case %(number)s opened.") % {"number": opened.number}
            )
            return redirect("enforcement:detail", pk=opened.pk)
    context = {
        "case": case,
        "subject": text_masker_for(user, case)(case.subject),
        "form": form,
    }
    return render(request, "enforcement/enforcement_open.html", context)
