"""Case numbers: readable, per day, and never given twice, even to parallel submitters."""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.db import connection

from minsheng.cases.numbering import case_number_format

ROOT = Path(settings.BASE_DIR)
PROCESSES = 4
PER_PROCESS = 50

pytestmark = pytest.mark.django_db


def test_numbers_count_up_within_a_day_and_restart_the_next_day(cast):
    with time_machine.travel("2026-11-22 09:00 +08:00", tick=False):
        first = cast.submit().case.number
        second = cast.submit().case.number
    with time_machine.travel("2026-11-23 00:30 +08:00", tick=False):
        next_day = cast.submit().case.number
    assert first == "MS-20261122-000001"
    assert second == "MS-20261122-000002"
    assert next_day == "MS-20261123-000001"


def test_number_format_is_readable():
    assert case_number_format(date(2026, 11, 22), 123) == "MS-20261122-000123"


def _fresh_database(tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database on the same engine as the test run, and how to drop it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'numbering.sqlite3'}", lambda: None
    params = connection.get_connection_params()
    name = f"numbering_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=params["host"], port=params["port"], user=params["user"], dbname="postgres"
    )
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"

    def drop() -> None:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()

    return url, drop


def test_parallel_submitters_get_distinct_numbers(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "MINSHENG_VAR_DIR": str(tmp_path)}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "minsheng.cases.tests.submit_many", str(PER_PROCESS)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(PROCESSES)
        ]
        numbers: list[str] = []
        for worker in workers:
            out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
            numbers += out.split()
    finally:
        drop()
    assert len(numbers) == PROCESSES * PER_PROCESS == 200
    assert len(set(numbers)) == 200
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    if sequences[0] == 1 and len({n[:11] for n in numbers}) == 1:
        assert sequences == list(range(1, 201))  # gap-free within the day
