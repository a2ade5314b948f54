"""The case list at scale (issue 3): a million cases, filtered, sorted and paginated.

Fills the database with `MINSHENG_BENCH_CASES` synthetic cases (default 100,000 so that
`make bench` stays short; a million takes about 12 minutes on PostgreSQL here) spread over states,
departments, categories, kinds, channels and two years, then times the workbench case list
through the real view (Django's test client, production's settings: DEBUG off,
`lib.bench_settings`), logged in as a dispatcher (sees everything) and as a department
handler (sees their department).

    MINSHENG_BENCH_CASES=1000000 scripts/with-postgres .venv/bin/python -m minsheng.cases.bench

Besides the list it times keyword search (one, two and four characters), page 500 by
cursor (as the "Next" links reach it) in each order, the department handler's queue on "My
work", and the similar-case lookup of a fresh process (`similar_fresh_process`: a new Python
process that maps the task worker's snapshot of the duplicate index, and one without one).

Run it only against a throwaway database: it inserts straight into the case tables. To time
again a database it has filled (a cluster of your own), set `MINSHENG_BENCH_SEED=0` with that
database's DATABASE_URL (`MINSHENG_BENCH_SIMILAR=0` leaves out the similar-case lookup).
"""

import csv
import functools
import gc
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from minsheng.lib.bench_settings import production_environment, static_files_collect
from minsheng.lib.shared_data import shared_data_dir

DEFAULT_CASES = 100_000
REQUESTS = 10
KEYWORD = "噪音"  # a common Chinese word ("noise")
RARE_KEYWORD = "烂尾多年"  # a rarer, longer phrase ("left unfinished for years")
ONE_CHARACTER = "噪"  # in 3 % of the cases
PAGE_SIZE = 25  # the workbench's

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
    # The office's configuration (cases 0012): none of it in these cases.
    "approval_level",
    "extra",
    "regulator_reference",
    # Keyword search (cases 0015): `_documents` gives them.
    "search_subject",
    "search_text",
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


@functools.cache
def _document_pair(subject: str, body: str) -> tuple[str, str]:
    from minsheng.cases import search

    return (
        search.subject_document(subject),
        search.text_document(body=body, respondent="", location=""),
    )


def _documents(subject: str, body: str, connection: Any) -> tuple[str, str]:
    """A case's search documents as the database stores them (the seed's texts repeat, so
    each pair is worked out once; on PostgreSQL in tsvector's text form, for COPY)."""
    return _stored(*_document_pair(subject, body), connection.vendor)


@functools.cache
def _stored(subject: str, text: str, vendor: str) -> tuple[str, str]:
    from django.db import connection

    from minsheng.cases.models import Case

    field = Case._meta.get_field("search_subject")
    return (
        str(field.get_db_prep_value(subject, connection)),
        str(field.get_db_prep_value(text, connection)),
    )


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
            0,
            "{}",
            "",
        )


def seed(n: int, *, seed_value: int = 3) -> dict[str, Any]:
    """Departments, a category tree, a dispatcher, a handler and `n` cases. Returns the
    users and what the requests filter on."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from minsheng.accounts.models import Department, Role, User
    from minsheng.accounts.services import user_create
    from minsheng.cases import search
    from minsheng.cases.models import Case, Category

    rng = random.Random(seed_value)  # noqa: S311 - synthetic data, repeatable
    now = timezone.now()
    # The departments, categories and users are made once: another bench (the deadline
    # watch) seeds more cases into the same database.
    departments = [
        Department.objects.get_or_create(code=f"bench-list-d{k}", defaults={"name": f"部门{k}"})[0]
        for k in range(30)
    ]
    leaves: list[int] = []
    top = []
    for a in range(10):
        first = Category.objects.get_or_create(name=f"大类{a}", level=1)[0]
        top.append(first)
        for b in range(3):
            second = Category.objects.get_or_create(name=f"中类{a}-{b}", level=2, parent=first)[0]
            for c in range(2):
                third = Category.objects.get_or_create(
                    name=f"小类{a}-{b}-{c}", level=3, parent=second
                )[0]
                leaves.append(third.pk)
    handler_department = departments[2]
    dispatcher = User.objects.filter(username="bench-list-dispatcher").first() or user_create(
        username="bench-list-dispatcher",
        password=secrets.token_urlsafe(),
        roles=[(Role.DISPATCHER, None)],
    )
    handler = User.objects.filter(username="bench-list-handler").first() or user_create(
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
            # A bulk load: drop the search indexes (migration 0015), load, build them again.
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexdef LIKE '%%USING gin%%'",
                [table],
            )
            gin = cursor.fetchall()
            for name, _ in gin:
                cursor.execute(f"DROP INDEX {name}")
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *_documents(row[7], row[8], connection)))
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
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _, definition in gin:
                cursor.execute(definition)
            index_seconds = time.perf_counter() - built
            # As autovacuum would soon: statistics, and the visibility map for index-only scans.
            for vacuumed in (table, co_table):
                cursor.execute(f"VACUUM ANALYZE {vacuumed}")
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append((*row, *_documents(row[7], row[8], connection)))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            # The FTS5 index over the documents (cases.search writes it for a registration).
            built = time.perf_counter()
            search.search_index_rebuild()
            index_seconds = time.perf_counter() - built
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


def seeded() -> dict[str, Any]:
    """The facts `seed` returns, for a database it has already filled (`MINSHENG_BENCH_SEED=0`:
    time again without loading again, e.g. a persistent cluster)."""
    from django.utils import timezone

    from minsheng.accounts.models import User
    from minsheng.cases.models import Category

    return {
        "seconds": 0.0,
        "index_seconds": 0.0,
        "dispatcher": User.objects.get(username="bench-list-dispatcher"),
        "handler": User.objects.get(username="bench-list-handler"),
        "department": "bench-list-d2",
        "category": Category.objects.get(name="大类1", level=1).pk,
        "now": timezone.now(),
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
        (f"keyword {ONE_CHARACTER}", {"q": ONE_CHARACTER}),
        (f"keyword {KEYWORD}", {"q": KEYWORD}),
        (f"keyword {RARE_KEYWORD}", {"q": RARE_KEYWORD}),
        (
            f"keyword {KEYWORD}, in progress, in the department",
            {"q": KEYWORD, "state": "in_progress", "department": facts["department"]},
        ),
    ]


def _deep_queries(facts: dict[str, Any], user: Any) -> list[tuple[str, dict[str, str]]]:
    """Page 500 of some lists in each order, by the cursor their "Next" links reach it with
    (a list too short for page 500 has no row)."""
    found = []
    department = facts["department"]
    for name, params in (
        ("page 500", {}),
        ("oldest first, page 500", {"ordering": "submitted"}),
        ("department, page 500", {"department": department}),
        ("sort by due, page 500", {"ordering": "due"}),
        ("sort by due, latest first, page 500", {"ordering": "-due"}),
        ("department sorted by due, page 500", {"department": department, "ordering": "due"}),
        ("not overdue, page 500", {"overdue": "false"}),
    ):
        cursor = _cursor_at(user, params, page=500)
        if cursor:
            found.append((f"{name} (by cursor)", {**params, "after": cursor}))
    return found


def _cursor_at(user: Any, params: dict[str, str], *, page: int) -> str:
    """The `after` cursor of the link to `page` of a list: the position of the last row of
    the page before (as following "Next" from the first page gets there)."""
    from django.http import QueryDict

    from minsheng.cases.filters import CaseFilterSet
    from minsheng.cases.selectors import case_list_for_user
    from minsheng.lib.pagination import cursor_make

    data = QueryDict(mutable=True)
    data.update(params)
    filterset = CaseFilterSet(data or None, queryset=case_list_for_user(user), user=user)
    offset = (page - 1) * PAGE_SIZE - 1
    for number, section in enumerate(filterset.sections()):
        row = section.ordered()[offset : offset + 1].first()
        if row is not None:
            return cursor_make(number, section.values_of(row), page - 1)
        offset -= section.queryset.order_by()[: offset + 1].count()
    return ""


def _time(client: Any, url: str, params: dict[str, str], rounds: int) -> tuple[float, float, float]:
    """Median and p95 of the whole request in ms (of 10 requests the p95 is the slowest),
    and the median time its SQL took (the rest is Python: the view, mostly the template)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    sql = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, params)
            samples.append((time.perf_counter() - start) * 1000)
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: HTTP {response.status_code}")
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95, statistics.median(sql)


# A fresh process's first similar-case lookups (run as `python -c`, against the same database).
_FRESH_LOOKUP = """
import json, os, sys, time
import django
django.setup()
from minsheng.accounts.models import User
from minsheng.routing import selectors
user = User.objects.get(username=sys.argv[1])
matter = selectors.Matter(subject=sys.argv[2], body=sys.argv[3])
started = time.perf_counter()
found = selectors.similar_open_cases(matter=matter, user=user)
first = (time.perf_counter() - started) * 1000
waited = 0.0
if not found:
    selectors.duplicate_index_wait()
    found = selectors.similar_open_cases(matter=matter, user=user)
    waited = time.perf_counter() - started
later = []
for _ in range(9):
    started = time.perf_counter()
    selectors.similar_open_cases(matter=matter, user=user)
    later.append((time.perf_counter() - started) * 1000)
later.sort()
print(json.dumps({"first_ms": first, "found": len(found), "waited_s": waited,
                  "later_median_ms": later[len(later) // 2], "later_max_ms": later[-1]}))
"""


def similar_fresh_process(facts: dict[str, Any], label: str) -> list[tuple[str, str]]:
    """The worker writes the duplicate index snapshot; a fresh process then looks up the
    cases similar to a common matter: with the snapshot, and with none (it builds one in
    the background and proposes nothing meanwhile, as every process did before)."""
    from minsheng.cases.models import Case
    from minsheng.cases.workflow import OPEN_STATES
    from minsheng.routing import selectors

    open_cases = Case.objects.filter(state__in=OPEN_STATES).count()
    started = time.perf_counter()
    selectors.duplicate_index_save()
    saved = time.perf_counter() - started
    # A matter like an open case's (the seed's texts repeat, so it has look-alikes).
    subject, body = (
        Case.objects.filter(state__in=OPEN_STATES).order_by("-pk").values_list("subject", "body")[0]
    )
    rows = [
        (
            f"similar cases ({label}, {open_cases:,} open): worker writes the snapshot, s",
            f"{saved:.1f}",
        )
    ]
    with tempfile.TemporaryDirectory() as empty:
        for name, env in (
            ("fresh process, snapshot", {}),
            ("fresh process, no snapshot", {"ROUTING_ARTIFACT_DIR": empty}),
        ):
            answer = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-c", _FRESH_LOOKUP, facts["dispatcher"].username, subject, body],
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "minsheng.settings", **env},
                capture_output=True,
                text=True,
                check=True,
            )
            got = json.loads(answer.stdout.strip().splitlines()[-1])
            rows.append(
                (
                    f"similar cases ({label}, {open_cases:,} open): {name}: first lookup ms "
                    "(proposals; seconds until any) / later median ms",
                    f"{got['first_ms']:.0f} ({got['found']}; {got['waited_s']:.1f} s)"
                    f" / {got['later_median_ms']:.0f}",
                )
            )
    return rows


def run(n: int | None = None, rounds: int | None = None, echo: Any = None) -> list[tuple[str, str]]:
    """Seed `n` cases and time the case list, "My work", keyword search, deep pages and
    a fresh process's similar-case lookup; rows of (benchmark, median / p95 ms)."""
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
    facts = seed(n) if os.environ.get("MINSHENG_BENCH_SEED", "1") == "1" else seeded()
    label = f"{connection.vendor}, {n:,} cases"
    rows = [
        (
            f"case list: insert {label} (of which search index build), s",
            f"{facts['seconds']:.1f} ({facts['index_seconds']:.1f})",
        )
    ]
    if echo is not None:
        echo(*rows[-1], flush=True)
    url = reverse("workbench:case-list")
    clients = {}
    for who in ("dispatcher", "handler"):
        clients[who] = Client()
        clients[who].force_login(facts[who])
        clients[who].get(url)  # warm caches and the session
    # What is loaded by now stays out of the garbage collector's full passes, as in a web
    # worker (deploy/gunicorn.conf.py freezes what the master loaded before forking): else
    # a full pass over the seeding's objects every few requests (110-120 ms at a million
    # cases) is what the p95 shows.
    gc.freeze()
    for who, client in clients.items():
        timed = [(url, name, params) for name, params in _queries(facts)]
        timed += [(url, name, params) for name, params in _deep_queries(facts, facts[who])]
        work = reverse("workbench:my-work")
        timed += [
            (work, "My work, first queue", {}),
            (work, "My work, overdue", {"tab": "overdue"}),
        ]
        for page, name, params in timed:
            figures = _time(client, page, params, rounds)
            rows.append(
                (
                    f"case list ({who}, {label}): {name}, median / p95 ms (SQL median)",
                    f"{figures[0]:.1f} / {figures[1]:.1f} ({figures[2]:.1f})",
                )
            )
            if echo is not None:
                echo(*rows[-1], flush=True)
    if os.environ.get("MINSHENG_BENCH_SIMILAR", "1") == "1":
        for row in similar_fresh_process(facts, label):
            rows.append(row)
            if echo is not None:
                echo(*row, flush=True)
    return rows


def utf8_database() -> None:
    """On PostgreSQL, switch DATABASE_URL to a fresh database whose LC_CTYPE is C.UTF-8,
    as a production database has (keyword search itself does not depend on the locale:
    cases.search builds its own tokens)."""
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
    if os.environ.get("MINSHENG_BENCH_SEED", "1") == "1":
        utf8_database()
    with tempfile.TemporaryDirectory() as var:
        os.environ.setdefault("MINSHENG_VAR_DIR", var)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        os.environ.update(production_environment())
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        static_files_collect()
        run(echo=print)


if __name__ == "__main__":
    main()
