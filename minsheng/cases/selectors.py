"""Reads about cases."""

from django.db.models import QuerySet

from minsheng.accounts.models import User
from minsheng.cases import access
from minsheng.cases.clocks import clock_due
from minsheng.cases.models import Case, CaseClock, CaseEvent
from minsheng.deadlines.calendar import Due
from minsheng.deadlines.selectors import calendar_get


def timeline_for(case: Case, *, public: bool) -> QuerySet[CaseEvent]:
    """A case's events, oldest first; only those meant for the complainant if `public`."""
    events = case.events.select_related("actor").prefetch_related("attachments")
    return events.filter(is_public=True) if public else events


def open_clocks_for(case: Case) -> list[tuple[CaseClock, Due]]:
    """The case's running clocks with their due times and explanations, soonest first."""
    calendar = calendar_get()
    running = case.clocks.filter(stopped_at__isnull=True).order_by("due_at")
    return [(clock, clock_due(clock, calendar)) for clock in running]


def case_list_for_user(user: User) -> QuerySet[Case]:
    """Cases `user` may see, newest first, with what lists show joined in."""
    return access.cases_visible_to(user).select_related("department", "category", "area")
