"""Staff pages of the statistics: the dashboard and the department evaluation at
/work/stats/ (supervisors and leaders, `cases.access.can_view_statistics`), their Excel
files and the monthly report PDF; Excel exports of case lists (any staff member, their own
visible cases), the large ones and the monthly report made in the background with a
progress page; the case file and the reply letter of one case as PDF (staff who may see the
case, `cases.access.access_case`).

Every view: access → parse (forms) → selector or service → render or file.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.cases.access import (
    access_case,
    can_export_case_lists,
    can_view_statistics,
    may_export_personal_data,
)
from minsheng.reports import documents, services
from minsheng.reports.filters import StatsQuery, StatsQueryForm, month_period
from minsheng.reports.models import ExportJob
from minsheng.reports.selectors import Dashboard, dashboard_for, evaluation_for

LOGIN_URL = "workbench:login"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _statistician(request: HttpRequest) -> User:
    user = _user(request)
    if not can_view_statistics(user):
        raise PermissionDenied
    return user


def _query(request: HttpRequest) -> tuple[StatsQueryForm, StatsQuery]:
    """The page's query from its parameters; this month when they are missing or wrong."""
    form = StatsQueryForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.query()
    return form, StatsQuery(period=month_period(timezone.localdate()))


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _charts(board: Dashboard, case_list: str) -> list[dict[str, Any]]:
    """What the charts draw: per breakdown its labels, both periods' counts and each bar's
    link to its cases."""
    return [
        {
            "id": f"chart-{breakdown.key}",
            "key": breakdown.key,
            "is_period": breakdown.is_period,
            "labels": [row.label for row in breakdown.rows],
            "current": [row.current.count for row in breakdown.rows],
            "previous": [row.previous.count for row in breakdown.rows],
            "links": [f"{case_list}?{row.current.query}" for row in breakdown.rows],
            "names": [str(board.period), str(board.previous_period)],
        }
        for breakdown in board.breakdowns
    ]


@login_required(login_url=LOGIN_URL)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures of a period beside the previous one, each linked to its cases."""
    _statistician(request)
    form, query = _query(request)
    services.facts_refresh(max_events=services.PAGE_REFRESH_EVENTS)  # live
    board = dashboard_for(query=query)
    case_list = reverse("workbench:case-list")
    context = {
        "form": form,
        "board": board,
        "case_list": case_list,
        "charts": _charts(board, case_list),
        "page_query": urlencode(query.page_params()),
    }
    return render(request, "reports/dashboard.html", context)


@login_required(login_url=LOGIN_URL)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as an Excel file."""
    _statistician(request)
    _form, query = _query(request)
    services.facts_refresh(max_events=services.PAGE_REFRESH_EVENTS)  # live
    board = dashboard_for(query=query)
    content = services.dashboard_workbook(dashboard=board)
    return _xlsx(content, f"statistics-{query.period.start}-{query.period.end}.xlsx")


@login_required(login_url=LOGIN_URL)
def evaluation(request: HttpRequest) -> HttpResponse:
    """The departments ranked by their evaluation score, every part shown."""
    _statistician(request)
    form, query = _query(request)
    services.facts_refresh(max_events=services.PAGE_REFRESH_EVENTS)
    result = evaluation_for(query=query)
    context = {
        "form": form,
        "evaluation": result,
        "case_list": reverse("workbench:case-list"),
        "page_query": urlencode(query.page_params()),
    }
    return render(request, "reports/evaluation.html", context)


@login_required(login_url=LOGIN_URL)
def evaluation_export(request: HttpRequest) -> HttpResponse:
    """The department evaluation as an Excel file."""
    _statistician(request)
    _form, query = _query(request)
    services.facts_refresh(max_events=services.PAGE_REFRESH_EVENTS)
    result = evaluation_for(query=query)
    content = services.evaluation_workbook(evaluation=result)
    return _xlsx(content, f"evaluation-{query.period.start}-{query.period.end}.xlsx")


def _list_params(request: HttpRequest) -> dict[str, list[str]]:
    """The case list's filters from the query string (its page number left out)."""
    return {k: request.GET.getlist(k) for k in request.GET if k not in {"page", "ordering"}}


@login_required(login_url=LOGIN_URL)
def case_export(request: HttpRequest) -> HttpResponse:
    """Export the case list of the query string: a small one at once, a large one in the
    background (then to its progress page). Personal data only when asked for and allowed.
    """
    user = _user(request)
    if not can_export_case_lists(user):
        raise PermissionDenied
    params = _list_params(request)
    offer_personal = may_export_personal_data(user)
    if request.method == "POST":
        personal = offer_personal and request.POST.get("personal_data") == "1"
        if services.case_export_count(actor=user, params=params) > services.EXPORT_INLINE_MAX:
            job = services.export_job_create(
                actor=user, params=params, include_personal_data=personal
            )
            return redirect("reports:export-detail", pk=job.pk)
        content = services.case_export_inline(
            actor=user, params=params, include_personal_data=personal
        )
        return _xlsx(content, f"cases-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx")
    count = services.case_export_count(actor=user, params=params)
    context = {
        "count": count,
        "is_large": count > services.EXPORT_INLINE_MAX,
        "inline_max": services.EXPORT_INLINE_MAX,
        "offer_personal": offer_personal,
        "query": request.GET.urlencode(),
        "filters": services.case_export_filters(actor=user, params=params),
    }
    return render(request, "reports/case_export.html", context)


def _job(request: HttpRequest, pk: int) -> ExportJob:
    """The user's own export (another's is "not found")."""
    job = ExportJob.objects.filter(pk=pk, requested_by=_user(request)).first()
    if job is None:
        raise Http404("No such export.")
    return job


@never_cache
@login_required(login_url=LOGIN_URL)
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background export: its progress bar (htmx polling), then its download link."""
    return render(request, "reports/export_detail.html", {"job": _job(request, pk)})


@never_cache
@login_required(login_url=LOGIN_URL)
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the export runs."""
    return render(request, "reports/_export_progress.html", {"job": _job(request, pk)})


@never_cache
@login_required(login_url=LOGIN_URL)
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished export's file, to the person who asked for it."""
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("The export is not ready.")
    name = job.file.name.rsplit("/", 1)[-1]
    if job.kind == ExportJob.Kind.MONTHLY_REPORT:
        name = f"monthly-report-{job.params['month']}.pdf"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


@require_POST
@login_required(login_url=LOGIN_URL)
def monthly_report(request: HttpRequest) -> HttpResponse:
    """Make the monthly report (月度报告) of `month` (YYYY-MM) as a PDF in the background, in
    the page's language, for supervisors and leaders; then to its progress page."""
    user = _statistician(request)
    form = StatsQueryForm(request.POST)
    if not form.is_valid() or not request.POST.get("month"):
        raise BadRequest("Invalid month.")
    job = services.report_job_create(
        actor=user, month=form.query().period.start, language=get_language()
    )
    return redirect("reports:export-detail", pk=job.pk)


def _pdf(content: bytes, name: str) -> HttpResponse:
    """A PDF the browser shows (and prints or saves) under `name`."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@never_cache
@login_required(login_url=LOGIN_URL)
def case_file(request: HttpRequest, number: str) -> HttpResponse:
    """The case file (案卷) of one case as a PDF; personal data as the reader may see it."""
    user = _user(request)
    case = access_case(user, number)
    content = documents.case_file_pdf(documents.case_file_for(case, user, purpose="case file PDF"))
    return _pdf(content, f"case-file-{case.number}.pdf")


@never_cache
@login_required(login_url=LOGIN_URL)
def reply_letter(request: HttpRequest, number: str) -> HttpResponse:
    """The reply letter (答复意见书) of one case as a PDF, once the answer has gone out."""
    user = _user(request)
    case = access_case(user, number)
    letter = documents.reply_letter_for(case, user, purpose="reply letter PDF")
    if letter is None:
        raise Http404("No answer has gone out yet.")
    return _pdf(documents.reply_letter_pdf(letter), f"reply-letter-{case.number}.pdf")
