"""Reads for supervision: which notices a user may see, the queues of My work, the clocks
and notices the deadline watch acts on, and the return-visit queue."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role, User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases.access import ComplainantView, complainant_for
from minsheng.cases.models import Case, CaseClock, CaseEvent
from minsheng.deadlines.calendar import WorkCalendar
from minsheng.supervision.models import (
    NoticePolicy,
    NoticeState,
    NoticeWarning,
    PolicyHit,
    ReturnVisit,
    SupervisionNotice,
)
from minsheng.supervision.notices import ANSWERING_ROLES, SUPERVISING_ROLES

# Roles that read every notice (the supervision office, leaders, administrators, auditors).
READ_ALL_ROLES = SUPERVISING_ROLES | {Role.ADMIN, Role.AUDITOR}
OPEN = (NoticeState.ISSUED, NoticeState.ACKNOWLEDGED)


def notices_visible_to(user: User) -> QuerySet[SupervisionNotice]:
    """The notices `user` may see, newest first: all of them for the supervision office,
    leaders, administrators and auditors; else those addressed to the user or to a
    department where they handle cases."""
    notices = SupervisionNotice.objects.select_related("department", "recipient", "issued_by")
    facts = role_facts_for(user)
    if facts.global_roles & READ_ALL_ROLES:
        return notices
    departments = [
        department_id
        for department_id, roles in facts.department_roles.items()
        if roles & ANSWERING_ROLES
    ]
    return notices.filter(Q(department_id__in=departments) | Q(recipient=user))


def notice_get_for(user: User, pk: int) -> SupervisionNotice:
    """One notice `user` may see; Http404 whether it does not exist or is not theirs."""
    notice = notices_visible_to(user).filter(pk=pk).first()
    if notice is None:
        raise Http404("No such notice.")
    return notice


@dataclass(frozen=True)
class NoticeQueue:
    """A notice tab of My work."""

    key: str
    label: Any  # lazy translated string
    condition: Q


def notice_queues_for(user: User) -> list[tuple[NoticeQueue, int]]:
    """The notice tabs `user` sees with their counts: the supervision office closes answered
    notices and watches overdue ones; a department acknowledges and answers its own."""
    now = timezone.now()
    facts = role_facts_for(user)
    queues: list[NoticeQueue] = []
    if facts.global_roles & SUPERVISING_ROLES:
        queues += [
            NoticeQueue("notices_answered", _("Notices to close"), Q(state=NoticeState.ANSWERED)),
            NoticeQueue(
                "notices_overdue",
                _("Notices overdue"),
                Q(state__in=OPEN, due_at__lt=now),
            ),
        ]
    if any(roles & ANSWERING_ROLES for roles in facts.department_roles.values()):
        queues += [
            NoticeQueue(
                "notices_to_acknowledge",
                _("Notices to acknowledge"),
                Q(state=NoticeState.ISSUED),
            ),
            NoticeQueue(
                "notices_to_answer", _("Notices to answer"), Q(state=NoticeState.ACKNOWLEDGED)
            ),
        ]
    visible = notices_visible_to(user)
    return [(queue, visible.filter(queue.condition).count()) for queue in queues]


def notice_queue_notices(user: User, key: str) -> QuerySet[SupervisionNotice] | None:
    """The notices of one of the user's notice tabs, soonest due first (None: no such tab)."""
    for queue, _count in notice_queues_for(user):
        if queue.key == key:
            found = notices_visible_to(user).filter(queue.condition)
            return found.prefetch_related("cases").order_by("due_at", "pk")
    return None


def notice_history(notice: SupervisionNotice) -> QuerySet[CaseEvent]:
    """The notice's steps, oldest first, as written on the timeline of its first case."""
    first = notice.cases.order_by("pk").first()
    if first is None:
        return CaseEvent.objects.none()
    return (
        CaseEvent.objects.filter(case=first, data__notice=notice.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def visit_complainants(user: User, case: Case) -> list[ComplainantView]:
    """Whom to call back, as `user` may see them (each unmasked look logged)."""
    return complainant_for(user, case, purpose="return visit")


def notices_of_case(case_id: int) -> QuerySet[SupervisionNotice]:
    """The notices naming one case, newest first."""
    return SupervisionNotice.objects.filter(cases__id=case_id).select_related("department")


# --- the deadline watch ----------------------------------------------------------------


def working_days_back(today: date, days: int, calendar: WorkCalendar) -> date:
    """The `days`-th working day counted back from `today` (today itself is the first if it
    is a working day); `today` plus one day for 0. Something due before this date's start
    is overdue by at least `days` working days: nothing becomes more overdue on a holiday."""
    if days <= 0:
        return today + timedelta(days=1)
    found = 0
    day = today
    while True:
        if calendar.is_workday(day):
            found += 1
            if found == days:
                return day
        day -= timedelta(days=1)


def local_start(day: date) -> datetime:
    """Midnight at the start of `day`, Asia/Shanghai, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def clocks_for_policy(
    *, policy: NoticePolicy, since: datetime | None, before: datetime, limit: int
) -> list[CaseClock]:
    """Running clocks of the policy's step due before `before` (and from `since`, the
    policy's mark: the older ones were acted on) that the policy has not yet acted on,
    oldest due first, with the case, its department and handler joined in."""
    hit = PolicyHit.objects.filter(policy=policy, clock=OuterRef("pk"))
    clocks = CaseClock.objects.filter(
        stopped_at__isnull=True, step=policy.step, due_at__isnull=False, due_at__lt=before
    )
    if since is not None:
        clocks = clocks.filter(due_at__gte=since)
    return list(
        clocks.filter(~Exists(hit))
        .select_related("case", "case__department", "case__handler")
        .order_by("due_at", "pk")[:limit]
    )


def hits_waiting(*, policy: NoticePolicy, limit: int) -> list[PolicyHit]:
    """The policy's clocks that were overdue while their case had no department, still
    running, whose case has one now: their notice is due."""
    return list(
        PolicyHit.objects.filter(
            policy=policy,
            is_waiting=True,
            clock__stopped_at__isnull=True,
            clock__case__department__isnull=False,
        )
        .select_related("clock", "clock__case", "clock__case__department", "clock__case__handler")
        .order_by("pk")[:limit]
    )


def notices_for_policy(
    *, policy: NoticePolicy, before: datetime, limit: int
) -> list[SupervisionNotice]:
    """Open notices of the policy's level due before `before` that the policy has not yet
    acted on."""
    hit = PolicyHit.objects.filter(policy=policy, source=OuterRef("pk"))
    return list(
        SupervisionNotice.objects.filter(state__in=OPEN, level=policy.from_level, due_at__lt=before)
        .filter(~Exists(hit))
        .order_by("due_at", "pk")[:limit]
    )


def notices_to_warn(
    *, kind: str, before: datetime, after: datetime | None, limit: int
) -> list[SupervisionNotice]:
    """Open notices due before `before` (and after `after`) not yet warned about as `kind`."""
    warned = NoticeWarning.objects.filter(notice=OuterRef("pk"), kind=kind)
    notices = SupervisionNotice.objects.filter(state__in=OPEN, due_at__lt=before)
    if after is not None:
        notices = notices.filter(due_at__gte=after)
    return list(notices.filter(~Exists(warned)).order_by("due_at", "pk")[:limit])


# --- return visits ---------------------------------------------------------------------


def return_visits_pending() -> QuerySet[ReturnVisit]:
    """Return visits still to be made, oldest first, with their case."""
    return (
        ReturnVisit.objects.filter(status=ReturnVisit.Status.PENDING)
        .select_related("case", "case__department")
        .order_by("created_at", "pk")
    )
