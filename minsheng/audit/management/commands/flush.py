"""manage.py flush, able to empty the audit record on SQLite.

The audit table refuses DELETE (a trigger, migration 0002). PostgreSQL's flush empties
tables with TRUNCATE, which a row trigger does not see; SQLite's flush deletes row by row.
Here flush, and only flush, which empties the whole database, lifts SQLite's triggers for
its own transaction: it drops them, runs Django's flush, and creates them again exactly as
they were, all in one transaction (SQLite's DDL is transactional). The test suite's
transactional tests end with a flush, so they take this path."""

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

AUDIT_TABLE = "audit_auditentry"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AUDIT_TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            for _name, sql in triggers:
                cursor.execute(sql)
