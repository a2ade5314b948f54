"""`make bench`: every benchmark, on SQLite and on PostgreSQL, printed as ONE table.

    make bench                                    # or: .venv/bin/python -m minsheng.bench
    MINSHENG_BENCH_QUICK=1 make bench             # small sizes, a few minutes: to try it
    .venv/bin/python -m minsheng.bench --quick --databases sqlite --modules http,cases
    MINSHENG_BENCH_CASES=1000000 .venv/bin/python -m minsheng.bench --modules http,cases

Each column is gathered by a process of its own, one after the other (two at once would
share the two cores): SQLite in a throwaway directory, and PostgreSQL through
`scripts/with-postgres scripts/with-redis` (a throwaway cluster, and Redis for the intake's
production set-up: Redis task backend and cache). Each process runs the modules
(`--collect`: foundation here, then `intake.bench_http`, `cases.bench`,
`supervision.bench`, `reports.bench`, `routing.bench` and the opt-in `workers.bench`),
whose `run()` rows are put side by side by name (the database's name taken out of it).
The scale figures come first: intake per second at concurrency 8 and 32 beside the
bare-insert floor and django-helpdesk measured in the same run, with the ratios; the case
list at MINSHENG_BENCH_CASES cases; memory per web worker. The rest follows by module.

Every column runs with production's settings (DEBUG off, keys made up for the run:
`lib.bench_settings`), as the intake's servers do.

Every figure is a median of repeated runs or requests with its spread, as its row says
(min–max over the intake rounds; median / p95 over the list requests). The machine is
shared and noisy: read ratios measured in the same run, and the load average printed above
the table.

Sizes: MINSHENG_BENCH_CASES (default 100,000; each of the case list, the deadline watch and
the statistics loads that many: about 10 minutes on PostgreSQL here), MINSHENG_BENCH_REQUESTS
(requests per list figure, 10), MINSHENG_BENCH_HTTP_REQUESTS and MINSHENG_BENCH_HTTP_ROUNDS
(1,500 × 3); MINSHENG_BENCH_HTTP=0 leaves the intake out, MINSHENG_BENCH_HELPDESK=0 leaves
django-helpdesk out, MINSHENG_BENCH_FAULT=3000 adds the fault run. The million-case table:
MINSHENG_BENCH_CASES=1000000 with `--modules http,cases` (about 30 minutes to load on
PostgreSQL, longer on SQLite).
"""

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from minsheng.lib.bench_settings import production_environment, static_files_collect

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 200
DATABASES = ("sqlite", "postgresql")
COLUMN_TITLES = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15 + Redis"}
# Modules in the order a column runs them: the intake first (its servers have the machine
# and an empty database to themselves), then the in-process ones.
MODULES = ("http", "foundation", "cases", "watch", "stats", "routing", "fault")
# Modules whose figures do not depend on the database run in one column only.
ONCE = {"routing": "sqlite", "fault": "postgresql"}
QUICK = {
    "MINSHENG_BENCH_CASES": "5000",
    "MINSHENG_BENCH_REQUESTS": "5",
    "MINSHENG_BENCH_HTTP_REQUESTS": "300",
    "MINSHENG_BENCH_HTTP_ROUNDS": "2",
    "MINSHENG_BENCH_FOUNDATION_ROUNDS": "50",
}
QUICK_MODULES = ("http", "foundation", "cases", "watch", "stats")
HEADLINE = "scale"
LEGEND = (
    "Intake: Minsheng's POST /api/v1/public/cases (production settings, its task worker "
    "running, rate limits on with the load client allowed), a bare Django view inserting one "
    "row, django-helpdesk 2.6.1's POST /api/tickets/ (token auth), interleaved round by "
    "round; ratios per round, then median (min–max). Case list: through the real view, "
    "median / p95 of MINSHENG_BENCH_REQUESTS requests (the SQL's median in brackets)."
)

Row = tuple[str, str]


def _median_ms(fn: Callable[[], object], rounds: int | None = None) -> tuple[float, float]:
    """Median and 99th percentile of `fn`'s wall time in milliseconds."""
    if rounds is None:
        rounds = int(os.environ.get("MINSHENG_BENCH_FOUNDATION_ROUNDS", ROUNDS))
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.99) - 1, 0)]


def _pair(figures: tuple[float, float], digits: int = 2) -> str:
    return f"{figures[0]:.{digits}f} / {figures[1]:.{digits}f}"


def foundation() -> list[Row]:
    """Case registration, lifecycle actions, allowed actions and due-date arithmetic."""
    from minsheng.accounts.models import Role
    from minsheng.accounts.services import user_create
    from minsheng.cases.services import PersonInput, Submission, case_create
    from minsheng.cases.workflow import Act, allowed_actions, perform
    from minsheng.deadlines.calendar import compute_due
    from minsheng.deadlines.models import Unit
    from minsheng.deadlines.selectors import calendar_get

    intake = user_create(
        username="bench-intake", password=secrets.token_urlsafe(), roles=[(Role.INTAKE, None)]
    )
    submission = Submission(
        kind="complaint",
        subject="工地夜间施工噪音扰民",
        body="小区旁边的工地每天晚上十一点以后还在施工。",
        people=[PersonInput(name="张伟", phone="13812345678")],
    )
    created = []
    create_ms = _median_ms(lambda: created.append(case_create(submission=submission, actor=None)))
    cases = iter([r.case for r in created])
    accept_ms = _median_ms(
        lambda: perform(case=next(cases), action=Act.ACCEPT, actor=intake), len(created)
    )
    some_case = created[0].case
    allowed_ms = _median_ms(lambda: allowed_actions(some_case, intake))
    calendar = calendar_get()
    start = datetime(2025, 9, 30, 2, tzinfo=UTC)
    due_ms = _median_ms(
        lambda: compute_due(started_at=start, amount=7, unit=Unit.WORKING_DAYS, calendar=calendar),
        rounds=2000,
    )
    return [
        ("case_create (register, number, clock), median / p99 ms", _pair(create_ms)),
        ("perform accept (state + 3 clocks + event), median / p99 ms", _pair(accept_ms)),
        ("allowed_actions for one case, median / p99 ms", _pair(allowed_ms)),
        ("compute_due 7 working days over National Day, median / p99 ms", _pair(due_ms, 3)),
    ]


# --- one column: every module in this process's database ---------------------------------


def _module_rows(module: str, echo: Callable[..., None]) -> list[Row]:
    """One module's rows (its `run()`, unchanged)."""
    if module == "http":
        from minsheng.intake import bench_http

        return bench_http.run()
    if module == "foundation":
        return foundation()
    if module == "cases":
        from minsheng.cases import bench as case_list_bench

        return case_list_bench.run(echo=echo)
    if module == "watch":
        from minsheng.supervision import bench as watch_bench

        return watch_bench.run(echo=echo)
    if module == "stats":
        from minsheng.reports import bench as stats_bench

        return stats_bench.run(echo=echo)
    if module == "routing":
        from minsheng.routing import bench as routing_bench

        return routing_bench.run()
    if module == "fault":
        from minsheng.workers import bench as fault_bench

        return fault_bench.run()
    raise ValueError(f"unknown bench module {module!r}")


def collect(column: str, modules: list[str], out: Path) -> None:
    """Run `modules` against this process's database and write their rows to `out` as JSON
    after each one (a module that fails says so in a row; the others still run)."""
    gathered: list[tuple[str, str, str]] = []

    def echo(name: str, figure: str, **_: Any) -> None:
        print(f"[{column}] {name}  {figure}", file=sys.stderr, flush=True)

    def save(module: str, rows: list[Row]) -> None:
        for name, figure in rows:
            gathered.append((module, name, figure))
        out.write_text(json.dumps(gathered, ensure_ascii=False))

    todo = [m for m in MODULES if m in modules and ONCE.get(m, column) == column]
    with tempfile.TemporaryDirectory() as var:
        os.environ["MINSHENG_VAR_DIR"] = var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        os.environ.update(production_environment())
        ready = False
        for module in todo:
            started = time.perf_counter()
            print(f"[{column}] {module} ...", file=sys.stderr, flush=True)
            try:
                if module != "http" and not ready:
                    # In-process modules: a fresh database (on PostgreSQL one in C.UTF-8, as
                    # production's), migrated once; the intake's servers have their own.
                    from minsheng.cases import bench as case_list_bench

                    case_list_bench.utf8_database()
                    import django
                    from django.core.management import call_command

                    django.setup()
                    call_command("migrate", verbosity=0)
                    static_files_collect()
                    ready = True
                rows = _module_rows(module, echo)
            except Exception as error:  # noqa: BLE001 - said in the table, the rest goes on
                traceback.print_exc()
                said = " ".join(f"{type(error).__name__}: {error}".split())
                rows = [(f"{module}: failed (its traceback above the table)", said[:120])]
            for name, figure in rows:
                if module in ("http", "routing", "foundation", "fault"):
                    echo(name, figure)
            save(module, rows)
            elapsed = time.perf_counter() - started
            print(f"[{column}] {module} done in {elapsed:.0f} s", file=sys.stderr, flush=True)


# --- the table -------------------------------------------------------------------------------

_VENDOR = re.compile(r"\b(sqlite|postgresql), |, (sqlite|postgresql)\b|\((sqlite|postgresql)\)")


def _key(name: str) -> str:
    """A row's name without its database, so both columns' rows meet."""
    return _VENDOR.sub("", name)


def _headline(module: str, key: str) -> bool:
    """The scale figures `make bench` leads with."""
    if module == "http":
        return True
    if module != "cases":
        return False
    if key.startswith("similar cases"):
        return "fresh process, snapshot" in key
    picks = (
        ("(handler", "My work, first queue"),
        ("(handler", ": default list"),
        ("(dispatcher", ": state in_progress"),
        ("(dispatcher", ": keyword 噪,"),
        ("(dispatcher", ": keyword 烂尾多年,"),
        ("(dispatcher", ": page 500 (by cursor)"),
        ("(handler", ": department, page 500 (by cursor)"),
    )
    return any(who in key and what in key for who, what in picks)


def table(columns: dict[str, list[tuple[str, str, str]]]) -> list[tuple[str, list[str]]]:
    """Sections of rows: (section or row name, one figure per column); a section's title row
    has no figures."""
    order: dict[str, dict[str, dict[str, str]]] = {HEADLINE: {}}
    for column, rows in columns.items():
        for module, name, figure in rows:
            key = _key(name)
            section = HEADLINE if _headline(module, key) else module
            order.setdefault(section, {}).setdefault(key, {})[column] = figure
    lines: list[tuple[str, list[str]]] = []
    for section, rows_by_key in order.items():
        if not rows_by_key:
            continue
        lines.append((section, []))
        for key, figures in rows_by_key.items():
            lines.append((key, [figures.get(column, "–") for column in columns]))
    return lines


def _print_table(columns: dict[str, list[tuple[str, str, str]]], markdown: bool) -> None:
    lines = table(columns)
    titles = [COLUMN_TITLES[column] for column in columns]
    if markdown:
        print(f"| benchmark | {' | '.join(titles)} |")
        print(f"| --- |{' --- |' * len(titles)}")
        for name, figures in lines:
            if figures:
                print(f"| {name} | {' | '.join(figures)} |")
            else:
                print(f"| **{name}** |{' |' * len(titles)}")
        return
    width = max(len(name) for name, _ in lines)
    widths = [
        max([len(title)] + [len(figures[i]) for _, figures in lines if figures])
        for i, title in enumerate(titles)
    ]
    print(
        f"{'benchmark':<{width}}  "
        + "  ".join(f"{t:<{w}}" for t, w in zip(titles, widths, strict=True))
    )
    print(f"{'-' * width}  " + "  ".join("-" * w for w in widths))
    for name, figures in lines:
        if not figures:
            print(f"\n[{name}]")
            continue
        print(
            f"{name:<{width}}  "
            + "  ".join(f"{f:<{w}}" for f, w in zip(figures, widths, strict=True))
        )


def _column_command(column: str, out: Path, modules: list[str]) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, "-m", "minsheng.bench", "--collect", str(out), "--column", column]
    command += ["--modules", ",".join(modules)]
    env = {**os.environ}
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "MINSHENG_VAR_DIR"):
        env.pop(name, None)
    if column == "postgresql":
        command = [str(ROOT / "scripts/with-postgres"), str(ROOT / "scripts/with-redis"), *command]
    return command, env


def _machine() -> str:
    model = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model})"


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it")
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--modules", default="")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--collect", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--column", default="sqlite", help=argparse.SUPPRESS)
    args = parser.parse_args()
    quick = args.quick or os.environ.get("MINSHENG_BENCH_QUICK") == "1"
    if quick:
        for name, value in QUICK.items():
            os.environ.setdefault(name, value)
    modules = [m for m in args.modules.split(",") if m] or list(QUICK_MODULES if quick else MODULES)
    if os.environ.get("MINSHENG_BENCH_HTTP") == "0" and "http" in modules:
        modules.remove("http")
    if args.collect:
        collect(args.column, modules, args.collect)
        return
    databases = [d for d in args.databases.split(",") if d]
    began, load_before = time.perf_counter(), _load()
    columns: dict[str, list[tuple[str, str, str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for column in databases:
            out = Path(tmp) / f"{column}.json"
            command, env = _column_command(column, out, modules)
            print(f"make bench: {column} column ...", file=sys.stderr, flush=True)
            done = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
            rows = json.loads(out.read_text()) if out.exists() else []
            if done.returncode != 0:
                rows.append(("run", "column", f"stopped: exit {done.returncode}"))
            columns[column] = [(module, name, figure) for module, name, figure in rows]
    minutes = (time.perf_counter() - began) / 60
    cases = int(os.environ.get("MINSHENG_BENCH_CASES", "100000"))
    sizes = f"{cases:,} cases" if {"cases", "watch", "stats"} & set(modules) else "no case load"
    print(
        f"{' '.join(['python -m minsheng.bench', *sys.argv[1:]])}: "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {_machine()}, Python "
        f"{platform.python_version()}; {sizes}{' (quick sizes)' if quick else ''}; "
        f"load average (1/5/15 min) {load_before} before, {_load()} after; {minutes:.0f} min"
    )
    print(LEGEND)
    print()
    _print_table(columns, args.markdown)


if __name__ == "__main__":
    main()
