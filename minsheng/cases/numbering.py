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


# Days per statement of `case_numbers_take` (two parameters a day; SQLite takes 32,766).
DAYS_PER_STATEMENT = 5000


def case_numbers_take(counts: dict[date, int]) -> dict[date, list[str]]:
    """Take the next numbers of each day in `counts` (one for a registration, many for a
    bulk load registered over two years) in one statement. Call inside the transaction that
    creates the cases. The days' counters are locked in date order, so that two loads
    running at once (`load_cases --jobs`) wait for each other instead of deadlocking."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    days = sorted(counts)
    taken: dict[date, list[str]] = {}
    with connection.cursor() as cursor:
        for first in range(0, len(days), DAYS_PER_STATEMENT):
            chunk = days[first : first + DAYS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} (day, last) VALUES "  # noqa: S608 - table name is ours
                + ", ".join(["(%s, %s)"] * len(chunk))
                + f" ON CONFLICT (day) DO UPDATE SET last = {table}.last + excluded.last"
                " RETURNING day, last",
                [value for day in chunk for value in (day, counts[day])],
            )
            for day, last in cursor.fetchall():
                day = day if isinstance(day, date) else date.fromisoformat(day)
                count = counts[day]
                taken[day] = [
                    case_number_format(day, sequence)
                    for sequence in range(last - count + 1, last + 1)
                ]
    return taken
