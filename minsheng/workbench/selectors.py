"""Reads for the staff pages: the "My work" queues and their counts."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role, User
from minsheng.accounts.selectors import role_facts_for
from minsheng.cases import access, workflow
from minsheng.cases.models import Case
from minsheng.cases.selectors import case_list_for_user
from minsheng.lib.pagination import counts_capped

# How close a due time must be to count as "due soon" on the My work page. A display
# threshold only: the supervision sweep decides its own warnings.
DUE_SOON = timedelta(hours=24)
EVERY_STAFF_ROLE = frozenset(set(Role) - {Role.PUBLIC, Role.SYSTEM})
# A tab counts its cases up to this many and says "99+" beyond (so does its list's caption).
# Counting every queue exactly read every visible case: 1.5-1.9 s of SQL at a million cases
# (bench/case_list.md); counting to 100 reads at most 100 entries of an index per tab.
QUEUE_COUNT_CAP = 99


@dataclass(frozen=True)
class Queue:
    """One tab of "My work": which cases it holds, and for which roles it is shown."""

    key: str
    label: Any  # lazy translated string
    roles: frozenset[Role]
    condition: Callable[[datetime], Q]


def _waiting_for(queue: workflow.Queue) -> Queue:
    """A tab of the cases waiting for one of the queue's actions (the lifecycle table says
    which actions, so which states and roles)."""
    states = sorted(workflow.queue_states(queue))
    return Queue(
        queue.value,
        queue.label,
        workflow.queue_roles(queue),
        lambda now: Q(state__in=states),
    )


QUEUES: tuple[Queue, ...] = (
    *(_waiting_for(queue) for queue in workflow.Queue),
    Queue(
        "due_soon",
        _("Due soon"),
        EVERY_STAFF_ROLE,
        lambda now: Q(next_due_at__gte=now, next_due_at__lt=now + DUE_SOON),
    ),
    Queue("overdue", _("Overdue"), EVERY_STAFF_ROLE, lambda now: Q(next_due_at__lt=now)),
)


def _in_use(queue: Queue) -> bool:
    """Whether the office uses the queue (an optional step's queue may not be)."""
    return queue.key not in workflow.Queue.values or workflow.queue_in_use(
        workflow.Queue(queue.key)
    )


def _roles_of(user: User) -> frozenset[Role]:
    facts = role_facts_for(user)
    roles = set(facts.global_roles)
    for department_roles in facts.department_roles.values():
        roles |= department_roles
    return frozenset(roles)


def queues_for_user(user: User) -> list[tuple[Queue, int]]:
    """The queues shown to `user`, each with how many of their visible cases it holds, up
    to QUEUE_COUNT_CAP + 1 (that is: more than the cap); one query for all the counts."""
    roles = _roles_of(user)
    queues = [queue for queue in QUEUES if queue.roles & roles and _in_use(queue)]
    if not queues:
        return []
    # Each tab counted as the parts of what the user may see (`queue_parts`), all in one
    # query.
    per_queue = [queue_parts(user, queue) for queue in queues]
    counted = iter(counts_capped([p for parts in per_queue for p in parts], cap=QUEUE_COUNT_CAP))
    counts = [min(sum(next(counted) for _ in parts), QUEUE_COUNT_CAP + 1) for parts in per_queue]
    return list(zip(queues, counts, strict=True))


def queue_cases(user: User, queue: Queue) -> QuerySet[Case]:
    """The cases of one queue that `user` may see, soonest due first."""
    cases = case_list_for_user(user).filter(queue.condition(timezone.now()))
    return cases.order_by("next_due_at", "-created_at")


def queue_parts(user: User, queue: Queue) -> list[QuerySet[Case]]:
    """`queue_cases` as the parts of what the user may see, to count it by
    (`lib.pagination.CappedPaginator`)."""
    now = timezone.now()
    return [part.filter(queue.condition(now)) for part in access.cases_visible_parts(user)]
