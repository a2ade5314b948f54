"""The calendar and the deadline policies are cached in each process; an edit in the admin
reaches every other running process by its next registration (within a second)."""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from minsheng.cases.tests.test_numbering import ROOT, _fresh_database
from minsheng.deadlines.selectors import FRESH_SECONDS

pytestmark = pytest.mark.django_db


def test_admin_edits_reach_a_running_intake_process_by_its_next_registration(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MINSHENG_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver,localhost",
    }
    module = "minsheng.intake.tests.deadlines_process"
    intake = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        intake = subprocess.Popen(
            [sys.executable, "-m", module, "register"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdin, stdout = intake.stdin, intake.stdout
        assert stdin is not None
        assert stdout is not None

        def register() -> dict:
            stdin.write("\n")
            stdin.flush()
            line = stdout.readline()
            assert line, intake.stderr.read() if intake.stderr else ""
            return json.loads(line)

        before = register()  # the intake process has read (and cached) both now
        read_at = time.monotonic()
        assert before["amount"] == 1  # the catch-all policy: one working day to review
        # The working day the review clock counted first becomes a day off.
        holiday = date.fromisoformat(before["counted"][0])

        edit = subprocess.run(
            [sys.executable, "-m", module, "admin-edit", "3", holiday.isoformat()],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert edit.returncode == 0, edit.stderr
        # The promise is "within a second of the commit": wait out what is left of it (the
        # admin process usually took longer than that to start).
        threading.Event().wait(max(0.0, FRESH_SECONDS - (time.monotonic() - read_at)))

        after = register()
    finally:
        if intake is not None:
            intake.kill()
            intake.wait(timeout=30)
        drop()

    assert after["amount"] == 3
    assert holiday.isoformat() not in after["counted"]
    assert len(after["counted"]) == 3
    assert after["due_at"] > before["due_at"]
