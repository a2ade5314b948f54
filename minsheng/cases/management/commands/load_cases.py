"""Load N synthetic cases through the bulk registration path, for benchmarks and trials:
`load_cases N [--days 730] [--batch 2000] [--jobs CORES] [--seed 3]`.

Texts are real ones from the shared data (`../shared/data/train.csv`, else a few made-up
ones), kinds and channels in the case-list bench's proportions, one complainant each, and
registration times spread over the last `--days` days. Each case is worked out as
`submission_register` works one out and written `--batch` at a time
(`intake.services.drafts_register`): numbers, clocks, events with their audit entries,
encrypted personal data and search rows, as for any registration. Only for a database you
may fill: every case is real to the application.

`--jobs` processes (default: the machine's cores) each work out and write whole batches,
one transaction a batch, as many loads running at once would: the days' number counters
are taken in date order and the audit chain is appended under its head's lock
(`audit.services.entries_append`), so the numbers and the chain come out as one process
would leave them, and a batch is written whole or not at all. Each batch draws its cases
from its own seed, so the same `--seed` loads the same cases whatever `--jobs` is.

`--defer-search-index` (PostgreSQL) drops the keyword search's GIN indexes for the load and
builds them once after it (`lib.bulk.gin_indexes_deferred`): for a database being filled,
not one in service, since a search meanwhile reads every row.
"""

import gc
import multiprocessing
import os
import random
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.utils import timezone
from tqdm import tqdm

from minsheng.cases.bench import CHANNELS, KINDS, _choice, _texts
from minsheng.cases.services import PersonInput, Submission
from minsheng.intake.services import drafts_register, submission_draft
from minsheng.lib.bulk import gin_indexes_deferred

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass(frozen=True)
class Load:
    """What every batch of one load shares."""

    texts: list[tuple[str, str]]
    now: datetime
    span_seconds: int
    seed: int


_load: Load | None = None  # the load a worker process serves (set before it forks)


def batch_load(load: Load, index: int, size: int) -> int:
    """Work out and register batch `index` of `load` (`size` cases, from its own seed), in
    one transaction; returns how many cases it registered."""
    rng = random.Random(f"{load.seed}:{index}")  # noqa: S311 - synthetic data, repeatable
    drafts = []
    for _ in range(size):
        subject, body = load.texts[rng.randrange(len(load.texts))]
        submission = Submission(
            kind=_choice(rng, KINDS),
            channel=_choice(rng, CHANNELS),
            subject=subject,
            body=body,
            people=[
                PersonInput(
                    name=rng.choice(SURNAMES) + rng.choice(SURNAMES),
                    phone=f"139{rng.randrange(10**8):08d}",
                )
            ],
        )
        registered_at = load.now - timedelta(seconds=rng.randrange(load.span_seconds))
        drafts.append(submission_draft(submission=submission, registered_at=registered_at))
    drafts_register(drafts=drafts, actor=None)
    return size


def in_memory_database() -> bool:
    """Whether the database lives in this process's memory (SQLite's test database)."""
    return connection.vendor == "sqlite" and cast(SQLiteWrapper, connection).is_in_memory_db()


def _worker_batch(batch: tuple[int, int]) -> int:
    assert _load is not None  # noqa: S101 - set in the parent before the pool forks
    return batch_load(_load, *batch)


class Command(BaseCommand):
    help = "Register N synthetic cases through the bulk registration path, with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--days", type=int, default=730, help="registered over these days")
        parser.add_argument("--batch", type=int, default=2000, help="cases per transaction")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="processes working out and writing batches (default: the cores)",
        )
        parser.add_argument("--seed", type=int, default=3, help="random seed (repeatable)")
        parser.add_argument(
            "--defer-search-index",
            action="store_true",
            help="PostgreSQL: drop the keyword-search (GIN) indexes during the load and build "
            "them once after it (faster; for a database not in service)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        global _load
        count, batch, jobs = options["count"], options["batch"], options["jobs"]
        if count < 1 or batch < 1 or options["days"] < 1 or jobs < 1:
            raise CommandError("count, --batch, --days and --jobs must be at least 1.")
        load = Load(
            texts=_texts(),
            now=timezone.now(),
            span_seconds=options["days"] * 86400,
            seed=options["seed"],
        )
        batches = [
            (index, min(batch, count - first)) for index, first in enumerate(range(0, count, batch))
        ]
        jobs = min(jobs, len(batches))
        if connection.in_atomic_block or in_memory_database():
            # Other processes could not see the caller's uncommitted rows, nor an in-memory
            # database (tests): one process then.
            jobs = 1
        # Everything loaded so far lives as long as the process: the collector need not
        # walk it again and again while batches come and go.
        gc.collect()
        gc.freeze()
        started = time.perf_counter()
        deferred: AbstractContextManager[list[str]] = nullcontext([])
        if options["defer_search_index"]:
            deferred = gin_indexes_deferred(apps.get_app_config("cases").get_models())
        with deferred as dropped, tqdm(total=count, unit="case", disable=None) as bar:
            if dropped:
                self.stdout.write(
                    "Search indexes dropped for the load, built again after it (should the "
                    "load be killed, build them with):\n" + ";\n".join(dropped) + ";"
                )
            if jobs == 1:
                for index, size in batches:
                    bar.update(batch_load(load, index, size))
            else:
                # The workers are forked: each opens its own connection, none inherits ours.
                connections.close_all()
                _load = load
                context = multiprocessing.get_context("fork")
                with context.Pool(jobs) as pool:
                    for done in pool.imap_unordered(_worker_batch, batches):
                        bar.update(done)
                _load = None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{count} cases in {seconds:.1f} s ({count / seconds:.0f} a second, {jobs} jobs)"
        )
