"""The calendar as the database holds it: seeded from the package, read one year at a time."""

from datetime import date

import pytest
from django.core.management import call_command

from minsheng.deadlines.calendar import WorkCalendar, working_days_between
from minsheng.deadlines.models import CalendarDay
from minsheng.deadlines.selectors import calendar_get
from minsheng.deadlines.services import calendar_day_set, calendar_seed_from_package


@pytest.mark.django_db
def test_fresh_database_knows_the_official_holidays_and_make_up_days():
    calendar = calendar_get()

    assert calendar.knows_year(2025)
    assert calendar.knows_year(2026)
    assert not calendar.knows_year(2027)
    assert not calendar.is_workday(date(2025, 10, 1))
    assert calendar.holiday_name(date(2025, 10, 1)) == "国庆节"
    assert calendar.is_workday(date(2025, 10, 11))  # Saturday, make-up day
    assert calendar.holiday_name(date(2025, 10, 11)) == "国庆节"
    assert calendar.is_workday(date(2025, 10, 9))
    assert calendar.holiday_name(date(2025, 10, 9)) == ""
    assert not calendar.is_workday(date(2025, 10, 12))  # plain Sunday


@pytest.mark.django_db
def test_calendar_reads_each_year_once(django_assert_num_queries):
    calendar = calendar_get()

    with django_assert_num_queries(2):
        for day in range(1, 29):
            calendar.is_workday(date(2025, 2, day))
            calendar.holiday_name(date(2025, 2, day))
        calendar.is_workday(date(2026, 2, 14))
        calendar.knows_year(2025)


@pytest.mark.django_db
def test_reseeding_after_a_package_upgrade_keeps_an_admins_correction():
    CalendarDay.objects.filter(date=date(2026, 10, 7)).delete()
    calendar_day_set(date=date(2026, 10, 8), is_workday=True, name="单位值班")

    created = calendar_seed_from_package(years=[2026])

    assert created == 1
    assert CalendarDay.objects.get(date=date(2026, 10, 7)).is_workday is False
    corrected = CalendarDay.objects.get(date=date(2026, 10, 8))
    assert (corrected.is_workday, corrected.name) == (True, "单位值班")
    assert calendar_seed_from_package() == 0


@pytest.mark.django_db
def test_calendar_seed_command_reports_how_many_days_it_added(capsys):
    CalendarDay.objects.filter(date__year=2025).delete()

    call_command("calendar_seed", "--year", "2025", "--year", "2024")

    assert capsys.readouterr().out.strip() == "Added 33 calendar days."
    assert calendar_get().knows_year(2025)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    calendar = WorkCalendar({date(2025, 10, 1): (False, "国庆节")}, known_years={2025})

    assert working_days_between(date(2025, 9, 29), date(2025, 10, 2), calendar) == 2
    assert working_days_between(date(2025, 10, 2), date(2025, 10, 2), calendar) == 0
    assert working_days_between(date(2025, 10, 3), date(2025, 10, 2), calendar) == 0


def test_calendar_built_in_memory_asks_its_loader_only_for_years_it_lacks():
    asked: list[int] = []

    def loader(year: int) -> tuple[dict[date, tuple[bool, str]], bool]:
        asked.append(year)
        return {date(year, 1, 1): (False, "元旦")}, True

    calendar = WorkCalendar({date(2025, 1, 1): (False, "元旦")}, {2025}, loader=loader)

    assert not calendar.is_workday(date(2025, 1, 1))
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.knows_year(2027)
    assert asked == [2027]
