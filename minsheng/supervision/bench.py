"""The deadline watch at scale: one round of `manage.py watch` (every job of
`settings.WATCH_JOBS`: supervision's policies, notice warnings and return visits, and
notify's due-soon/overdue reminders and catch-up) over `MINSHENG_BENCH_CASES` synthetic
cases (the case-list bench's data, plus a running result clock for every open case).

Two figures: a steady round (every overdue clock already acted on, no closed case due for
the archive: what the watch costs every minute) and a round that acts on a full batch (500
notices by each policy, 500 cases archived, and the figures' summary of those cases).

    MINSHENG_BENCH_CASES=1000000 scripts/with-postgres \
        .venv/bin/python -m minsheng.supervision.bench

Run it only against a throwaway database: it inserts straight into the tables.
"""

import os
import statistics
import tempfile
import time
from typing import Any

from minsheng.cases import bench as case_bench

ROUNDS = 5


def _clocks_and_hits(first_case_id: int) -> None:
    """A running result clock for every open synthetic case (due when the case is), and,
    for the steady round, every overdue one already warned about and acted on."""
    from django.db import connection
    from django.utils import timezone

    from minsheng.cases.models import Case, CaseClock
    from minsheng.cases.workflow import OPEN_STATES
    from minsheng.notify.models import ClockNotice
    from minsheng.supervision.models import NoticePolicy, PolicyHit

    now = timezone.now()
    cases, clocks = Case._meta.db_table, CaseClock._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {clocks} (case_id, step, unit, amount, extension, started_at, "  # noqa: S608
            "pauses, due_at, policy) "
            f"SELECT id, 'result', 'working_days', 3, 0, created_at, '[]', next_due_at, '' "
            f"FROM {cases} WHERE id >= %s AND next_due_at IS NOT NULL "
            f"AND state IN ({', '.join(['%s'] * len(OPEN_STATES))})",
            [first_case_id, *sorted(OPEN_STATES)],
        )
        for kind in ("due_soon", "overdue"):
            cursor.execute(
                f"INSERT INTO {ClockNotice._meta.db_table} (clock_id, kind, created_at) "  # noqa: S608
                f"SELECT id, %s, %s FROM {clocks} WHERE stopped_at IS NULL AND due_at < %s",
                [kind, now, now],
            )
        for policy in NoticePolicy.objects.filter(trigger=NoticePolicy.Trigger.CASE_STEP):
            cursor.execute(
                f"INSERT INTO {PolicyHit._meta.db_table} (policy_id, clock_id, is_waiting, "  # noqa: S608
                f"created_at) SELECT %s, id, %s, %s FROM {clocks} "
                "WHERE stopped_at IS NULL AND due_at < %s",
                [policy.pk, False, now, now],
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {clocks}")
        else:
            cursor.execute("ANALYZE")


def _round_ms() -> float:
    from minsheng.lib.tasks import periodic_jobs

    start = time.perf_counter()
    for job in periodic_jobs():
        job.call()
    return (time.perf_counter() - start) * 1000


def run(n: int | None = None, echo: Any = None) -> list[tuple[str, str]]:
    """Seed `n` cases with clocks and time rounds of the watch; rows of (benchmark, figure)."""
    from django.db import connection
    from django.db.models import Max

    from minsheng.cases.models import Case, CaseClock
    from minsheng.supervision.models import NoticePolicy, PolicyHit, RetentionPolicy

    if n is None:
        n = int(os.environ.get("MINSHENG_BENCH_CASES", case_bench.DEFAULT_CASES))
    first = (Case.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    case_bench.seed(n)
    _clocks_and_hits(first)
    label = f"{connection.vendor}, {n:,} cases, {CaseClock.objects.count():,} running clocks"
    # Steady: the synthetic history's old closed cases count as archived already.
    RetentionPolicy.objects.update_or_create(pk=1, defaults={"archive_after_days": 30_000})
    _round_ms()  # warm the calendar and the connection
    steady = sorted(_round_ms() for _ in range(ROUNDS))
    rows = [(f"deadline watch, steady round ({label}), median / max ms", _fmt(steady))]
    if echo is not None:
        echo(*rows[-1], flush=True)
    PolicyHit.objects.all().delete()  # every overdue clock is news again: a full batch
    NoticePolicy.objects.update(checked_through=None)  # read from the start, as after an edit
    RetentionPolicy.objects.filter(pk=1).update(archive_after_days=30)  # and 500 to archive
    busy = _round_ms()
    rows.append((f"deadline watch, round acting on a full batch ({label}), ms", f"{busy:.0f}"))
    if echo is not None:
        echo(*rows[-1], flush=True)
    return rows


def _fmt(samples: list[float]) -> str:
    return f"{statistics.median(samples):.0f} / {samples[-1]:.0f}"


def main() -> None:
    case_bench.utf8_database()
    with tempfile.TemporaryDirectory() as var:
        os.environ.setdefault("MINSHENG_VAR_DIR", var)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        run(echo=print)


if __name__ == "__main__":
    main()
