"""Seed the calendar from the chinese_calendar package and the default deadline policies.

A new database gets whatever the installed package knows; an existing database picks up a
later package release through `manage.py calendar_seed`, never by editing this file.
"""

from django.db import migrations

# (kind, severity): (unit, review, dispatch, plan, result, appeal_days)
POLICIES = {
    ("", ""): ("working_days", 1, 1, 1, 3, 15),
    ("", "complex"): ("working_days", 1, 1, 2, 5, 15),
    ("", "major"): ("working_days", 1, 1, 2, 7, 15),
    ("", "urgent"): ("hours", 2, 2, 4, 24, 15),
    ("suggestion", ""): ("working_days", 1, 1, 1, 7, 15),
}


def _package_days():
    import chinese_calendar

    days = {}
    for d, value in chinese_calendar.holidays.items():
        days[d] = (False, chinese_calendar.Holiday(value).chinese)
    for d, value in chinese_calendar.workdays.items():
        if d.weekday() >= 5:  # a working weekday needs no row
            days[d] = (True, chinese_calendar.Holiday(value).chinese)
    return days


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, is_workday=is_workday, name=name)
        for d, (is_workday, name) in sorted(_package_days().items())
        if d not in existing
    )
    for (kind, severity), (unit, review, dispatch, plan, result, appeal) in POLICIES.items():
        DeadlinePolicy.objects.get_or_create(
            kind=kind,
            severity=severity,
            defaults={
                "unit": unit,
                "review": review,
                "dispatch": dispatch,
                "plan": plan,
                "result": result,
                "appeal_days": appeal,
            },
        )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    CalendarDay.objects.filter(date__in=list(_package_days())).delete()
    for kind, severity in POLICIES:
        DeadlinePolicy.objects.filter(kind=kind, severity=severity).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
