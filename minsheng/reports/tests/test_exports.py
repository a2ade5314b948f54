"""A large case list export runs in the background with a progress page and a download
link, for the person who asked only; the figures' summary refresh is safe to repeat."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.cases.models import PersonalDataAccess
from minsheng.reports import services
from minsheng.reports.models import CaseFact, ExportJob
from minsheng.reports.tests.fixtures import month_build

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _inline_tasks_and_media(settings, tmp_path, monkeypatch):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(services, "EXPORT_INLINE_MAX", 3)  # "large" from 4 rows


def test_large_export_runs_in_the_background_and_only_its_owner_downloads_it(
    client, cast, django_capture_on_commit_callbacks
):
    month = month_build(cast)
    client.force_login(cast.supervisor)
    url = reverse("reports:case-export") + "?submitted_from=2026-11-01&submitted_to=2026-11-30"
    assert "后台生成" in client.get(url).content.decode()  # "made in the background"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"personal_data": "1"})
    job = ExportJob.objects.get()
    assert response.url == reverse("reports:export-detail", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert job.total_rows == job.rows_done == 8
    page = client.get(response.url).content.decode()
    assert reverse("reports:export-download", args=[job.pk]) in page
    assert 'role="status"' in page  # the progress bar, polled while it runs
    download = client.get(reverse("reports:export-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    numbers = {row[0].value for row in sheet.iter_rows(min_row=6)}
    assert numbers == month.numbers(*"ABCDEFGH")
    # Personal data asked for: every exported case with complainants is logged.
    assert PersonalDataAccess.objects.filter(purpose="Excel export").count() == 8

    client.force_login(cast.leader)  # someone else's export is "not found"
    assert client.get(reverse("reports:export-download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export-detail", args=[job.pk])).status_code == 404


def test_running_an_export_twice_writes_it_once(cast):
    month_build(cast)
    job = services.export_job_create(actor=cast.supervisor, params={}, include_personal_data=False)
    services.export_job_run(job_id=job.pk)
    first = ExportJob.objects.get(pk=job.pk).file.name
    services.export_job_run(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).file.name == first


def test_refreshing_the_summary_twice_changes_nothing(cast):
    month_build(cast)
    assert services.facts_refresh() == 9
    before = list(CaseFact.objects.order_by("case_id").values())
    assert services.facts_refresh() == 0
    assert services.facts_refresh(rescan=1000) == 9  # reading back rebuilds the same rows
    assert list(CaseFact.objects.order_by("case_id").values()) == before
