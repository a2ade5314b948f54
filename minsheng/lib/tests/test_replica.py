"""The read replica (`DATABASE_REPLICA_URL`, minsheng/lib/replica.py): the statistics read
it, everything else reads the primary.

A replica is a copy that may be behind; here it is a copy of the primary's SQLite file
taken before two more cases were registered, so whichever database answered shows in the
counts. Each step runs in a fresh process, as the settings are read at start.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REGISTER = """
from minsheng.cases.services import PersonInput, Submission, case_create
for n in range({n}):
    case_create(
        submission=Submission(kind="complaint", subject=f"路灯不亮 {{n}}", body="小区路灯坏了。",
                              people=[PersonInput(name="张伟", phone="13812345678")]),
        actor=None,
    )
"""

PROBE = """
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from minsheng.cases.models import Case
from minsheng.lib.replica import replica_reads
from minsheng.reports.filters import StatsQuery, month_period
from minsheng.reports.selectors import dashboard_for

print("plain", Case.objects.count())
with replica_reads():
    print("marked", Case.objects.count())
    with transaction.atomic():
        print("marked-in-transaction", Case.objects.count())
with CaptureQueriesContext(connections["replica"]) as on_replica:
    with CaptureQueriesContext(connections["default"]) as on_primary:
        dashboard_for(query=StatsQuery(period=month_period(timezone.localdate())))
print("dashboard-replica-queries", len(on_replica))
print("dashboard-primary-queries", len(on_primary))
"""


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_statistics_read_the_replica_and_the_rest_reads_the_primary(tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"},
        "DATABASE_URL": f"sqlite:///{primary}",
        "MINSHENG_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "immediate",
    }
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "shell", "--no-imports", stdin=REGISTER.format(n=1))
    shutil.copyfile(primary, replica)  # every connection closed: no -wal file is left
    _manage(env, "shell", "--no-imports", stdin=REGISTER.format(n=2))

    out = _manage(
        {**env, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"},
        "shell",
        "--no-imports",
        stdin=PROBE,
    )
    figures = dict(line.split() for line in out.splitlines() if line.strip())

    assert figures["plain"] == "3"  # unmarked reads: the primary
    assert figures["marked"] == "1"  # marked reads: the replica, one case behind
    assert figures["marked-in-transaction"] == "3"  # a transaction reads what it wrote
    assert int(figures["dashboard-replica-queries"]) > 0
    assert figures["dashboard-primary-queries"] == "0"


@pytest.mark.django_db
def test_without_a_replica_marked_reads_use_the_primary() -> None:
    from minsheng.cases.models import Case
    from minsheng.lib.replica import REPLICA, replica_reads

    assert REPLICA not in settings.DATABASES
    with replica_reads():
        assert Case.objects.count() == 0
