"""The import pages: upload → dry run → mapping → import in the background → progress."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from minsheng.cases.models import Case
from minsheng.intake.models import ImportJob
from minsheng.intake.tests.test_spreadsheet_import import csv_upload, xlsx_upload

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_intake_agent_uploads_checks_maps_imports_and_sees_progress(
    client, cast, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    client.force_login(cast.intake)
    page = reverse("intake:import-list")
    assert client.get(page).status_code == 200

    upload = client.post(
        page, {"file": xlsx_upload(), "default_channel": "phone", "default_kind": "complaint"}
    )
    job = ImportJob.objects.get()
    assert upload.status_code == 302
    detail = client.get(upload["Location"])
    assert detail.status_code == 200
    assert "<tr><td>4</td><td>" in detail.text, "the broken row, by number"
    assert detail.context["problems"][0]["field"] == "body"
    assert not Case.objects.exists(), "the dry run writes no case"

    # Unmap the subject: the dry run runs again with the new mapping.
    form = {f"map_{name}": column for name, column in job.mapping.items() if name != "subject"}
    client.post(
        detail.request["PATH_INFO"],
        {**form, "default_channel": "phone", "default_kind": "complaint", "check": "1"},
    )
    job.refresh_from_db()
    assert "subject" not in job.mapping
    assert job.status == ImportJob.Status.CHECKED

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(detail.request["PATH_INFO"], {"start": "1"})
    assert started.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_done, job.created_count, job.error_count) == (4, 2, 2)
    assert Case.objects.count() == 2

    progress = client.get(reverse("intake:import-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert '<progress id="import-bar" class="progress-bar" max="4" value="4">' in progress.text
    assert "hx-trigger" not in progress.text, "a finished import is no longer polled"
    assert 'id="import-bar"' in client.get(detail.request["PATH_INFO"]).text


def test_progress_of_a_queued_import_is_polled_and_reloads_without_js(client, cast):
    client.force_login(cast.intake)
    client.post(
        reverse("intake:import-list"),
        {"file": csv_upload(), "default_channel": "phone", "default_kind": "complaint"},
    )
    job = ImportJob.objects.get()
    client.post(reverse("intake:import-detail", args=[job.pk]), {"start": "1"})  # not run yet

    page = client.get(reverse("intake:import-detail", args=[job.pk]))
    assert '<meta http-equiv="refresh"' in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert '<progress id="import-bar" class="progress-bar" max="4" value="0">' in page.text


def test_a_bad_upload_is_refused_beside_the_field(client, cast):
    client.force_login(cast.intake)
    response = client.post(
        reverse("intake:import-list"),
        {
            "file": SimpleUploadedFile("notes.txt", b"hello"),
            "default_channel": "phone",
            "default_kind": "complaint",
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    broken = client.post(
        reverse("intake:import-list"),
        {
            "file": SimpleUploadedFile("broken.xlsx", b"not a zip"),
            "default_channel": "phone",
            "default_kind": "complaint",
        },
    )
    assert "file" in broken.context["form"].errors
    assert not ImportJob.objects.exists()


def test_only_intake_agents_and_admins_may_import(client, cast):
    for user, allowed in [
        (cast.intake, True),
        (cast.admin, True),
        (cast.handler, False),
        (cast.dispatcher, False),
    ]:
        client.force_login(user)
        status = client.get(reverse("intake:import-list")).status_code
        assert status == (200 if allowed else 403), user
    client.logout()
    assert client.get(reverse("intake:import-list")).status_code == 302


def test_the_database_task_worker_runs_a_started_import(transactional_db, client, cast):
    # transactional_db: the worker commits and closes its connection, as it does in production.
    client.force_login(cast.intake)
    client.post(
        reverse("intake:import-list"),
        {"file": csv_upload(), "default_channel": "phone", "default_kind": "complaint"},
    )
    job = ImportJob.objects.get()
    client.post(reverse("intake:import-detail", args=[job.pk]), {"start": "1"})
    assert not Case.objects.exists(), "queued, not yet run"

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
