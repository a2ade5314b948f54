"""Enqueueing never fails the caller: a broker that is down, or a backend that cannot
defer, is logged and reported as "not queued"."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from minsheng.lib.tasks import enqueue, enqueue_on_commit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ran: list[int] = []


@task()
def note_job(*, number: int) -> int:
    ran.append(number)
    return number


@pytest.fixture(autouse=True)
def _nothing_ran():
    ran.clear()


def test_a_job_runs_when_the_broker_takes_it_and_is_refused_quietly_when_down(
    db, settings, broker_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(note_job, number=1)  # the broker is down: logged, not raised
    assert enqueue(note_job, number=2) is False
    assert ran == []
    assert "could not enqueue" in caplog.text

    settings.TASKS = IMMEDIATE  # the broker is back
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(note_job, number=3)
    assert ran == [], "nothing runs before the commit"
    callbacks[0]()
    assert enqueue(note_job, number=4) is True
    assert ran == [3, 4]


def test_a_deferred_job_waits_for_its_sweep_when_the_backend_cannot_defer(settings):
    settings.TASKS = IMMEDIATE

    assert enqueue(note_job, run_after=timezone.now() + timedelta(minutes=1), number=5) is False
    assert ran == []


def test_on_the_database_backend_a_task_stands_or_falls_with_its_transaction(db):
    # The queue is a table of our database (the default backend): the task row is written
    # inside the transaction, so it rolls back with it, and a committed one is queued
    # without waiting for a second write after the commit.
    def registration_that_fails() -> None:
        with transaction.atomic():
            enqueue_on_commit(note_job, number=6)
            raise RuntimeError("the registration failed")

    with pytest.raises(RuntimeError):
        registration_that_fails()
    assert not DBTaskResult.objects.exists()

    with transaction.atomic():
        enqueue_on_commit(note_job, number=7)
    [queued] = DBTaskResult.objects.ready()
    assert queued.args_kwargs["kwargs"] == {"number": 7}
    assert ran == []  # the worker runs it, not the request
