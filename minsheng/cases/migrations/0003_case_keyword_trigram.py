"""Trigram indexes for the case list's keyword search, on PostgreSQL only.

The keyword filter is `subject__icontains | body__icontains`, which Django writes as
`UPPER(col::text) LIKE UPPER('%word%')`; GIN indexes with pg_trgm's operator class over
exactly those expressions let PostgreSQL find the matching rows without reading every
body. pg_trgm only sees Chinese characters as word characters when the database's
LC_CTYPE is a UTF-8 locale (e.g. C.UTF-8 or zh_CN.UTF-8), not under plain C; and a
pattern needs at least three characters to use the index. On SQLite nothing happens.
If a concurrent build fails it leaves an INVALID index: drop it and migrate again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEXES = {
    "case_subject_trgm": "UPPER((subject)::text) gin_trgm_ops",
    "case_body_trgm": "UPPER(body) gin_trgm_ops",
}


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON cases_case USING gin ({expression})"
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building these over a large table takes minutes (about 6 at a million
    # cases, see README) and must not block new cases meanwhile; it cannot run inside a
    # transaction.
    atomic = False

    dependencies = [("cases", "0002_case_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
