"""`make bench`: the benchmarks, printed as a table of medians and ratios.

Runs against a throwaway SQLite database in a temporary directory (or DATABASE_URL when
set), so it never touches var/. Figures are medians over repeated runs: the machines are
shared and noisy, so compare ratios rather than single numbers.
"""

import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from importlib import util

ROUNDS = 200


def _median_ms(fn: Callable[[], object], rounds: int = ROUNDS) -> tuple[float, float]:
    """Median and 99th percentile of `fn`'s wall time in milliseconds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def _pair(figures: tuple[float, float], digits: int = 2) -> str:
    return f"{figures[0]:.{digits}f} / {figures[1]:.{digits}f}"


def foundation() -> list[tuple[str, str]]:
    """Case registration, lifecycle actions, allowed actions and due-date arithmetic."""
    from datetime import UTC, datetime

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
    accept_ms = _median_ms(lambda: perform(case=next(cases), action=Act.ACCEPT, actor=intake))
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


def main() -> None:
    with tempfile.TemporaryDirectory() as var:
        os.environ.setdefault("MINSHENG_VAR_DIR", var)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        rows = foundation()
        if util.find_spec("minsheng.routing.bench") is not None:
            from minsheng.routing import bench as routing_bench

            rows += routing_bench.run()
        # The case list at MINSHENG_BENCH_CASES cases (100,000 by default); a million: see
        # the README, "Case list at scale".
        from minsheng.cases import bench as case_list_bench

        rows += case_list_bench.run()
        # The deadline watch over as many cases again, each open one with a running clock.
        from minsheng.supervision import bench as watch_bench

        rows += watch_bench.run()
        # One month's statistics dashboard over as many cases again, with clocks and events;
        # a million: see the README, "Statistics".
        from minsheng.reports import bench as stats_bench

        rows += stats_bench.run()
        # The fault run (killed web process and worker) at MINSHENG_BENCH_FAULT cases, opt-in:
        # it starts its own PostgreSQL, Redis and processes (minsheng/workers/bench.py).
        from minsheng.workers import bench as fault_bench

        rows += fault_bench.run()
    if os.environ.get("MINSHENG_BENCH_HTTP") == "1":
        # Public intake over HTTP (gunicorn, the task worker, a bare-insert floor): a few
        # minutes, and servers of its own, so opt-in. See minsheng/intake/bench_http.py.
        from minsheng.intake import bench_http

        rows += bench_http.run()
    width = max(len(name) for name, _ in rows)
    print(f"{'benchmark':<{width}}  figure")
    print(f"{'-' * width}  ------")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    main()
