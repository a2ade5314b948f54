"""Inserting many rows at once (bulk loads: an archive, the benchmark's million cases).

`insert_many` is `bulk_create` for a few rows and on SQLite. On PostgreSQL a large batch
goes by `COPY`, which skips building one big INSERT statement (most of the time
`bulk_create` takes): generated ids are taken from the table's sequence first, so that the
objects carry them afterwards as `bulk_create` leaves them, and every value passes through
its field's own `pre_save` and `get_db_prep_save` (encryption at rest, JSON, choices), so a
row written by COPY is the row `save()` would have written.
"""

from collections.abc import Sequence

from django.db import connection, connections, models

# Below this many rows, one INSERT costs less than a sequence read and a COPY.
COPY_FROM = 100


def insert_many(objs: Sequence[models.Model]) -> None:
    """Insert unsaved objects of one model and set their ids."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs)
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
