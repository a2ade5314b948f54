"""The periodic sweep: staff hear once when a step is due soon and once when it is overdue;
events whose job was lost are still notified; requests only queue work."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from minsheng.cases.models import Case
from minsheng.cases.workflow import perform
from minsheng.notify.models import EventCursor, NoticeKind, Notification
from minsheng.notify.services import events

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _sweep_and_send(run_tasks) -> None:
    call_command("notify_sweep")
    run_tasks()


def test_due_soon_and_overdue_are_each_told_once_per_clock(cast, smtp, run_tasks):
    for user, address in [(cast.dispatcher, "ds@12345.cn"), (cast.supervisor, "sv@12345.cn")]:
        user.email = address
        user.save(update_fields=["email"])
    with _at(MONDAY):
        case = cast.submit().case
        perform(case=case, action="accept", actor=cast.intake)
    dispatch_due = case.clocks.get(step="dispatch").due_at
    assert dispatch_due == datetime(2026, 11, 24, 23, 59, 59, tzinfo=SHANGHAI)

    with _at(MONDAY + timedelta(hours=2)):  # more than a day before: nothing yet
        _sweep_and_send(run_tasks)
    assert smtp.messages == []

    with _at(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)):
        _sweep_and_send(run_tasks)
        _sweep_and_send(run_tasks)
    soon = [m for m in smtp.messages if "临期提醒" in m["Subject"]]
    assert [m["To"] for m in soon] == ["ds@12345.cn"]
    assert "2026-11-24 23:59" in soon[0]["Subject"]

    with _at(datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)):
        _sweep_and_send(run_tasks)
        _sweep_and_send(run_tasks)
    late = [m for m in smtp.messages if "超期提醒" in m["Subject"]]
    assert sorted(m["To"] for m in late) == ["ds@12345.cn", "sv@12345.cn"]
    assert len(smtp.messages) == 3
    reminders = Notification.objects.filter(clock__isnull=False)
    assert set(reminders.values_list("kind", "clock__step")) == {
        (NoticeKind.DUE_SOON, "dispatch"),
        (NoticeKind.OVERDUE, "dispatch"),
    }


def test_an_event_whose_job_was_never_enqueued_is_caught_up_once(cast, smtp, run_tasks):
    with _at(MONDAY):
        case = cast.submit().case
    DBTaskResult.objects.all().delete()  # its task was lost (as if Redis had been down)

    with _at(MONDAY + timedelta(minutes=1)):
        _sweep_and_send(run_tasks)
        _sweep_and_send(run_tasks)
    assert [m["Subject"] for m in smtp.messages] == []  # the cast asks for SMS, not e-mail
    [receipt] = Notification.objects.filter(case=case)
    assert receipt.kind == NoticeKind.RECEIPT
    assert receipt.status == "sent"
    # The event is too young for the cursor to pass it; later it does.
    assert EventCursor.objects.get().last_event_id == 0
    with _at(MONDAY + timedelta(minutes=10)):
        _sweep_and_send(run_tasks)
    assert EventCursor.objects.get().last_event_id == case.events.order_by("id").last().pk
    assert Notification.objects.filter(case=case).count() == 1


def test_submitting_only_queues_the_work(db, smtp, committed):
    smtp.stop()  # a request that tried to send would fail or hang here
    client = APIClient()

    with committed():
        response = client.post(
            "/api/v1/public/cases",
            {
                "kind": "complaint",
                "subject": "小区垃圾无人清运",
                "body": "垃圾堆放三天无人清运。",
                "people": [{"name": "王芳", "phone": "13900001111", "email": "wf@example.cn"}],
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert not Notification.objects.filter(case=case).exists()
    [queued] = DBTaskResult.objects.ready()  # one task runs every consumer of the event
    assert queued.task_path == "minsheng.cases.jobs.events_consume_job"
    assert queued.args_kwargs["kwargs"] == {"event_ids": [case.events.get(action="register").pk]}


def test_a_burst_of_lost_fan_outs_is_caught_up_in_one_sweep(cast, run_tasks, monkeypatch):
    # Batches of 4 stand for batches of 500: one run reads on to the newest event, even while
    # the cursor may not pass the young events.
    monkeypatch.setattr(events, "CATCH_UP_BATCH", 4)
    with _at(MONDAY):
        cases = [cast.submit().case for _ in range(10)]
    DBTaskResult.objects.all().delete()  # every fan-out task lost
    with _at(MONDAY + timedelta(minutes=1)):
        _sweep_and_send(run_tasks)
    receipts = Notification.objects.filter(kind=NoticeKind.RECEIPT)
    assert receipts.filter(status="sent").count() == len(cases)
    assert EventCursor.objects.get().last_event_id == 0  # all still settling
    with _at(MONDAY + timedelta(minutes=2)):
        _sweep_and_send(run_tasks)  # read again, nothing made twice
    assert receipts.count() == len(cases)
