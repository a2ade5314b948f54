"""Inserting many rows at once (bulk loads: an archive, the benchmark's million cases).

`insert_many` is `bulk_create` for a few rows. A large batch skips building one big INSERT
statement (most of the time `bulk_create` takes, field by field and row by row): on
PostgreSQL it goes by `COPY`, on SQLite by one prepared INSERT run for every row
(`executemany`). Generated ids are taken first (PostgreSQL: from the table's sequence;
SQLite: one past the table's highest, under the write lock the transaction holds), so that
the objects carry them afterwards as `bulk_create` leaves them, and every value passes
through its field's own `pre_save` and `get_db_prep_save` (encryption at rest, JSON,
choices), so a row written this way is the row `save()` would have written.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, connections, models, transaction

# Below this many rows, one INSERT costs less than a sequence read and a COPY.
COPY_FROM = 100


def insert_many(objs: Sequence[models.Model]) -> None:
    """Insert unsaved objects of one model and set their ids."""
    if not objs:
        return
    model = type(objs[0])
    if len(objs) < COPY_FROM or connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_create(objs)
        return
    if connection.vendor == "sqlite":
        _sqlite_insert(model, objs)
        return
    meta = model._meta
    fields = meta.concrete_fields
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if isinstance(meta.pk, models.AutoField | models.BigAutoField):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        real = connections[connection.alias]  # not the per-thread proxy, once per value
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                # A parent saved after it was assigned (case, then its complainants) gives
                # its id to the foreign key here, as in bulk_create.
                obj._prepare_related_fields_for_save(operation_name="insert_many")  # type: ignore[attr-defined]
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(obj, add=True), real)
                        for field in fields
                    ]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _has_generated_id(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField | models.BigAutoField)


@transaction.atomic(savepoint=False)
def _sqlite_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """One INSERT prepared once and run for every row. The transaction holds SQLite's one
    write lock (immediate transactions), so no other writer takes an id between the read of
    the highest and the insert; a deferred transaction that another writer overtook fails
    to write (SQLITE_BUSY) rather than reuse an id. Ids go past `sqlite_sequence` as well,
    so an id of a deleted row is never given again (AUTOINCREMENT's promise)."""
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if _has_generated_id(model):
            pk = quote(meta.pk.column)
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 - quoted names
                f"coalesce((SELECT max({pk}) FROM {table}), 0))",
                [meta.db_table],
            )
            (last,) = cursor.fetchone()
            for offset, obj in enumerate(objs, 1):
                obj.pk = last + offset
        rows = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert_many")  # type: ignore[attr-defined]
            rows.append(
                [
                    field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                    for field in fields
                ]
            )
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


@contextmanager
def gin_indexes_deferred(models_: Iterable[type[models.Model]]) -> Iterator[list[str]]:
    """On PostgreSQL, drop the GIN indexes of these models' tables (keyword search), let the
    caller load, and build them again (yields their definitions). A GIN index takes a large load row
    by row at several times the cost of building it once over the loaded table. Meanwhile
    keyword search reads every row: for a database being filled (a benchmark, a first
    import), not one in service. The indexes are built again if the load fails too; a
    process killed meanwhile leaves them missing (`manage.py migrate` does not make them
    again: run the definitions). Nothing to do on SQLite (FTS5 is no GIN)."""
    if connection.vendor != "postgresql":
        yield []
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s) "
            "AND indexdef LIKE '%%USING gin%%'",
            [tables],
        )
        gin = cursor.fetchall()
        for name, _ in gin:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield [definition for _, definition in gin]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in gin:
                cursor.execute(definition)
