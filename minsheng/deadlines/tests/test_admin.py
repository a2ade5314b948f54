"""An administrator keeps the calendar and the policies on the admin pages."""

from datetime import date

import pytest
from django.urls import reverse

from minsheng.deadlines.models import CalendarDay, DeadlinePolicy

pytestmark = pytest.mark.django_db


def test_admin_can_browse_the_calendar_by_year_and_search_holidays(admin_client):
    url = reverse("admin:deadlines_calendarday_changelist")

    by_year = admin_client.get(url, {"date__year": "2025", "is_workday__exact": "1"})
    search = admin_client.get(url, {"q": "春节"})

    assert by_year.status_code == 200
    assert [day.date for day in by_year.context["cl"].result_list] == [
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
    ]
    assert search.status_code == 200
    assert {day.name for day in search.context["cl"].result_list} == {"春节"}


def test_admin_can_add_a_holiday(admin_client):
    response = admin_client.post(
        reverse("admin:deadlines_calendarday_add"),
        {"date": "2027-01-04", "is_workday": "", "name": "元旦"},
    )

    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 1, 4)).is_workday is False


def test_admin_can_edit_policy_amounts_in_the_list(admin_client):
    policy = DeadlinePolicy.objects.get(kind="", severity="")

    page = admin_client.get(reverse("admin:deadlines_deadlinepolicy_changelist"))
    change = admin_client.get(reverse("admin:deadlines_deadlinepolicy_change", args=[policy.pk]))

    assert page.status_code == 200
    assert change.status_code == 200
    assert 'name="form-0-result"' in page.content.decode()
