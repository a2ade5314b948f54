"""The case list at scale (issue 3): a million cases, filtered, sorted and paginated.

Fills the database with `MINSHENG_BENCH_CASES` synthetic cases (default 100,000 so that
`make bench` stays short; a million takes a few minutes on PostgreSQL) spread over states,
departments, categories, kinds, channels and two years, then times the workbench case list
through the real view (Django's test client), logged in as a dispatcher (sees everything)
and as a department handler (sees their department).

    MINSHENG_BENCH_CASES=1000000 scripts/with-postgres .venv/bin/python -m minsheng.cases.bench

Run it only against a throwaway database: it inserts straight into the case table.
"""

import csv
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from minsheng.lib.shared_data import shared_data_dir

DEFAULT_CASES = 100_000
REQUESTS = 10
KEYWORD = "噪音"  # a common Chinese word ("noise")
RARE_KEYWORD = "烂尾多年"  # a rarer, longer phrase ("left unfinished for years")

OPEN_STATES = [
    ("submitted", 6),
    ("needs_info", 1),
    ("accepted", 2),
    ("assigned", 3),
    ("in_progress", 10),
    ("pending_approval", 2),
    ("pending_leader_approval", 1),
    ("replied", 3),
    ("under_review", 1),
]
DONE_STATES = [("closed", 40), ("archived", 45), ("rejected", 4), ("transferred", 3), ("merged", 1)]
WITH_DEPARTMENT = {
    "assigned",
    "in_progress",
    "pending_approval",
    "pending_leader_approval",
    "replied",
    "under_review",
    "closed",
    "archived",
}
KINDS = [("complaint", 40), ("inquiry", 20), ("report", 10), ("suggestion", 10), ("help", 15)]
SEVERITIES = [("general", 90), ("urgent", 6), ("complex", 3), ("major", 1)]
CHANNELS = [("web", 35), ("phone", 40), ("email", 5), ("letter", 3), ("walk_in", 5), ("app", 12)]
COLUMNS = [
    "id",
    "number",
    "query_code_hash",
    "kind",
    "severity",
    "channel",
    "state",
    "subject",
    "body",
    "desired_outcome",
    "location",
    "respondent",
    "is_anonymous",
    "is_collective",
    "return_count",
    "is_info_requested",
    "plan",
    "answer",
    "transferred_to",
    "rejection_reason",
    "rating",
    "department_id",
    "category_id",
    "next_due_step",
    "next_due_at",
    "created_at",
    "updated_at",
    "version",
]


def _texts() -> list[tuple[str, str]]:
    """Real subjects and bodies from the shared data set, or a few made-up ones."""
    data = shared_data_dir() / "train.csv"
    if data.exists():
        with data.open(encoding="utf-8") as f:
            rows = [(r["subject"][:200], r["body"][:400]) for r in csv.DictReader(f)]
        if rows:
            return rows
    return [
        ("工地夜间施工噪音扰民", "小区旁边的工地每天晚上十一点以后还在施工，噪音很大。"),
        ("小区垃圾清运不及时", "垃圾桶已经满了三天没有人清运，气味很大。"),
        ("路灯损坏", "某某路的路灯坏了一个多月，晚上出行不安全。"),
    ]


def _choice(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _rows(
    n: int,
    *,
    first_id: int,
    rng: random.Random,
    now: datetime,
    departments: list[int],
    categories: list[int],
) -> Iterator[tuple[Any, ...]]:
    texts = _texts()
    weights = [1 / (k + 1) for k in range(len(departments))]  # a few big departments
    span = 2 * 365 * 86400
    for i in range(first_id, first_id + n):
        created = now - timedelta(seconds=rng.randrange(span))
        age_days = (now - created).days
        # Recent cases are mostly open; old ones mostly done, a few left open (overdue).
        is_open = rng.random() < (0.8 if age_days < 45 else 0.02)
        state = _choice(rng, OPEN_STATES if is_open else DONE_STATES)
        department = (
            rng.choices(departments, weights)[0]
            if state in WITH_DEPARTMENT or rng.random() < 0.05
            else None
        )
        due = created + timedelta(days=rng.randint(2, 20)) if is_open else None
        subject, body = texts[rng.randrange(len(texts))]
        yield (
            i,
            f"BN{created:%Y%m%d}{i:08d}",
            "x" * 64,
            _choice(rng, KINDS),
            _choice(rng, SEVERITIES),
            _choice(rng, CHANNELS),
            state,
            subject,
            body,
            "",
            "",
            "",
            False,
            False,
            0,
            False,
            "",
            "",
            "",
            "",
            "",
            department,
            rng.choice(categories),
            "result" if due else "",
            due,
            created,
            created,
            0,
        )


def seed(n: int, *, seed_value: int = 3) -> dict[str, Any]:
    """Departments, a category tree, a dispatcher, a handler and `n` cases. Returns the
    users and what the requests filter on."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from minsheng.accounts.models import Department, Role
    from minsheng.accounts.services import user_create
    from minsheng.cases.models import Case, Category

    rng = random.Random(seed_value)  # noqa: S311 - synthetic data, repeatable
    now = timezone.now()
    departments = [
        Department.objects.create(name=f"部门{k}", code=f"bench-list-d{k}") for k in range(30)
    ]
    leaves: list[int] = []
    top = []
    for a in range(10):
        first = Category.objects.create(name=f"大类{a}", level=1)
        top.append(first)
        for b in range(3):
            second = Category.objects.create(name=f"中类{a}-{b}", level=2, parent=first)
            for c in range(2):
                leaves.append(
                    Category.objects.create(name=f"小类{a}-{b}-{c}", level=3, parent=second).pk
                )
    dispatcher = user_create(
        username="bench-list-dispatcher",
        password=secrets.token_urlsafe(),
        roles=[(Role.DISPATCHER, None)],
    )
    handler_department = departments[2]
    handler = user_create(
        username="bench-list-handler",
        password=secrets.token_urlsafe(),
        roles=[(Role.HANDLER, handler_department)],
    )
    first_id = (Case.objects.aggregate(last=Max("id"))["last"] or 0) + 1  # after other benches
    rows = _rows(
        n,
        first_id=first_id,
        rng=rng,
        now=now,
        departments=[d.pk for d in departments],
        categories=leaves,
    )
    table = Case._meta.db_table
    started = time.perf_counter()
    index_seconds = 0.0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A bulk load: drop the trigram indexes (migration 0003), load, build them again.
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexdef LIKE '%%gin_trgm_ops%%'",
                [table],
            )
            trigram = cursor.fetchall()
            for name, _ in trigram:
                cursor.execute(f"DROP INDEX {name}")
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {first_id + n - 1})"  # noqa: S608
            )
            co_table = Case.co_departments.through._meta.db_table
            # One case in 600 (of all) is co-handled by the handler's department.
            cursor.execute(
                f"INSERT INTO {co_table} (case_id, department_id) "  # noqa: S608
                f"SELECT id, %s FROM {table} WHERE id %% 600 = 7 AND id >= %s",
                [handler_department.pk, first_id],
            )
            built = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in trigram:
                cursor.execute(definition)
            index_seconds = time.perf_counter() - built
            # As autovacuum would soon: statistics, and the visibility map for index-only scans.
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {co_table}")
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            co_table = Case.co_departments.through._meta.db_table
            cursor.execute(
                f"INSERT INTO {co_table} (case_id, department_id) "  # noqa: S608
                f"SELECT id, %s FROM {table} WHERE id %% 600 = 7 AND id >= %s",
                [handler_department.pk, first_id],
            )
            cursor.execute("ANALYZE")
    return {
        "seconds": time.perf_counter() - started,
        "index_seconds": index_seconds,
        "dispatcher": dispatcher,
        "handler": handler,
        "department": handler_department.code,
        "category": top[1].pk,
        "now": now,
    }


def _queries(facts: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    now = facts["now"]
    return [
        ("default list", {}),
        ("state in_progress", {"state": "in_progress"}),
        ("department", {"department": facts["department"]}),
        ("category (with sub-categories)", {"category": str(facts["category"])}),
        ("overdue", {"overdue": "true"}),
        (
            "submitted in one month",
            {
                "submitted_from": f"{now - timedelta(days=200):%Y-%m-%d}",
                "submitted_to": f"{now - timedelta(days=170):%Y-%m-%d}",
            },
        ),
        ("sort by due", {"ordering": "due"}),
        ("open, sorted by due", {"state": "in_progress", "ordering": "due"}),
        (f"keyword {KEYWORD}", {"q": KEYWORD}),
        (f"keyword {RARE_KEYWORD}", {"q": RARE_KEYWORD}),
        ("page 500", {"page": "500"}),
    ]


def _time(client: Any, url: str, params: dict[str, str], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99


def run(n: int | None = None, rounds: int | None = None, echo: Any = None) -> list[tuple[str, str]]:
    """Seed `n` cases and time the case list; rows of (benchmark, median / p99 ms)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

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
            f"case list: insert {label} (of which trigram index build), s",
            f"{facts['seconds']:.1f} ({facts['index_seconds']:.1f})",
        )
    ]
    if echo is not None:
        echo(*rows[-1], flush=True)
    url = reverse("workbench:case-list")
    for who in ("dispatcher", "handler"):
        client = Client()
        client.force_login(facts[who])
        client.get(url)  # warm caches and the session
        for name, params in _queries(facts):
            figures = _time(client, url, params, rounds)
            rows.append(
                (
                    f"case list ({who}, {label}): {name}, median / p99 ms",
                    f"{figures[0]:.1f} / {figures[1]:.1f}",
                )
            )
            if echo is not None:
                echo(*rows[-1], flush=True)
    return rows


def utf8_database() -> None:
    """On PostgreSQL, switch DATABASE_URL to a fresh database whose LC_CTYPE is C.UTF-8:
    pg_trgm (keyword search) ignores Chinese characters under the C locale that
    scripts/with-postgres uses. A production database should have a UTF-8 locale too."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    bench = f"{name}_bench_utf8"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {bench}")
        conn.execute(
            f"CREATE DATABASE {bench} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C'"
        )
    os.environ["DATABASE_URL"] = f"{base}/{bench}"


def main() -> None:
    utf8_database()
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
