"""The fault run at scale (opt-in: it starts its own PostgreSQL, Redis, web processes and
workers, and takes many minutes): `MINSHENG_BENCH_FAULT=3000 make bench`, or alone

    MINSHENG_BENCH_FAULT=3000 .venv/bin/python -m minsheng.workers.bench

The steps and the checks are tests/production/fault_harness.py's (the fault test in `make
test` runs 200 cases); this prints how many cases were answered and complete, the
messages, how long after the burst the last one was sent, and any problem found.
"""

import os
import sys
import tempfile
from pathlib import Path

CONCURRENCY = 16


def run() -> list[tuple[str, str]]:
    """The fault run's figures as bench rows ([] unless MINSHENG_BENCH_FAULT is set)."""
    cases = int(os.environ.get("MINSHENG_BENCH_FAULT", "0") or 0)
    if cases <= 0:
        return []
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))  # tests/ is not a package of the installed project
    from tests.production.fault_harness import fault_run, missing_binaries

    why_not = missing_binaries()
    if why_not:
        return [("fault run", f"n/a ({why_not})")]
    with tempfile.TemporaryDirectory() as workdir:
        outcome = fault_run(
            cases=cases, concurrency=CONCURRENCY, workdir=Path(workdir), settle_seconds=1800
        )
    figures = outcome.figures
    label = f"fault run, {cases} cases at concurrency {CONCURRENCY}"
    return [
        (
            f"{label}: answered / complete / unanswered",
            f"{len(outcome.answered)} / {len(outcome.answered)} / {outcome.unanswered}"
            if not outcome.problems
            else f"{len(outcome.answered)} / see problems / {outcome.unanswered}",
        ),
        (
            f"{label}: submissions per second (kills included)",
            f"{cases / outcome.load_seconds:.0f}",
        ),
        (
            f"{label}: messages sent / failed / waiting",
            f"{figures['statuses'].get('sent', 0)} / {figures['statuses'].get('failed', 0)} / "
            f"{sum(n for s, n in figures['statuses'].items() if s not in ('sent', 'failed'))}",
        ),
        (f"{label}: last message sent, seconds after the burst", f"{outcome.settle_seconds:.0f}"),
        (
            f"{label}: repeats after a dead worker / reminders / made again by extra sweeps",
            f"{figures['duplicates_after_a_dead_worker']} / {figures['reminders']} / "
            f"{figures['reminders_added_by_extra_sweeps']}",
        ),
        (
            f"{label}: worker killed in job / that job now / abandoned jobs run again",
            f"{bool(figures.get('killed_in_job'))} / {figures.get('killed_job_status') or '-'} / "
            f"{figures['abandoned_jobs_retried']}",
        ),
        (f"{label}: problems", "; ".join(outcome.problems[:5]) or "none"),
    ]


if __name__ == "__main__":
    for name, figure in run():
        print(f"{name}  {figure}")
