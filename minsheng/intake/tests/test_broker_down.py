"""With the task broker (Redis) down, registering a case and starting an import still
succeed: the work waits in the database, and the catch-ups do it once the broker is back
(`notify_sweep`, `collective_sweep`, `import_requeue`).

Committed data (transactional_db), so the after-commit enqueues run inside the request,
as they do in production."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from minsheng.cases.models import Case
from minsheng.intake import jobs
from minsheng.intake.models import ImportJob
from minsheng.intake.tests.test_spreadsheet_import import csv_upload
from minsheng.lib.tasks import enqueue
from minsheng.notify.models import DeliveryStatus, NoticeKind, Notification
from minsheng.routing import selectors as routing_selectors
from minsheng.routing.tests.test_collective import COMPLAINTS, SCHOOL, _register

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _requeue() -> str:
    out = StringIO()
    call_command("import_requeue", stdout=out)
    return out.getvalue().strip()


def test_a_public_submission_is_registered_and_caught_up_once_the_broker_is_back(
    transactional_db, cast, settings, broker_down, reseed
):
    reseed("minsheng.notify.migrations.0002_seed_templates_and_cursor")
    routing_selectors.duplicate_index_reset()
    parents = [_register(s, b, f"1390000000{i}") for i, (s, b) in enumerate(COMPLAINTS[:4])]
    subject, body = COMPLAINTS[4]
    submission = {
        "kind": "complaint",
        "subject": subject,
        "body": body,
        "respondent": SCHOOL,
        "people": [{"name": "家长", "phone": "13900000004"}],
    }

    response = APIClient().post("/api/v1/public/cases", submission, format="json")

    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert not case.is_collective
    assert not Notification.objects.filter(case=case).exists()

    settings.TASKS = IMMEDIATE  # the broker is back
    call_command("notify_sweep", stdout=StringIO())
    call_command("collective_sweep", stdout=StringIO())

    receipt = Notification.objects.get(case=case, kind=NoticeKind.RECEIPT)
    assert receipt.status == DeliveryStatus.SENT
    group = Case.objects.filter(pk__in=[case.pk, *(p.pk for p in parents)])
    assert [c.is_collective for c in group] == [True] * 5
    routing_selectors.duplicate_index_reset()


def test_an_import_started_with_the_broker_down_is_queued_again_and_imported_once(
    transactional_db, client, cast, settings, broker_down
):
    client.force_login(cast.intake)
    client.post(
        reverse("intake:import-list"),
        {"file": csv_upload(), "default_channel": "phone", "default_kind": "complaint"},
    )
    job = ImportJob.objects.get()

    started = client.post(reverse("intake:import-detail", args=[job.pk]), {"start": "1"})

    assert started.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED

    settings.TASKS = IMMEDIATE  # the broker is back
    assert _requeue() == "Imports queued again: 0."  # too young to be called lost
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert _requeue() == "Imports queued again: 1."
        assert _requeue() == "Imports queued again: 0."
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)

    assert enqueue(jobs.import_run_job, job_id=job.pk)  # a stray second task imports nothing
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    assert Case.objects.count() == 2
