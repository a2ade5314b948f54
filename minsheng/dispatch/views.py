"""Auto-dispatch pages: the policies with their expected share and errors, the switch
(administrators and supervisors), and the report of shares, measured precision and
corrections (those, dispatchers and leaders). Access is asked of `cases.access`."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.cases.access import can_set_auto_dispatch, can_view_auto_dispatch
from minsheng.dispatch import selectors, services
from minsheng.dispatch.forms import PolicyForm, ReportForm, SwitchForm
from minsheng.dispatch.models import DispatchPolicy

LOGIN_URL = "workbench:login"


def _setter(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_set_auto_dispatch(user):
        raise PermissionDenied
    return user


def _saved(request: HttpRequest, form: PolicyForm, policy: DispatchPolicy | None) -> bool:
    """Save the policy through the service; its errors go back on the form."""
    try:
        services.policy_save(
            policy=policy,
            actor=_setter(request),
            resume="resume" in request.POST,
            **form.cleaned_data,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, _("Policy saved."))
    return True


@login_required(login_url=LOGIN_URL)
def policy_list(request: HttpRequest) -> HttpResponse:
    """Every policy with its threshold, expected share and errors per thousand, the
    switch, and a form for a new policy."""
    _setter(request)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _saved(request, form, None):
        return redirect("dispatch:policy-list")
    context = {
        "rows": selectors.policy_rows(),
        "switch": selectors.switch_get(),
        "form": form,
    }
    return render(request, "dispatch/policy_list.html", context)


@login_required(login_url=LOGIN_URL)
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one policy (and lift its pause on drift)."""
    _setter(request)
    policy = selectors.policies().filter(pk=pk).first()
    if policy is None:
        raise Http404("No such policy.")
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid() and _saved(request, form, policy):
        return redirect("dispatch:policy-list")
    point = selectors.operating_point_of(policy)
    return render(
        request, "dispatch/policy_edit.html", {"policy": policy, "point": point, "form": form}
    )


@login_required(login_url=LOGIN_URL)
@require_POST
def switch_view(request: HttpRequest) -> HttpResponse:
    """Turn automatic dispatch on or off at once."""
    user = _setter(request)
    form = SwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose on or off."))
    else:
        switch = services.switch_set(is_on=form.cleaned_data["is_on"], actor=user)
        messages.success(
            request,
            _("Automatic dispatch is on.") if switch.is_on else _("Automatic dispatch is off."),
        )
    return redirect("dispatch:policy-list")


@login_required(login_url=LOGIN_URL)
def report_view(request: HttpRequest) -> HttpResponse:
    """Per period and per suggested category: the share assigned automatically, the
    precision measured on those (not corrected, not returned), and the corrections."""
    user = request.user
    if not isinstance(user, User) or not can_view_auto_dispatch(user):
        raise PermissionDenied
    form = ReportForm(request.GET or {"days": 30})
    report = None
    if form.is_valid():
        end = timezone.now()
        start = end - timedelta(days=form.cleaned_data["days"])  # a period of calendar days
        report = selectors.report_for(start=start, end=end, category=form.cleaned_data["category"])
    return render(request, "dispatch/report.html", {"form": form, "report": report})
