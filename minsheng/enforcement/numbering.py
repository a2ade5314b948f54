"""Enforcement numbers people can read and say: ZF-20261206-0001 (执法, per day, Asia/Shanghai).

The same single statement as `cases.numbering` (`INSERT … ON CONFLICT DO UPDATE … RETURNING`,
atomic on SQLite and PostgreSQL), on this app's own counter so the two sequences stay apart.
"""

from datetime import date

from django.db import connection

from minsheng.enforcement.models import EnforcementNumberCounter

PREFIX = "ZF"


def enforcement_number_take(day: date) -> str:
    """Take the next number of `day`. Call inside the transaction that creates the case."""
    table = connection.ops.quote_name(EnforcementNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"{PREFIX}-{day:%Y%m%d}-{last:04d}"
