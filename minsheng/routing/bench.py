"""Routing benchmarks: `python -m minsheng.routing.bench` prints a table; `run()` returns
the rows for `make bench`.

What is measured:
- dev macro-F1 and accuracy of the shipped model (minsheng/routing/artifacts/);
- suggestion latency over the dev rows, one case per call: `suggestion_for` end to end,
  INCLUDING its database reads (active-model check, 10 keyword rules, level-1 categories
  on an in-memory SQLite test database), and the model alone (`Router.predict_top`);
- full retrain: `router_train` on train.csv (no feedback), evaluation on dev.csv and
  writing the artifact, into a temporary folder;
- serving memory: resident-set growth of a fresh process from before loading to after
  loading the model and answering one suggestion (libraries' import counted separately);
- the shipped artifact's size on disk.

Figures that need the shared data say "n/a" on a machine without it.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import django

BenchRow = tuple[str, str]

_MEMORY_PROBE = """
import json, sys, psutil
from pathlib import Path
process = psutil.Process()
start = process.memory_info().rss
from minsheng.routing import model
imported = process.memory_info().rss
router = model.load(Path(sys.argv[1]))
router.predict_top("小区物业乱收费", "物业公司长期乱收费，楼顶漏水无人处理。")
loaded = process.memory_info().rss
print(json.dumps({"imports": imported - start, "model": loaded - imported, "total": loaded}))
"""

RULE_KEYWORDS = ["噪音", "垃圾", "公交", "学校", "医保", "物业", "拖欠工资", "景区", "疫苗", "违建"]


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def _ms(seconds: list[float], q: float) -> str:
    ordered = sorted(seconds)
    value = ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return f"{value * 1000:.1f} ms"


def _memory(artifact: Path) -> list[BenchRow]:
    output = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", _MEMORY_PROBE, str(artifact)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return [
        ("serving memory: model (RSS after load + 1 suggestion)", _mib(figures["model"])),
        ("serving memory: numpy/scipy/sklearn/rjieba imports", _mib(figures["imports"])),
        ("serving memory: whole probe process", _mib(figures["total"])),
    ]


def _with_test_database(body):  # type: ignore[no-untyped-def]
    """Run `body()` against a fresh, migrated test database (in memory on SQLite)."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return body()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _seed_routing() -> None:
    """Level-1 categories with departments and ten keyword rules, as an administrator
    would set them up, so `suggestion_for` does its real database work."""
    from minsheng.accounts.models import Department
    from minsheng.cases.models import Category
    from minsheng.routing.models import RoutingRule
    from minsheng.routing.selectors import router_active

    for i, name in enumerate(router_active()[1].labels):
        department = Department.objects.create(name=f"{name}部门", code=f"bench-{i}")
        Category.objects.create(name=name, level=1, department=department)
    environment = Category.objects.get(name="环境保护", level=1)
    for i, keyword in enumerate(RULE_KEYWORDS):
        # Keywords no dev message contains, so every rule is tried on every call.
        RoutingRule.objects.create(keywords=f"{keyword}#{i}", category=environment, priority=i)


def _latency_and_retrain(dev_texts: list[tuple[str, str]]) -> list[BenchRow]:
    from django.test import override_settings

    from minsheng.routing import datasets, selectors, services

    rows: list[BenchRow] = []
    _seed_routing()
    services.suggestion_for(subject="预热", body="加载模型")  # load outside the timing
    whole: list[float] = []
    for subject, body in dev_texts:
        started = time.perf_counter()
        services.suggestion_for(subject=subject, body=body)
        whole.append(time.perf_counter() - started)
    _version, router = selectors.router_active()
    alone: list[float] = []
    for subject, body in dev_texts:
        started = time.perf_counter()
        router.predict_top(subject, body)
        alone.append(time.perf_counter() - started)
    n = len(dev_texts)
    rows += [
        (f"suggestion_for incl. DB, p50 ({n} dev rows)", _ms(whole, 0.5)),
        (f"suggestion_for incl. DB, p99 ({n} dev rows)", _ms(whole, 0.99)),
        ("model alone (predict_top), p50", _ms(alone, 0.5)),
        ("model alone (predict_top), p99", _ms(alone, 0.99)),
    ]
    if datasets.has_split("train"):
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(ROUTING_ARTIFACT_DIR=folder),
        ):
            started = time.perf_counter()
            result = services.router_train(use_shared=True, use_feedback=False)
            seconds = time.perf_counter() - started
        rows.append(("full retrain (train.csv → fit → dev eval → save)", f"{seconds:.1f} s"))
        if result.dev is not None:
            rows.append(("  retrained model dev macro-F1", f"{result.dev['macro_f1']:.4f}"))
    else:
        rows.append(("full retrain", "n/a (no shared data)"))
    return rows


def _hot_topics() -> list[BenchRow]:
    """Hot topics on the public board file (hot_topics.csv): one run over the whole file."""
    from minsheng.routing import datasets, hot_topics

    path = datasets.shared_data_dir() / "hot_topics.csv"
    if not path.is_file():
        return [("hot topics on hot_topics.csv", "n/a (no shared data)")]
    items = hot_topics.board_items(path)
    end = max(item.at for item in items) + timedelta(seconds=1)
    run = hot_topics.topics_find(items, start=min(item.at for item in items), end=end)
    top = run.topics[0] if run.topics else None
    return [
        (f"hot topics: run time on hot_topics.csv ({run.items} messages)", f"{run.seconds:.1f} s"),
        ("hot topics: share of messages in a topic", f"{run.grouped_share:.0%}"),
        ("hot topics: hottest topic", " ".join(top.terms[:3]) if top else "none"),
    ]


def run() -> list[BenchRow]:
    """Measure and return (name, figure) rows."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    django.setup()
    from minsheng.routing import datasets, model, selectors

    artifact = selectors.DEFAULT_ARTIFACT
    rows: list[BenchRow] = [("shipped artifact size", f"{artifact.stat().st_size / 1e6:.1f} MB")]
    rows += _memory(artifact)
    started = time.perf_counter()
    router = model.load(artifact)
    rows.append(("shipped model load time", f"{time.perf_counter() - started:.1f} s"))
    if not datasets.has_split("dev"):
        rows.append(("dev scores and latency", "n/a (no shared data)"))
        return rows
    dev = datasets.labelled_split("dev")
    scores = model.evaluate(router, dev.texts, dev.labels)
    rows.append(
        (f"shipped model dev macro-F1 ({scores['rows']} rows)", f"{scores['macro_f1']:.4f}")
    )
    rows.append(("shipped model dev accuracy", f"{scores['accuracy']:.4f}"))
    rows += _with_test_database(lambda: _latency_and_retrain(dev.texts))
    rows += _hot_topics()
    return rows


def _print(rows: list[BenchRow]) -> None:
    width = max(len(name) for name, _figure in rows)
    print(f"{'routing benchmark':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 12}")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    _print(run())
