"""Staff pages for records some offices keep beside the lifecycle: a mediation agreement's
signatures and its follow-up (调解协议书, on the case page, and the supervisors' list of
agreements awaiting follow-up at /work/mediation/), and the customer's signature on the
result (客户签字确认).

Every view: access (`cases.access`) → parse (forms) → service (`cases.services`) →
redirect to the case page, or the case page again with the form's errors."""

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.cases import access
from minsheng.cases.models import Case, MediationAgreement
from minsheng.cases.selectors import mediation_agreement_get, mediation_follow_ups_for
from minsheng.cases.services import (
    mediation_fulfilment_record,
    mediation_signatures_record,
    result_signature_record,
)
from minsheng.cases.workflow import TransitionNotAllowed
from minsheng.workbench.forms import (
    MediationFulfilmentForm,
    MediationSignaturesForm,
    ResultSignatureForm,
    mediation_forms,
)
from minsheng.workbench.views import _case_context, _user, staff_required

FOLLOW_UPS_PER_PAGE = 50


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: tuple[int, Form] | None = None,
    result_form: Form | None = None,
) -> HttpResponse:
    """The case page again, with a form just submitted (and its errors) in place of its
    fresh one."""
    context = _case_context(request, case)
    if bound is not None:
        context["mediation"] = mediation_forms(context["mediation_agreements"], bound=bound)
    if result_form is not None:
        context["result_signature_form"] = result_form
    return render(request, "workbench/case_detail.html", context)


def _agreement(request: HttpRequest, number: str, pk: int) -> tuple[Case, MediationAgreement]:
    """The case and its agreement, for a user who may record it (404, then 403)."""
    user = _user(request)
    case = access.access_case(user, number)
    agreement = mediation_agreement_get(case, pk)
    if agreement is None:
        raise Http404("No such agreement.")
    if not access.can_record_mediation(user, case):
        raise PermissionDenied
    return case, agreement


def _agreement_record(
    request: HttpRequest,
    number: str,
    pk: int,
    form_class: type[Form],
    record: Callable[..., object],
    done: str,
) -> HttpResponse:
    """One form of an agreement's section, through its service: the case page again with
    the form's errors, or back to it with `done` or the refusal."""
    case, agreement = _agreement(request, number, pk)
    form = form_class(request.POST, prefix=f"agreement-{pk}")
    if form.is_valid():
        try:
            record(agreement=agreement, actor=_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("workbench:case-detail", number=number)
        else:
            messages.success(request, done)
            return redirect("workbench:case-detail", number=number)
    return _case_page(request, case, bound=(pk, form))


@staff_required
@require_POST
def mediation_signatures(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Record who signed a mediation agreement, when, and when its copies were issued."""
    return _agreement_record(
        request,
        number,
        pk,
        MediationSignaturesForm,
        mediation_signatures_record,
        _("The signatures are recorded."),
    )


@staff_required
@require_POST
def mediation_fulfilment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Record what the follow-up of a signed agreement found."""
    return _agreement_record(
        request,
        number,
        pk,
        MediationFulfilmentForm,
        mediation_fulfilment_record,
        _("The follow-up is recorded."),
    )


@staff_required
@require_POST
def result_signature(request: HttpRequest, number: str) -> HttpResponse:
    """Record the customer's signature on the result."""
    user = _user(request)
    case = access.access_case(user, number)
    if not access.can_record_result_signature(user, case):
        raise PermissionDenied
    form = ResultSignatureForm(request.POST, prefix="result-signature")
    if form.is_valid():
        try:
            result_signature_record(case=case, actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionNotAllowed as refused:
            messages.error(request, str(refused))
            return redirect("workbench:case-detail", number=number)
        else:
            messages.success(request, _("The customer's signature is recorded."))
            return redirect("workbench:case-detail", number=number)
    return _case_page(request, case, result_form=form)


@staff_required
def mediation_list(request: HttpRequest) -> HttpResponse:
    """Signed mediation agreements awaiting follow-up, the soonest first, overdue ones in
    red; `?due=1` only those due by the end of today (supervisors)."""
    user = _user(request)
    if not access.can_view_mediation_follow_ups(user):
        raise PermissionDenied
    now = timezone.now()
    only_due = request.GET.get("due") == "1"
    due_before = None
    if only_due:
        tomorrow = timezone.localdate(now) + timedelta(days=1)  # the end of today, not a deadline
        due_before = timezone.make_aware(datetime.combine(tomorrow, time.min))
    agreements = mediation_follow_ups_for(user, due_before=due_before)
    page = Paginator(agreements, FOLLOW_UPS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "only_due": only_due, "now": now}
    return render(request, "workbench/mediation_list.html", context)
