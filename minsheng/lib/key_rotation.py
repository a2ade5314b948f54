"""Re-encrypt every sealed value that is not under the current key (`manage.py rotate_keys`).

Safe while the site runs:
- each batch is its own short transaction;
- a value is replaced only if it is still the value that was read (`UPDATE ... WHERE id = %s
  AND col = <old>`), so a row someone changed meanwhile keeps their newer value (which web
  processes write under the current key anyway, once they have the new key list);
- it selects only values that do not start with the current key's prefix, so a second run,
  or a run after an interruption, picks up exactly what is left.

Values without our prefix (clear text from before encryption) are sealed too.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from minsheng.lib.crypto import (
    PREFIX,
    EncryptedBinaryField,
    EncryptedTextField,
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
    encrypt_text,
    key_ring,
)


@dataclass
class ColumnReport:
    """What one rotation did to one encrypted column."""

    label: str  # app_label.Model.field
    pending: int = 0  # values not under the current key when the run started
    rotated: int = 0
    skipped: int = 0  # changed by someone else between read and write; left for them


def encrypted_columns() -> Iterator[tuple[type[models.Model], models.Field]]:  # type: ignore[type-arg]
    """Every concrete encrypted field of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField | EncryptedBinaryField):
                yield model, field


def _where_not_current(column: str, *, binary: bool) -> tuple[str, list[str | bytes]]:
    prefix = f"{PREFIX}:{key_ring().current}:"
    wanted: str | bytes = prefix.encode() if binary else prefix
    return (
        f"{column} IS NOT NULL AND LENGTH({column}) > 0 "
        f"AND SUBSTR({column}, 1, {len(prefix)}) <> %s",
        [wanted],
    )


def pending_count(model: type[models.Model], field: models.Field) -> int:  # type: ignore[type-arg]
    """How many values of this column are not under the current key."""
    quote = connection.ops.quote_name
    binary = isinstance(field, EncryptedBinaryField)
    where, params = _where_not_current(quote(field.column), binary=binary)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} WHERE {where}", params)  # noqa: S608 - quoted names
        return int(cursor.fetchone()[0])


def column_rotate(
    model: type[models.Model],
    field: models.Field,  # type: ignore[type-arg]
    *,
    batch_size: int,
    progress: Callable[[int], object] = lambda n: None,
) -> ColumnReport:
    """Re-encrypt one column under the current key, `batch_size` rows per transaction;
    `progress(n)` is called after each batch with the rows it handled."""
    quote = connection.ops.quote_name
    table, column, pk = (
        quote(model._meta.db_table),
        quote(field.column),
        quote(model._meta.pk.column),  # type: ignore[union-attr]
    )
    binary = isinstance(field, EncryptedBinaryField)
    report = ColumnReport(label=f"{model._meta.label}.{field.name}")
    report.pending = pending_count(model, field)
    where, params = _where_not_current(column, binary=binary)
    last: Any = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = "" if last is None else f" AND {pk} > %s"
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {where}{after} ORDER BY {pk} LIMIT %s",  # noqa: S608 - quoted names
                [*params, *([] if last is None else [last]), batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return report
            for row_pk, old in rows:
                if binary:
                    old = bytes(old)
                    new: str | bytes = encrypt_bytes(decrypt_bytes(old))
                else:
                    new = encrypt_text(decrypt_text(old))
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608 - quoted names
                    [new, row_pk, old],
                )
                if cursor.rowcount:
                    report.rotated += 1
                else:
                    report.skipped += 1
                last = row_pk
        progress(len(rows))
