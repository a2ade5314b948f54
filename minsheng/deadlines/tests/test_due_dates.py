"""Due dates on the real seeded calendar: holidays, make-up days, pauses and extensions."""

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from minsheng.deadlines.calendar import Pause, compute_due
from minsheng.deadlines.models import Unit
from minsheng.deadlines.selectors import calendar_get
from minsheng.deadlines.services import calendar_day_set

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The assertions quote the English msgids; zh-hans (the default) would translate them.
    with translation.override("en"):
        yield


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI).astimezone(UTC)


def due(started_at: datetime, amount: int, **kwargs):
    return compute_due(
        started_at=started_at,
        amount=amount,
        unit=kwargs.pop("unit", Unit.WORKING_DAYS),
        calendar=calendar_get(),
        **kwargs,
    )


def test_general_complaint_accepted_before_national_day_is_due_on_make_up_saturday():
    result = due(local(2025, 9, 30, 10), 3)

    assert result.due_at == end_of(2025, 10, 11)
    assert result.due_at.tzinfo == UTC
    assert result.explanation.counted_dates == (
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    )


def test_seven_working_days_from_september_30_run_past_the_golden_week():
    assert due(local(2025, 9, 30, 10), 7).due_at == end_of(2025, 10, 16)


def test_spring_festival_case_counts_the_make_up_saturday_before_the_break():
    result = due(local(2026, 2, 13, 16), 3)

    assert result.due_at == end_of(2026, 2, 25)
    assert result.explanation.makeup_days == ((date(2026, 2, 14), "春节"),)


def test_case_started_late_in_the_evening_counts_from_the_next_beijing_date():
    # 2025-09-30 23:30 in Beijing is still 15:30 UTC on the 30th; the 30th is the start date.
    started_at = local(2025, 9, 30, 23, 30).astimezone(UTC)

    assert due(started_at, 3).due_at == end_of(2025, 10, 11)


def test_explanation_names_the_holidays_skipped_and_the_make_up_day():
    lines = due(local(2025, 9, 30, 10), 3).explanation.lines()

    assert lines[0] == "Started on 2025-09-30; 3 working days counted from the next day."
    assert "Holidays skipped: 国庆节, 2025-10-01 to 2025-10-05." in lines
    assert "Holiday skipped: 中秋, 2025-10-06." in lines
    assert "Holidays skipped: 国庆节, 2025-10-07 to 2025-10-08." in lines
    assert "2025-10-11 is a make-up working day (国庆节) and was counted." in lines
    assert lines[-1] == "Due at the end of 2025-10-11."


def test_explanation_is_translated_for_chinese_staff():
    with translation.override("zh-hans"):
        lines = due(local(2025, 9, 30, 10), 3).explanation.lines()

    # Whatever the translation says, the holiday names and dates reach the reader.
    assert any("国庆节" in line and "2025-10-01" in line for line in lines)
    assert any("2025-10-11" in line for line in lines)


def test_ordinary_weekend_is_skipped_and_counted_in_the_explanation():
    # Friday 2025-11-14: Monday, Tuesday, Wednesday.
    result = due(local(2025, 11, 14, 9), 3)

    assert result.due_at == end_of(2025, 11, 19)
    assert result.explanation.weekend_days == 2
    assert result.explanation.holidays == ()
    assert "2 weekend days skipped." in result.explanation.lines()


def test_extension_adds_working_days_after_the_original_due_date():
    result = due(local(2025, 9, 30, 10), 3, extension=2)

    assert result.due_at == end_of(2025, 10, 14)  # Sunday 10-12 is skipped
    assert "Extended by 2 working days." in result.explanation.lines()


def test_pause_for_missing_documents_moves_the_due_date_by_the_working_days_waited():
    # Paused Monday 11-17, resumed Wednesday 11-19: Tuesday and Wednesday are given back.
    pause = Pause(started_at=local(2025, 11, 17, 9), ended_at=local(2025, 11, 19, 15))
    result = due(local(2025, 11, 14, 9), 3, pauses=[pause])

    assert result.due_at == end_of(2025, 11, 21)
    assert result.explanation.pauses[0].added_days == 2
    assert (
        "Paused from 2025-11-17 09:00 to 2025-11-19 15:00: 2 working days added."
        in result.explanation.lines()
    )


def test_pause_resumed_the_same_day_does_not_move_the_due_date():
    pause = Pause(started_at=local(2025, 11, 17, 9), ended_at=local(2025, 11, 17, 17))

    assert due(local(2025, 11, 14, 9), 3, pauses=[pause]).due_at == end_of(2025, 11, 19)


def test_pause_over_a_holiday_gives_back_only_working_days():
    # Paused 09-30, resumed 10-09: only 10-09 was a working day in between.
    pause = Pause(started_at=local(2025, 9, 30, 11), ended_at=local(2025, 10, 9, 10))
    result = due(local(2025, 9, 29, 10), 3, pauses=[pause])

    assert result.explanation.pauses[0].added_days == 1
    # 3 + 1 working days after 09-29: 09-30, 10-09, 10-10, 10-11.
    assert result.due_at == end_of(2025, 10, 11)


def test_case_waiting_for_the_complainant_has_no_due_date_until_it_resumes():
    ongoing = Pause(started_at=local(2025, 11, 17, 9), ended_at=None)
    result = due(local(2025, 11, 14, 9), 3, pauses=[ongoing])

    assert result.due_at is None
    assert result.explanation.started_at == local(2025, 11, 14, 9)
    lines = result.explanation.lines()
    assert "Paused since 2025-11-17 09:00; the clock does not run until the case resumes." in lines
    assert lines[-1] == "The clock is stopped while the case is paused."


def test_urgent_case_counts_hours_around_the_clock_even_on_holidays():
    result = due(local(2025, 10, 1, 8), 24, unit=Unit.HOURS)

    assert result.due_at == local(2025, 10, 2, 8).astimezone(UTC)
    assert result.explanation.holidays == ()
    assert result.explanation.lines()[-1] == "Due at 2025-10-02 08:00."


def test_urgent_case_paused_for_ninety_minutes_gets_ninety_minutes_more():
    pause = Pause(started_at=local(2025, 10, 1, 9), ended_at=local(2025, 10, 1, 10, 30))
    result = due(local(2025, 10, 1, 8), 4, unit=Unit.HOURS, pauses=[pause], extension=2)

    assert result.due_at == local(2025, 10, 1, 15, 30).astimezone(UTC)
    lines = result.explanation.lines()
    assert "Extended by 2 hours." in lines
    assert "Paused from 2025-10-01 09:00 to 2025-10-01 10:30: 1.5 hours added." in lines


def test_urgent_case_waiting_for_the_complainant_has_no_due_time():
    ongoing = Pause(started_at=local(2025, 10, 1, 9), ended_at=None)

    assert due(local(2025, 10, 1, 8), 4, unit=Unit.HOURS, pauses=[ongoing]).due_at is None


def test_case_in_a_year_the_calendar_does_not_know_still_gets_a_due_date(caplog):
    caplog.set_level(logging.WARNING, logger="minsheng.deadlines")
    calendar = calendar_get()

    # Friday 2027-01-01 is New Year's Day, but without data only weekends are skipped.
    first = compute_due(
        started_at=local(2026, 12, 31, 10), amount=3, unit=Unit.WORKING_DAYS, calendar=calendar
    )
    second = compute_due(
        started_at=local(2027, 1, 4, 10), amount=3, unit=Unit.WORKING_DAYS, calendar=calendar
    )

    assert first.due_at == end_of(2027, 1, 5)
    assert second.due_at == end_of(2027, 1, 7)
    assert first.explanation.unknown_years == (2027,)
    assert (
        "The calendar has no holiday data for 2027; only weekends were skipped."
        in first.explanation.lines()
    )
    warnings = [r for r in caplog.records if r.name == "minsheng.deadlines"]
    assert [r.getMessage() for r in warnings] == [
        "Calendar has no data for 2027; counting weekends only"
    ]


def test_holiday_added_by_an_admin_moves_a_2027_due_date(caplog):
    caplog.set_level(logging.WARNING, logger="minsheng.deadlines")
    started_at = local(2026, 12, 31, 10)
    before = due(started_at, 3)

    calendar_day_set(date=date(2027, 1, 1), is_workday=False, name="元旦")
    calendar_day_set(date=date(2027, 1, 4), is_workday=False, name="元旦")
    after = due(started_at, 3)

    assert before.due_at == end_of(2027, 1, 5)
    assert after.due_at == end_of(2027, 1, 7)
    assert after.explanation.unknown_years == ()
    assert "Holiday skipped: 元旦, 2027-01-01." in after.explanation.lines()
    # The year now has rows, so the calendar knows it and stops warning.
    assert len([r for r in caplog.records if r.name == "minsheng.deadlines"]) == 1


def test_make_up_saturday_set_by_an_admin_counts_as_a_working_day():
    calendar_day_set(date=date(2027, 1, 9), is_workday=True, name="元旦")

    # Thursday 2027-01-07 + 2: Friday 01-08, Saturday 01-09.
    assert due(local(2027, 1, 7, 10), 2).due_at == end_of(2027, 1, 9)


def test_clock_with_nothing_to_count_runs_out_at_the_end_of_the_start_day():
    assert due(local(2025, 11, 14, 9), 0).due_at == end_of(2025, 11, 14)


def test_naive_start_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        due(datetime(2025, 11, 14, 9), 3)  # noqa: DTZ001 - the point of the test
