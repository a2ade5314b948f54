"""A large case list export and the monthly report PDF run in the background with a
progress page and a download link, for the person who asked only (`manage.py
monthly_report` writes the report at once); the figures' summary refresh is safe to
repeat."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.cases.models import Case, PersonalDataAccess
from minsheng.reports import services
from minsheng.reports.models import CaseFact, ExportJob
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.pdfs import (
    assert_set_in_noto_cjk,
    needs_noto_cjk,
    pages_text,
    png_save,
)

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


@needs_noto_cjk
def test_monthly_report_is_made_in_the_background_for_supervisors_and_leaders_only(
    client, cast, django_capture_on_commit_callbacks
):
    month = month_build(cast)
    url = reverse("reports:monthly-report")
    assert client.post(url, {"month": "2026-11"}).status_code == 302  # to the login page
    for user in (cast.handler, cast.head, cast.intake, cast.dispatcher, cast.admin, cast.auditor):
        client.force_login(user)
        assert client.post(url, {"month": "2026-11"}).status_code == 403, user.username
    assert not ExportJob.objects.exists()
    client.force_login(cast.leader)
    with at(NOW):
        dashboard = client.get(reverse("reports:dashboard"), {"month": "2026-11"}).content.decode()
        assert f'action="{url}"' in dashboard
        assert 'value="2026-11"' in dashboard
        assert client.post(url, {"month": "November"}).status_code == 400
        assert client.get(url, {"month": "2026-11"}).status_code == 405  # a button, not a link
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"month": "2026-11"})
        job = ExportJob.objects.get()
        assert response.url == reverse("reports:export-detail", args=[job.pk])
        assert (job.kind, job.status, job.rows_done) == ("monthly_report", "done", job.total_rows)
        page = client.get(response.url).content.decode()
        download = client.get(reverse("reports:export-download", args=[job.pk]))
    assert "月报 2026-11" in page
    assert "下载 PDF" in page
    assert "monthly-report-2026-11.pdf" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    pages = pages_text(content)
    text = "\n".join(pages)
    for number in month.numbers("B", "C", "H"):  # answered late or overdue
        assert number in text
    # The hot topics came in through the setting that names routing's: the month's cases,
    # most of them about the same night construction noise, make a topic that names it.
    assert "热点问题" in text
    assert "工地夜间施工噪音扰民" in text
    assert_set_in_noto_cjk(content)
    topics_page = next(i for i, page in enumerate(pages) if "热点问题" in page)
    png_save(content, "documents-monthly-report-hot-topics", page=topics_page)
    client.force_login(cast.supervisor)  # someone else's report is "not found"
    assert client.get(reverse("reports:export-download", args=[job.pk])).status_code == 404


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


def test_monthly_report_command_writes_the_pdf(cast, tmp_path):
    month = month_build(cast)
    out = tmp_path / "report.pdf"
    with at(NOW):
        call_command("monthly_report", "2026-11", str(out), "--language", "en")
    text = "\n".join(pages_text(out.read_bytes()))
    assert "Monthly report" in text
    assert "2026-11" in text
    for number in month.numbers("B", "C", "H"):  # answered late or overdue
        assert number in text
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("monthly_report", "November", str(out))


def test_export_lists_the_cases_in_the_order_the_list_shows(client, cast):
    """Sorted by due time, the cases without one (ended) come last, newest first, in the
    export as on the page, on every database (SQLite sorts missing values first)."""
    numbers = [cast.submit(subject=f"路灯不亮 {index}").case.number for index in range(5)]
    start = timezone.now()
    for hours, number in enumerate(numbers):
        due = None if number in numbers[1:3] else start + timedelta(days=3, hours=-hours)
        Case.objects.filter(number=number).update(
            next_due_at=due, created_at=start - timedelta(days=9, hours=-hours)
        )
    shown = {}
    client.force_login(cast.supervisor)
    for ordering in ("due", "-due"):
        page = client.get(reverse("workbench:case-list"), {"ordering": ordering})
        shown[ordering] = [case.number for case in page.context["page"].object_list]
    soonest = [numbers[4], numbers[3], numbers[0]]
    assert shown == {
        "due": [*soonest, numbers[2], numbers[1]],
        "-due": [*reversed(soonest), numbers[2], numbers[1]],
    }
    for ordering, listed in shown.items():
        book = services.case_workbook(
            actor=cast.supervisor, params={"ordering": ordering}, include_personal_data=False
        )
        sheet = load_workbook(io.BytesIO(book)).worksheets[0]
        assert [row[0].value for row in sheet.iter_rows(min_row=6)] == listed, ordering
