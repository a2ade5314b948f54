"""Writes to the working-day calendar and the deadline policies. Each one ends with
`deadlines_changed`, so that every process drops its cached copy (`selectors`)."""

import datetime
from collections.abc import Iterable

import chinese_calendar
from django.db import transaction
from django.db.models import F

from minsheng.deadlines.models import CalendarDay, DeadlinesVersion
from minsheng.deadlines.selectors import VERSION_ID, deadlines_cache_clear


def deadlines_changed() -> None:
    """Move the calendar-and-policies version on, in the caller's transaction: every process
    re-reads both within a second of the commit (`selectors.FRESH_SECONDS`), and this one at
    once. Call it from every write to CalendarDay or DeadlinePolicy, bulk ones included."""
    if not DeadlinesVersion.objects.filter(pk=VERSION_ID).update(version=F("version") + 1):
        DeadlinesVersion.objects.get_or_create(pk=VERSION_ID, defaults={"version": 1})
    deadlines_cache_clear()
    # And again once committed: a registration in this process between the two must not
    # keep what it read before the commit as if it were the new version.
    transaction.on_commit(deadlines_cache_clear)


def _package_days(years: set[int] | None) -> dict[datetime.date, tuple[bool, str]]:
    """The package's overrides as {date: (is_workday, Chinese name)}.

    Holidays are kept even on weekends, for their names; make-up days only on weekends,
    since a working weekday needs no row.
    """
    days: dict[datetime.date, tuple[bool, str]] = {}
    for d, value in chinese_calendar.holidays.items():
        days[d] = (False, chinese_calendar.Holiday(value).chinese)
    for d, value in chinese_calendar.workdays.items():
        if d.weekday() >= 5:
            days[d] = (True, chinese_calendar.Holiday(value).chinese)
    return {d: v for d, v in days.items() if years is None or d.year in years}


@transaction.atomic
def calendar_seed_from_package(*, years: Iterable[int] | None = None) -> int:
    """Add the holidays and make-up days (调休) the `chinese_calendar` package knows.

    Only missing dates are created; a date that already has a row is left as it is, because
    an administrator may have corrected it. Returns how many rows were created.
    """
    wanted = _package_days(set(years) if years is not None else None)
    existing = set(CalendarDay.objects.filter(date__in=list(wanted)).values_list("date", flat=True))
    created = 0
    for d in sorted(wanted.keys() - existing):
        is_workday, name = wanted[d]
        day = CalendarDay(date=d, is_workday=is_workday, name=name)
        day.full_clean()
        day.save()
        created += 1
    if created:
        deadlines_changed()
    return created


@transaction.atomic
def calendar_day_set(*, date: datetime.date, is_workday: bool, name: str) -> CalendarDay:
    """Make `date` a working day or a day off, creating or updating its row."""
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        day = CalendarDay(date=date, is_workday=is_workday, name=name)
        day.full_clean()
        day.save()
    else:
        day.is_workday = is_workday
        day.name = name
        day.full_clean()
        day.save(update_fields=["is_workday", "name"])
    deadlines_changed()
    return day
