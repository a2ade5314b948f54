"""Case numbers people can read and say on the phone: MS-20261122-000123.

The sequence restarts every day (Asia/Shanghai). One `INSERT … ON CONFLICT DO UPDATE …
RETURNING` takes the next number atomically on SQLite (3.35+) and PostgreSQL alike: the
row lock (PostgreSQL) or the write lock (SQLite, immediate transactions) makes concurrent
submitters queue, and the unique constraint on `Case.number` is the last guard.
"""

from datetime import date

from django.db import connection

from minsheng.cases.models import CaseNumberCounter

PREFIX = "MS"


def case_number_format(day: date, sequence: int) -> str:
    return f"{PREFIX}-{day:%Y%m%d}-{sequence:06d}"


def case_numbers_take(day: date, count: int) -> list[str]:
    """Take the next `count` numbers of `day` (one for a registration, many for a bulk
    load) in one statement. Call inside the transaction that creates the cases."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [day, count, count],
        )
        (last,) = cursor.fetchone()
    return [case_number_format(day, sequence) for sequence in range(last - count + 1, last + 1)]
