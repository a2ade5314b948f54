"""Reads that may go to a read replica: the statistics (dashboard, evaluation, public
figures, the monthly report), which scan many rows and can be a little behind.

With `DATABASE_REPLICA_URL` set, settings add the `replica` connection and this router.
Code marks the reads a replica may serve with `replica_reads` (a decorator or a `with`
block); everything else, every write, and every read inside a transaction on the primary
stays on the primary, so a request never reads behind what it wrote itself. Without the
setting, `replica_reads` changes nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_wanted: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside go to the replica, when there is one (`with replica_reads():`,
    or `@replica_reads()` on a function)."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry: reads marked by `replica_reads` go to `replica`."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _wanted.get() or REPLICA not in settings.DATABASES:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # the transaction may hold writes the replica has not seen
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary by replication
