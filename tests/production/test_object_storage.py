"""Stored files in an S3-compatible object store (FILE_STORAGE=s3), against a real server on
127.0.0.1: uploads from the case page and the API, and a background export, end up in the
bucket and not on local disk, and go back out only through the views that check access,
streamed, never as a link to the store."""

import io
import os
import subprocess
import sys

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.lib.tests.sample_files import PDF_BYTES, jpeg_bytes, pdf, upload
from minsheng.reports import services as reports_services
from minsheng.reports.models import ExportJob
from minsheng.reports.tests.fixtures import month_build

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def token_client(user) -> APIClient:
    client = APIClient()
    token = Token.objects.get_or_create(user=user)[0]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def local_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_file_added_on_the_case_page_is_in_the_bucket_and_served_only_to_staff_on_the_case(
    client, cast, s3_bucket, settings
):
    case = drive_to(cast, State.IN_PROGRESS)
    case.co_departments.clear()  # handler2's department is not on the case
    client.force_login(cast.handler)
    added = client.post(
        f"/work/cases/{case.number}/files/add/",
        {"evidence": [pdf("现场照片.pdf")], "note": "现场核查"},
    )
    assert added.status_code == 302

    attachment = case.attachments.get()
    assert s3_bucket.keys() == [attachment.file.name]
    assert s3_bucket.read(attachment.file.name) == PDF_BYTES
    assert local_files(settings) == []
    page = client.get(f"/work/cases/{case.number}/").text
    assert s3_bucket.endpoint_url not in page  # no link to the store, signed or not

    url = reverse("workbench:attachment", args=[case.number, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF_BYTES

    client.force_login(cast.handler2)  # another department: no such file for them
    assert client.get(url).status_code == 404


def test_file_uploaded_through_the_api_is_in_the_bucket_and_refused_to_another_department(
    cast, s3_bucket, settings
):
    case = drive_to(cast, State.IN_PROGRESS)
    case.co_departments.clear()  # handler2's department is not on the case
    url = f"/api/v1/cases/{case.number}/attachments"
    photo = jpeg_bytes()
    uploaded = token_client(cast.handler).post(
        url, {"attachments": [upload("门口.jpg", photo, "image/jpeg")]}, format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.content
    attachment_id = uploaded.json()["attachments"][0]["id"]
    stored = case.attachments.get(pk=attachment_id)
    assert s3_bucket.keys() == [stored.file.name]
    assert local_files(settings) == []

    download = token_client(cast.handler).get(f"{url}/{attachment_id}")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    body = b"".join(download.streaming_content)
    assert body == s3_bucket.read(stored.file.name)
    assert body.startswith(b"\xff\xd8")  # the re-encoded JPEG, as stored

    assert token_client(cast.handler2).get(f"{url}/{attachment_id}").status_code == 404


def test_case_list_exported_in_the_background_is_written_to_the_bucket(
    client, cast, s3_bucket, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(reports_services, "EXPORT_INLINE_MAX", 3)  # "large" from 4 rows
    month = month_build(cast)
    client.force_login(cast.supervisor)
    url = reverse("reports:case-export") + "?submitted_from=2026-11-01&submitted_to=2026-11-30"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {})
    job = ExportJob.objects.get()
    assert response.url == reverse("reports:export-detail", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert s3_bucket.keys() == [job.file.name]
    assert local_files(settings) == []

    download = client.get(reverse("reports:export-download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert {row[0].value for row in sheet.iter_rows(min_row=6)} == month.numbers(*"ABCDEFGH")

    client.force_login(cast.leader)  # someone else's export is "not found"
    assert client.get(reverse("reports:export-download", args=[job.pk])).status_code == 404


def test_s3_storage_without_a_bucket_refuses_to_start():
    """FILE_STORAGE=s3 without its bucket stops at start-up, naming the setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FILE_STORAGE"))}
    env["FILE_STORAGE"] = "s3"
    probe = subprocess.run(
        [sys.executable, "-c", "import minsheng.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in probe.stderr


def test_backup_refuses_object_storage_and_says_what_to_do_instead(db, s3_bucket):
    """`manage.py backup` archives MEDIA_ROOT: with the files in a bucket it refuses, not
    writes an archive that silently lacks them."""
    backups = pytest.importorskip("minsheng.backups.services")
    for run in (
        lambda: backups.backup_create(key=bytes(32)),
        lambda: backups.backup_restore(data=b"", key=bytes(32)),
    ):
        with pytest.raises(backups.BackupError, match="local file storage .* only"):
            run()
