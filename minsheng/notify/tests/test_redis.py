"""The production task backend: notifications queued on a real redis-server (RQ) and run by
an RQ worker in burst mode reach the SMTP server, retries included."""

import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta

import django_rq
import pytest
import redis
import time_machine

from minsheng.cases.models import Complainant
from minsheng.cases.services import PersonInput
from minsheng.notify.models import DeliveryStatus, Notification
from minsheng.notify.tests.conftest import free_port

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A throwaway redis-server on a free port, without persistence."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; make test does)")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)  # waiting for a real server process, not for time to pass
    yield url
    client.close()
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def on_redis(settings, redis_url):
    """TASKS_BACKEND=redis, as production sets it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    return redis_url


def work_burst() -> None:
    """`manage.py rqworker default --burst --with-scheduler`, in this process (so it sees
    the test's database transaction)."""
    worker = django_rq.get_worker("default", worker_class="rq.worker.SimpleWorker")
    worker.work(burst=True, with_scheduler=True)


def queued() -> int:
    return int(django_rq.get_queue("default").count)


def test_a_notification_queued_on_redis_is_delivered_by_an_rq_worker(
    cast, smtp, on_redis, committed
):
    people = [PersonInput(name="张伟", email="zw@example.cn", contact_by=Complainant.Contact.EMAIL)]
    with committed():
        case = cast.submit(people=people).case

    assert queued() == 1  # the fan-out job waits in Redis; nothing was sent yet
    assert smtp.messages == []
    work_burst()

    [mail] = smtp.messages
    assert case.number in mail["Subject"]
    assert Notification.objects.get(case=case).status == DeliveryStatus.SENT
    assert queued() == 0


def test_a_retry_is_scheduled_in_redis_and_run_when_due(cast, smtp, on_redis, committed):
    people = [PersonInput(name="张伟", email="zw@example.cn", contact_by=Complainant.Contact.EMAIL)]
    smtp.stop()
    with committed():
        case = cast.submit(people=people).case
    work_burst()
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == (DeliveryStatus.PENDING, 1)
    registry = django_rq.get_queue("default").scheduled_job_registry
    assert registry.count == 1

    smtp.start()
    with time_machine.travel(notification.next_attempt_at + timedelta(seconds=2)):
        work_burst()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp.messages) == 1
