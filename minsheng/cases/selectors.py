"""Reads about cases."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet

from minsheng.accounts.models import User
from minsheng.cases import access
from minsheng.cases.clocks import clock_due
from minsheng.cases.models import Attachment, Case, CaseClock, CaseEvent, CaseResult
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


def clocks_due_before(*, before: datetime) -> QuerySet[CaseClock]:
    """Running (not paused) clocks due at or before `before`, soonest first, with the case,
    its department and handler joined in (for due-soon and overdue reminders)."""
    return (
        CaseClock.objects.filter(stopped_at__isnull=True, due_at__isnull=False, due_at__lte=before)
        .select_related("case", "case__department", "case__handler")
        .order_by("due_at", "id")
    )


def event_get(event_id: int) -> CaseEvent:
    """One timeline event with its case (and the case's department) joined in."""
    return CaseEvent.objects.select_related("case", "case__department", "case__category").get(
        pk=event_id
    )


def event_last_id() -> int:
    """The id of the newest timeline event (0 when there is none)."""
    return CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0


def events_after(*, after_id: int, limit: int) -> QuerySet[CaseEvent]:
    """Timeline events with an id above `after_id`, oldest first (for catch-up readers)."""
    return CaseEvent.objects.filter(pk__gt=after_id).order_by("id")[:limit]


@dataclass(frozen=True)
class PublicAnswer:
    """The answer the complainant has received: given at intake, or a department's result."""

    text: str
    result: CaseResult | None


def public_answer_for(case: Case) -> PublicAnswer | None:
    """The answer that reached the complainant, or None while there is none.

    A department's result reaches them when the case is replied (`replied_at` is set); a
    review that orders the case redone clears `replied_at`, so a redone case shows nothing
    until the new result is approved.
    """
    if case.replied_at is None:
        return None
    if case.answer:
        return PublicAnswer(text=case.answer, result=None)
    result = case.results.first()
    return PublicAnswer(text="", result=result) if result is not None else None


def public_timeline_for(case: Case) -> list[tuple[CaseEvent, list[Attachment]]]:
    """The complainant's timeline: public events, each with its public files."""
    return [
        (event, [file for file in event.attachments.all() if file.is_public])
        for event in timeline_for(case, public=True)
    ]


def material_request_for(case: Case) -> CaseEvent | None:
    """The latest request for missing material (what the complainant is asked to supply)."""
    return case.events.filter(action="request_info").order_by("-created_at", "-id").first()


def attachment_get(case: Case, pk: int, *, public: bool) -> Attachment | None:
    """One file of the case (only one the complainant may see if `public`), or None."""
    files = case.attachments.filter(pk=pk)
    return (files.filter(is_public=True) if public else files).first()
