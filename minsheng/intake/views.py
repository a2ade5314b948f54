"""Staff pages for the spreadsheet import: upload → dry run with the column mapping →
import in the background → progress (htmx polling; without JavaScript the page reloads).
Intake agents and administrators only (`cases.access.can_import_records`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from minsheng.accounts.models import User
from minsheng.cases.access import can_import_records
from minsheng.intake.forms import FIELD_LABELS, MappingForm, UploadForm
from minsheng.intake.models import ImportJob
from minsheng.intake.selectors import import_job_get, import_jobs_recent
from minsheng.intake.services import imports

LOGIN_URL = "workbench:login"
PROBLEMS_SHOWN = 500


def _importer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_import_records(user):
        raise PermissionDenied
    return user


def _job(number: int) -> ImportJob:
    job = import_job_get(pk=number)
    if job is None:
        raise Http404("No such import.")
    return job


@login_required(login_url=LOGIN_URL)
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a sheet (it is checked at once: a dry run) and the latest imports."""
    user = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = imports.import_job_create(
                upload=data["file"],
                actor=user,
                default_channel=data["default_channel"],
                default_kind=data["default_kind"],
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            return redirect("intake:import-detail", pk=job.pk)
    return render(request, "intake/import_list.html", {"form": form, "jobs": import_jobs_recent()})


@never_cache
@login_required(login_url=LOGIN_URL)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry-run report with the mapping form ("check again"), the start button, and the
    progress of a running import."""
    user = _importer(request)
    job = _job(pk)
    initial = MappingForm.initial_for(job.mapping, job.default_channel, job.default_kind)
    form = MappingForm(
        request.POST or None, headers=imports.import_job_headers(job=job), initial=initial
    )
    if request.method == "POST":
        try:
            if "start" in request.POST:
                imports.import_job_start(job=job, actor=user)
                messages.success(request, _("The import has started."))
                return redirect("intake:import-detail", pk=job.pk)
            if form.is_valid():
                imports.import_job_check(
                    job=job,
                    actor=user,
                    mapping=form.mapping(),
                    default_channel=form.cleaned_data["default_channel"],
                    default_kind=form.cleaned_data["default_kind"],
                )
                return redirect("intake:import-detail", pk=job.pk)
        except ValidationError as error:
            form.add_error(None, error.messages)
    problems = [
        {**p, "label": FIELD_LABELS.get(p["field"], p["field"])}
        for p in job.problems[:PROBLEMS_SHOWN]
    ]
    context = {"job": job, "form": form, "problems": problems}
    return render(request, "intake/import_detail.html", context)


@never_cache
@login_required(login_url=LOGIN_URL)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the import runs."""
    _importer(request)
    return render(request, "intake/_import_progress.html", {"job": _job(pk)})
