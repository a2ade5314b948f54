"""One month's statistics dashboard at scale (issue 9): `MINSHENG_BENCH_CASES` synthetic
cases (default 100,000 so that `make bench` stays short) over two years, each with its
clocks and timeline events (register, accept, assign, sign, answer; returns, supervision
notices at every level), approved extensions and ratings; then /work/stats/ for the last
whole month, through the real view as a supervisor, and the department evaluation; then
one monthly report PDF and one case file PDF (`reports.documents`) through their views.

    MINSHENG_BENCH_CASES=1000000 scripts/with-postgres .venv/bin/python -m minsheng.reports.bench

Run it only against a throwaway database: it inserts straight into the tables.
"""

import json
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

DEFAULT_CASES = 100_000
REQUESTS = 10
DAY = 86400

STATES = [
    ("submitted", 2),
    ("accepted", 1),
    ("in_progress", 6),
    ("pending_approval", 1),
    ("replied", 4),
    ("under_review", 1),
    ("closed", 40),
    ("archived", 38),
    ("rejected", 4),
    ("transferred", 2),
    ("merged", 1),
]
ANSWERED = {"replied", "under_review", "closed", "archived"}
ACCEPTED = ANSWERED | {"accepted", "in_progress", "pending_approval"}
RATINGS = [("satisfied", 55), ("fairly_satisfied", 20), ("neutral", 8), ("poor", 5), ("", 12)]
KINDS = [("complaint", 40), ("inquiry", 20), ("report", 10), ("suggestion", 10), ("help", 15)]
CHANNELS = [("web", 35), ("phone", 40), ("email", 5), ("letter", 3), ("walk_in", 5), ("app", 12)]
LEVELS = ["reminder", "supervision", "leader", "circulation"]

CASE_COLUMNS = [
    "id", "number", "query_code_hash", "kind", "severity", "channel", "state", "subject", "body",
    "desired_outcome", "location", "respondent", "is_anonymous", "is_collective", "return_count",
    "is_info_requested", "plan", "answer", "transferred_to", "rejection_reason", "rating",
    "department_id", "category_id", "area_id", "next_due_step", "next_due_at", "created_at",
    "updated_at", "replied_at", "closed_at", "version",
    # The office's configuration (cases 0012) and the clock's policy name (cases 0014):
    # none of it in these cases; nor keyword search documents (cases 0015: not searched here).
    "approval_level", "extra", "regulator_reference", "search_subject", "search_text",
]  # fmt: skip
CLOCK_COLUMNS = [
    "case_id", "step", "unit", "amount", "extension", "started_at", "pauses", "due_at",
    "stopped_at", "policy",
]  # fmt: skip
EVENT_COLUMNS = [
    "case_id", "action", "actor_role", "from_state", "to_state", "note", "data", "is_public",
    "created_at",
]  # fmt: skip
EXTENSION_COLUMNS = [
    "case_id", "amount", "reason", "status", "requested_by_id", "requested_at", "decided_at",
]  # fmt: skip


def _choice(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _generate(
    n: int,
    *,
    first_id: int,
    rng: random.Random,
    now: datetime,
    departments: list[int],
    categories: list[int],
    areas: list[int],
    user: int,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Rows as ("case" | "clock" | "event" | "extension", values)."""
    weights = [1 / (k + 1) for k in range(len(departments))]
    span = 2 * 365 * DAY
    for i in range(first_id, first_id + n):
        created = now - timedelta(seconds=rng.randrange(span))
        age = (now - created).total_seconds()
        state = _choice(rng, STATES)
        if age < 20 * DAY and rng.random() < 0.7:
            state = rng.choice(["submitted", "accepted", "in_progress", "replied"])
        department = rng.choices(departments, weights)[0] if state in ACCEPTED else None
        answered = state in ANSWERED
        took = timedelta(seconds=rng.randrange(int(0.2 * DAY), int(9 * DAY)))
        replied = created + took if answered else None
        rating = _choice(rng, RATINGS) if state in {"closed", "archived"} else ""
        if state == "under_review":
            rating = "poor"
        returns = 1 if department and rng.random() < 0.05 else 0
        result_due = created + timedelta(days=5)
        is_open = state in {"accepted", "in_progress", "pending_approval", "submitted"}
        yield (
            "case",
            (
                i, f"BS{created:%Y%m%d}{i:08d}", "x" * 64, _choice(rng, KINDS), "general",
                _choice(rng, CHANNELS), state, "统计基准", "统计基准", "", "", "", False, False,
                returns, False, "", "", "", "", rating, department, rng.choice(categories),
                rng.choice(areas) if rng.random() < 0.8 else None,
                "result" if is_open else "", result_due if is_open else None, created, created,
                replied, replied if state in {"closed", "archived"} else None, 0,
                0, "{}", "", "", "",
            ),
        )  # fmt: skip
        review_stop = created + timedelta(hours=rng.randrange(1, 30))
        yield _clock(i, "review", 1, 0, created, created + timedelta(days=1), review_stop)
        yield _event(i, "register", "", "submitted", True, created)
        if state not in ACCEPTED:
            continue
        yield _event(i, "accept", "submitted", "accepted", True, review_stop)
        dispatched = review_stop + timedelta(hours=rng.randrange(1, 30))
        yield _clock(i, "dispatch", 1, 0, review_stop, review_stop + timedelta(days=1), dispatched)
        yield _event(
            i, "assign", "accepted", "assigned", True, dispatched, {"department": department}
        )
        extension = 2 if rng.random() < 0.04 else 0
        due = result_due + timedelta(days=extension)
        stop = replied
        if stop is not None and rng.random() < 0.12:  # answered late
            stop = due + timedelta(hours=rng.randrange(1, 72))
        yield _clock(i, "result", 3, extension, review_stop, due, stop)
        yield _event(i, "sign", "assigned", "in_progress", True, dispatched)
        if extension:
            yield ("extension", (i, extension, "协调", "approved", user, dispatched, dispatched))
        if returns:
            data: dict[str, Any] = {"department": rng.choice(departments)}
            yield _event(i, "return", "assigned", "accepted", False, dispatched, data)
        if rng.random() < 0.06:
            data = {"notice": i, "level": rng.choice(LEVELS), "department": department}
            yield _event(i, "notice_issued", state, state, False, dispatched, data)
        if replied:
            yield _event(i, "approve", "pending_approval", "replied", True, replied)


def _clock(
    case_id: int,
    step: str,
    amount: int,
    extension: int,
    started: datetime,
    due: datetime,
    stopped: datetime | None,
) -> tuple[str, tuple[Any, ...]]:
    return (
        "clock",
        (case_id, step, "working_days", amount, extension, started, "[]", due, stopped, ""),
    )


def _event(
    case_id: int,
    action: str,
    before: str,
    after: str,
    is_public: bool,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> tuple[str, tuple[Any, ...]]:
    return (
        "event",
        (case_id, action, "", before, after, "", json.dumps(data or {}), is_public, at),
    )


def seed(n: int, *, seed_value: int = 9) -> dict[str, Any]:
    """Departments, categories, areas, a supervisor and `n` cases with their rows."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from minsheng.accounts.models import Department, Role
    from minsheng.accounts.services import user_create
    from minsheng.cases.models import Area, Case, CaseClock, CaseEvent, Category, ExtensionRequest

    rng = random.Random(seed_value)  # noqa: S311 - synthetic data, repeatable
    now = timezone.now()
    departments = [
        Department.objects.create(name=f"统计部门{k}", code=f"bench-stats-d{k}").pk
        for k in range(40)
    ]
    leaves = []
    for a in range(12):
        top = Category.objects.create(name=f"统计大类{a}", level=1)
        for b in range(4):
            leaves.append(Category.objects.create(name=f"统计小类{a}-{b}", level=2, parent=top).pk)
    areas = []
    for a in range(10):
        district = Area.objects.create(name=f"统计区{a}", code=f"bs{a}", level=Area.Level.DISTRICT)
        for b in range(5):
            areas.append(
                Area.objects.create(
                    name=f"统计街道{a}-{b}", code=f"bs{a}-{b}", level=2, parent=district
                ).pk
            )
    supervisor = user_create(
        username="bench-stats-supervisor",
        password=secrets.token_urlsafe(),
        roles=[(Role.SUPERVISOR, None)],
    )
    first_id = (Case.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    rows = _generate(
        n,
        first_id=first_id,
        rng=rng,
        now=now,
        departments=departments,
        categories=leaves,
        areas=areas,
        user=supervisor.pk,
    )
    tables = {
        "case": (Case._meta.db_table, CASE_COLUMNS),
        "clock": (CaseClock._meta.db_table, CLOCK_COLUMNS),
        "event": (CaseEvent._meta.db_table, EVENT_COLUMNS),
        "extension": (ExtensionRequest._meta.db_table, EXTENSION_COLUMNS),
    }
    started = time.perf_counter()
    batches: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in tables}
    counts = dict.fromkeys(tables, 0)
    with connection.cursor() as cursor:

        def flush(kind: str) -> None:
            table, columns = tables[kind]
            batch = batches[kind]
            if not batch:
                return
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, batch)
            counts[kind] += len(batch)
            batch.clear()

        for kind, row in rows:
            batches[kind].append(row)
            if len(batches[kind]) >= 50_000:
                # Cases first: the other rows refer to them.
                flush("case")
                flush(kind)
        for kind in tables:
            flush(kind)
        if connection.vendor == "postgresql":
            table = Case._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {first_id + n - 1})"  # noqa: S608
            )
            for table, _columns in tables.values():
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    return {
        "seconds": time.perf_counter() - started,
        "rows": counts,
        "supervisor": supervisor,
        "now": now,
    }


def _time(client: Any, url: str, params: dict[str, str], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def _report_ms(user: Any, month: str) -> float:
    """One monthly report made as the worker makes it (the job's service, hot topics in)."""
    from datetime import datetime

    from django.conf import settings

    from minsheng.reports.services import report_job_create, report_job_run, topics_source

    day = datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007 - a date
    job = report_job_create(actor=user, month=day, language=settings.LANGUAGE_CODE)
    start = time.perf_counter()
    done = report_job_run(job_id=job.pk, topics_source=topics_source())
    if done.status != done.Status.DONE:
        raise RuntimeError(f"monthly report {done.pk}: {done.status} {done.reason}")
    return (time.perf_counter() - start) * 1000


def run(n: int | None = None, rounds: int | None = None, echo: Any = None) -> list[tuple[str, str]]:
    """Seed `n` cases and time the statistics pages; rows of (benchmark, figure)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    if n is None:
        n = int(os.environ.get("MINSHENG_BENCH_CASES", DEFAULT_CASES))
    if rounds is None:
        rounds = int(os.environ.get("MINSHENG_BENCH_REQUESTS", REQUESTS))
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    facts = seed(n)
    label = f"{connection.vendor}, {n:,} cases"
    rows = [
        (
            f"statistics: insert {label} (+ {facts['rows']['clock']:,} clocks, "
            f"{facts['rows']['event']:,} events), s",
            f"{facts['seconds']:.1f}",
        )
    ]
    if echo is not None:
        echo(*rows[-1], flush=True)
    from minsheng.reports.services import facts_refresh

    started = time.perf_counter()
    rebuilt = facts_refresh()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a bulk load
            cursor.execute("VACUUM ANALYZE reports_casefact")
    rows.append(
        (
            f"statistics: first stats_refresh ({rebuilt:,} case summaries), s",
            f"{time.perf_counter() - started:.1f}",
        )
    )
    if echo is not None:
        echo(*rows[-1], flush=True)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    client = Client()
    client.force_login(facts["supervisor"])
    pages = [
        ("dashboard, last whole month", reverse("reports:dashboard"), {"month": last_month}),
        ("dashboard, this month (live)", reverse("reports:dashboard"), {}),
        ("department evaluation, last month", reverse("reports:evaluation"), {"month": last_month}),
    ]
    client.get(pages[0][1], pages[0][2])  # warm caches and the session
    for name, url, params in pages:
        figures = _time(client, url, params, rounds)
        rows.append(
            (
                f"statistics ({label}): {name}, median / p99 ms",
                f"{figures[0]:.1f} / {figures[1]:.1f}",
            )
        )
        if echo is not None:
            echo(*rows[-1], flush=True)
    # The documents: one monthly report PDF (figures, charts, ranking, hot topics, the
    # cases to watch) as the task worker makes it, and one case file through its page, each
    # set by WeasyPrint.
    from minsheng.cases.models import Case

    closed = Case.objects.filter(state="closed").order_by("pk").values_list("number", flat=True)[0]
    samples = sorted(_report_ms(facts["supervisor"], last_month) for _ in range(min(rounds, 5)))
    case_file = _time(client, reverse("reports:case-file", args=[closed]), {}, min(rounds, 5))
    for name, figures in (
        (
            "monthly report PDF in the background task, last whole month",
            (samples[len(samples) // 2], samples[-1]),
        ),
        ("case file PDF of a closed case", case_file),
    ):
        rows.append(
            (
                f"documents ({label}): {name}, median / max ms",
                f"{figures[0]:.0f} / {figures[1]:.0f}",
            )
        )
        if echo is not None:
            echo(*rows[-1], flush=True)
    return rows


def main() -> None:
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
