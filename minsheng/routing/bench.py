"""Routing benchmarks: `python -m minsheng.routing.bench` prints a table; `run()` returns
the rows for `make bench`.

What is measured:
- dev macro-F1 and accuracy of the shipped model (minsheng/routing/artifacts/);
- the automatic-dispatch replay (`replay`): the dev split as matters arriving in order, the
  dev labels playing the dispatchers' corrections, thresholds for 98 % and 99 % chosen from
  the model's held-out (cross-validated train.csv) predictions only; the share dispatched
  automatically and the precision measured on it;
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

import csv
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from minsheng.routing.datasets import Labelled
    from minsheng.routing.model import Router

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


REPLAY_PRECISIONS = (0.98, 0.99)
REPLAY_WINDOW = 100


@dataclass(frozen=True)
class Replay:
    """Automatic dispatch at one precision, replayed over labelled matters in order: the
    threshold (from held-out predictions only), the share the held-out rows promised, the
    share dispatched and the precision measured on it (wrong = a dispatcher would have
    corrected it), and the lowest precision over any `REPLAY_WINDOW` consecutive automatic
    dispatches (what a drift watch on recent cases would see)."""

    precision: float
    threshold: float | None
    expected_share: float
    rows: int
    dispatched: int
    wrong: int
    worst_window: float | None

    @property
    def share(self) -> float:
        return self.dispatched / self.rows if self.rows else 0.0

    @property
    def measured_precision(self) -> float | None:
        return 1 - self.wrong / self.dispatched if self.dispatched else None


def replay(
    router: "Router",
    texts: Sequence[tuple[str, str]],
    labels: Sequence[str],
    *,
    precisions: Sequence[float] = REPLAY_PRECISIONS,
) -> list[Replay]:
    """Replay automatic dispatch over `texts` in order with `router`, its thresholds taken
    from its held-out predictions (never from the replayed rows); each label is what the
    dispatcher would have corrected the matter to."""
    from minsheng.routing import calibration, model

    held_out = router.metadata.get("held_out")
    if not held_out:
        raise ValueError("This model keeps no held-out predictions to choose thresholds from.")
    predictions = calibration.held_out_decode(held_out)
    arrived = model.evaluation(router, texts, labels)
    results = []
    for precision in precisions:
        point = calibration.operating_point(
            predictions.confidence, predictions.correct, precision=precision
        )
        outcomes: list[bool] = []  # per automatic dispatch, in arrival order: held or not
        replayed = arrived.predictions
        for confidence, correct in zip(replayed.confidence, replayed.correct, strict=True):
            if point.threshold is not None and confidence >= point.threshold:
                outcomes.append(bool(correct))
        windows = [
            sum(outcomes[i : i + REPLAY_WINDOW]) / REPLAY_WINDOW
            for i in range(len(outcomes) - REPLAY_WINDOW + 1)
        ]
        results.append(
            Replay(
                precision=precision,
                threshold=point.threshold,
                expected_share=point.share,
                rows=len(labels),
                dispatched=len(outcomes),
                wrong=outcomes.count(False),
                worst_window=min(windows) if windows else None,
            )
        )
    return results


def _replay_rows(router: "Router", dev: "Labelled") -> list[BenchRow]:
    rows: list[BenchRow] = []
    for result in replay(router, dev.texts, dev.labels):
        name = f"replay at {result.precision:.0%}"
        measured = result.measured_precision
        rows += [
            (
                f"{name}: threshold (from CV on train.csv), expected share",
                f"{result.threshold:.4f}, {result.expected_share:.1%}"
                if result.threshold is not None
                else "none reaches it",
            ),
            (
                f"{name}: auto-dispatched share of {result.rows} dev matters",
                f"{result.share:.1%} ({result.dispatched})",
            ),
            (
                f"{name}: measured precision (wrong dispatches)",
                f"{measured:.2%} ({result.wrong})" if measured is not None else "n/a",
            ),
            (
                f"{name}: lowest precision over {REPLAY_WINDOW} consecutive auto-dispatches",
                f"{result.worst_window:.0%}" if result.worst_window is not None else "n/a",
            ),
        ]
    return rows


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


DUPLICATE_CORPUS = 100_000
DUPLICATE_QUERIES = 1_000
_CLAUSE = re.compile(r"(?<=[。！？；，,!?;])")
_PLACE_CODE = re.compile(r"[A-Z]\d{0,2}(?=[市区县])")


def _real_texts() -> list[tuple[str, str]]:
    """(subject, body) of every message in the shared data's three message files."""
    from minsheng.routing import datasets

    texts = []
    for name in ("messages_labeled.csv", "hot_topics.csv", "replies.csv"):
        with (datasets.shared_data_dir() / name).open(encoding="utf-8") as f:
            texts += [(row["subject"], row["body"]) for row in csv.DictReader(f)]
    return texts


def _varied(rng: random.Random, texts: list[tuple[str, str]]) -> tuple[str, str]:
    """Another citizen's take on a real message: a fifth of its clauses dropped, the
    anonymised place codes (A市, K8县) changed, sometimes part of another message added."""
    subject, body = texts[rng.randrange(len(texts))]
    clauses = [c for c in _CLAUSE.split(body) if c]
    kept = [c for c in clauses if rng.random() > 0.2] or clauses[:1]

    def place(_match: re.Match[str]) -> str:
        return rng.choice("ABCDEFGHIJKLMN") + str(rng.randint(1, 9))

    body = _PLACE_CODE.sub(place, "".join(kept))
    if rng.random() < 0.3:
        body += texts[rng.randrange(len(texts))][1][: rng.randint(20, 120)]
    return _PLACE_CODE.sub(place, subject), body


def _synthetic_open_cases(n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """`n` open-case texts (every real message once, then variations of them) and
    `DUPLICATE_QUERIES` re-posts to look up."""
    real = _real_texts()
    rng = random.Random(20261201)  # noqa: S311 - reproducible test data, not secrets
    corpus = real[:n] + [_varied(rng, real) for _ in range(n - min(n, len(real)))]
    return corpus, [_varied(rng, real) for _ in range(DUPLICATE_QUERIES)]


def _real_reposts_ranked_first() -> str:
    """Of the real re-posts in messages_labeled.csv (dup_group of 2+), how many find a
    message of their own group first among all the others (index + exact rescoring)."""
    from minsheng.routing import datasets, duplicates

    with (datasets.shared_data_dir() / "messages_labeled.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [duplicates.case_text(r["subject"], r["body"]) for r in rows]
    groups = [r["dup_group"] for r in rows]
    sizes = Counter(groups)
    index = duplicates.DuplicateIndex.build(list(range(len(texts))), texts)
    queries = [i for i, g in enumerate(groups) if sizes[g] > 1]
    first = 0
    for i in queries:
        vector = index.vector(texts[i])
        hits = index.search(vector, exclude=[i])
        exact = index.weights.similarity(vector, [texts[h.case_id] for h in hits])
        first += bool(hits) and groups[hits[int(exact.argmax())].case_id] == groups[i]
    return f"{first} / {len(queries)}"


def _duplicate_lookup_with_database(
    corpus: list[tuple[str, str]], queries: list[tuple[str, str]]
) -> list[BenchRow]:
    """`similar_open_cases` end to end over `corpus` as open cases in the database:
    index refresh (a case is registered before every tenth lookup), search, reading the
    candidates the dispatcher may see, exact scores."""
    from django.utils import timezone

    from minsheng.accounts.models import Role
    from minsheng.accounts.services import user_create
    from minsheng.cases.models import Case
    from minsheng.cases.services import PersonInput, Submission, case_create
    from minsheng.routing import selectors

    now = timezone.now()
    Case.objects.bulk_create(
        (
            Case(
                number=f"MS-BENCH-{i:07d}",
                query_code_hash="-",
                kind="complaint",
                channel="web",
                subject=subject[:200],
                body=body,
                respondent=f"单位{i % 5000}",
                created_at=now,
                updated_at=now,
            )
            for i, (subject, body) in enumerate(corpus)
        ),
        batch_size=5000,
    )
    dispatcher = user_create(
        username="bench-dispatcher",
        password=secrets.token_urlsafe(),
        roles=[(Role.DISPATCHER, None)],
    )
    selectors.duplicate_index_reset()
    started = time.perf_counter()
    # The first lookup starts the build in the background (above the sync limit).
    selectors.similar_open_cases(
        matter=selectors.Matter(subject="预热", body="建立索引"), user=dispatcher
    )
    selectors.duplicate_index_wait()
    build = time.perf_counter() - started
    seconds = []
    for number, (subject, body) in enumerate(queries):
        if number % 10 == 0:  # cases keep arriving: the lookup after adds them (refresh)
            case_create(
                submission=Submission(
                    kind="complaint",
                    subject=subject[:200],
                    body=body,
                    people=[PersonInput(name="市民", phone=f"139{number:08d}")],
                ),
                actor=None,
            )
        matter = selectors.Matter(subject=subject, body=body, respondent="单位1")
        started = time.perf_counter()
        selectors.similar_open_cases(matter=matter, user=dispatcher)
        seconds.append(time.perf_counter() - started)
    selectors.duplicate_index_reset()
    n = len(corpus)
    return [
        (f"duplicates incl. DB: index build from {n:,} open cases", f"{build:.1f} s"),
        ("duplicates incl. DB: similar_open_cases p50 (a new case every 10)", _ms(seconds, 0.5)),
        ("duplicates incl. DB: similar_open_cases p99", _ms(seconds, 0.99)),
    ]


def _duplicates() -> list[BenchRow]:
    """Duplicate lookup among 100,000 open cases made from the real messages: index build
    time and memory, lookup p50/p99 (index alone, then end to end with the database),
    and how often a real re-post finds its original first."""
    import gc

    import psutil

    from minsheng.routing import datasets, duplicates

    if not (datasets.shared_data_dir() / "messages_labeled.csv").is_file():
        return [("duplicate lookup among 100,000 open cases", "n/a (no shared data)")]
    corpus, queries = _synthetic_open_cases(DUPLICATE_CORPUS)
    texts = [duplicates.case_text(subject, body) for subject, body in corpus]
    gc.collect()
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    index = duplicates.DuplicateIndex.build(list(range(len(texts))), texts)
    build = time.perf_counter() - started
    gc.collect()
    grown = process.memory_info().rss - before
    seconds = []
    for subject, body in queries:
        started = time.perf_counter()
        vector = index.vector(duplicates.case_text(subject, body))
        hits = index.search(vector)
        index.weights.similarity(vector, [texts[h.case_id] for h in hits])
        seconds.append(time.perf_counter() - started)
    memory = index.memory_bytes
    del index
    n = len(corpus)
    rows = [
        (f"duplicates: index build, {n:,} open cases", f"{build:.1f} s"),
        ("duplicates: index arrays in memory", _mib(memory)),
        ("duplicates: RSS growth while building (process)", _mib(grown)),
        (f"duplicates: lookup p50 ({len(queries)} re-posts, index + rescoring)", _ms(seconds, 0.5)),
        ("duplicates: lookup p99 (target <= 50 ms)", _ms(seconds, 0.99)),
        ("duplicates: real re-posts (dup_group) ranked first", _real_reposts_ranked_first()),
    ]
    return rows + _with_test_database(lambda: _duplicate_lookup_with_database(corpus, queries))


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
        return rows + _duplicates()
    dev = datasets.labelled_split("dev")
    scores = model.evaluate(router, dev.texts, dev.labels)
    rows.append(
        (f"shipped model dev macro-F1 ({scores['rows']} rows)", f"{scores['macro_f1']:.4f}")
    )
    rows.append(("shipped model dev accuracy", f"{scores['accuracy']:.4f}"))
    rows += _replay_rows(router, dev)
    rows += _with_test_database(lambda: _latency_and_retrain(dev.texts))
    rows += _hot_topics()
    rows += _duplicates()
    return rows


def _print(rows: list[BenchRow]) -> None:
    width = max(len(name) for name, _figure in rows)
    print(f"{'routing benchmark':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 12}")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    _print(run())
