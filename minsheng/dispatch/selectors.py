"""Reads for auto-dispatch: the switch and the policies with their operating points, which
policy governs a case, which cases were assigned automatically, and the figures of the
report page (per period and per category: share, measured precision, corrections).

For the routing model's gated retraining (minsheng.routing.services.router_train): the
precisions to keep at least as good are `precisions_in_use()`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from minsheng.accounts.models import Membership, Role, User
from minsheng.cases.models import Category, State
from minsheng.dispatch.models import (
    DispatchCorrection,
    DispatchDecision,
    DispatchPolicy,
    DispatchSwitch,
    Outcome,
)

if TYPE_CHECKING:
    from minsheng.routing.calibration import OperatingPoint


def switch_get() -> DispatchSwitch:
    """The office's switch (created on first read, on)."""
    switch, _created = DispatchSwitch.objects.get_or_create(pk=1)
    return switch


def is_switched_on() -> bool:
    """Whether automatic dispatch may happen at all now."""
    return DispatchSwitch.objects.filter(pk=1, is_on=False).first() is None


def policies() -> QuerySet[DispatchPolicy]:
    """Every policy, kinds in order, with its category."""
    return DispatchPolicy.objects.select_related("category", "updated_by").order_by(
        "kind", "category__name", "id"
    )


def policy_for(*, kind: str, category: Category | None) -> DispatchPolicy | None:
    """The policy that governs a case of `kind` suggested for level-1 `category`: the
    category's own, else the kind's."""
    found = (
        list(DispatchPolicy.objects.select_related("category").filter(kind=kind, category=category))
        if category is not None
        else []
    )
    if found:
        return found[0]
    return (
        DispatchPolicy.objects.select_related("category")
        .filter(kind=kind, category__isnull=True)
        .first()
    )


def precisions_in_use() -> list[float]:
    """The precisions the enabled policies hold, distinct and sorted; the routing model's
    gated retraining keeps its auto-dispatched share at each of them from getting worse."""
    values = DispatchPolicy.objects.filter(is_enabled=True).values_list("precision", flat=True)
    return sorted({float(v) for v in values})


def operating_point_of(policy: DispatchPolicy, *, version: str | None = None) -> "OperatingPoint":
    """The threshold, expected share and errors per thousand of `policy` for the serving
    model (or `version`, a suggestion's), from its held-out data (minsheng.routing)."""
    from minsheng.routing.selectors import operating_point_for

    label = policy.category.name if policy.category_id and policy.category else None
    return operating_point_for(precision=float(policy.precision), label=label, version=version)


@dataclass(frozen=True)
class PolicyRow:
    """A policy as the administrators' page and the API show it."""

    policy: DispatchPolicy
    point: "OperatingPoint"


def policy_rows() -> list[PolicyRow]:
    """Every policy with its operating point."""
    return [PolicyRow(policy=p, point=operating_point_of(p)) for p in policies()]


def auto_dispatched_ids(case_ids: Iterable[int]) -> set[int]:
    """Which of `case_ids` were assigned automatically (for badges in lists)."""
    ids = list(case_ids)
    if not ids:
        return set()
    return set(
        DispatchDecision.objects.filter(case_id__in=ids, outcome=Outcome.DISPATCHED).values_list(
            "case_id", flat=True
        )
    )


def auto_dispatched_case_ids() -> QuerySet[DispatchDecision, int]:
    """A subquery of the ids of every automatically assigned case (the list filter)."""
    return DispatchDecision.objects.filter(outcome=Outcome.DISPATCHED).values_list(
        "case_id", flat=True
    )


def decision_of(case_id: int) -> DispatchDecision | None:
    """The decision taken when the case was accepted, with its policy and corrections."""
    return (
        DispatchDecision.objects.select_related("policy__category", "suggested_department")
        .prefetch_related("corrections")
        .filter(case_id=case_id)
        .first()
    )


def paused_policies() -> list[DispatchPolicy]:
    """Enabled policies that paused themselves on drift, for the administrators' notice."""
    return list(policies().filter(is_enabled=True, paused_at__isnull=False))


def announce_recipients() -> list[User]:
    """Who hears that auto-dispatch paused itself: administrators and supervisors."""
    ids = Membership.objects.filter(role__in=[Role.ADMIN, Role.SUPERVISOR]).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


@dataclass(frozen=True)
class Measured:
    """Automatic assignments over a span, and how many of them held (not corrected or
    returned)."""

    auto: int
    held: int

    @property
    def precision(self) -> float | None:
        return self.held / self.auto if self.auto else None


def measured_for(*, policy: DispatchPolicy, since: datetime) -> Measured:
    """The precision measured on `policy`'s automatic assignments since `since`."""
    auto = DispatchDecision.objects.filter(
        policy=policy, outcome=Outcome.DISPATCHED, decided_at__gte=since
    )
    return Measured(
        auto=auto.count(), held=auto.filter(is_corrected=False, is_returned=False).count()
    )


@dataclass
class CategoryFigures:
    """One category's line on the report: accepted cases, how many were assigned
    automatically, how many of those held, how many corrections."""

    label: str
    accepted: int = 0
    auto: int = 0
    held: int = 0
    corrections: int = 0

    @property
    def auto_share(self) -> float | None:
        return self.auto / self.accepted if self.accepted else None

    @property
    def precision(self) -> float | None:
        return self.held / self.auto if self.auto else None


@dataclass(frozen=True)
class Report:
    """The auto-dispatch report of one period: per category, the total, the corrections."""

    start: datetime
    end: datetime
    rows: list[CategoryFigures]
    total: CategoryFigures
    corrections: list[DispatchCorrection]
    awaiting: list[DispatchDecision]


REPORT_CORRECTIONS_SHOWN = 200


def report_for(*, start: datetime, end: datetime, category: str = "") -> Report:
    """Per suggested category over cases accepted in [start, end): share assigned
    automatically, measured precision, and the corrections recorded in the period."""
    decisions = DispatchDecision.objects.filter(decided_at__gte=start, decided_at__lt=end)
    corrections = DispatchCorrection.objects.filter(created_at__gte=start, created_at__lt=end)
    if category:
        decisions = decisions.filter(suggested_label=category)
        corrections = corrections.filter(decision__suggested_label=category)
    rows: dict[str, CategoryFigures] = defaultdict(lambda: CategoryFigures(label=""))
    total = CategoryFigures(label="")
    for label, outcome, corrected, returned in decisions.values_list(
        "suggested_label", "outcome", "is_corrected", "is_returned"
    ):
        for line in (rows[label], total):
            line.accepted += 1
            if outcome == Outcome.DISPATCHED:
                line.auto += 1
                line.held += int(not corrected and not returned)
    for label in corrections.values_list("decision__suggested_label", flat=True):
        rows[label].corrections += 1
        total.corrections += 1
    for label, line in rows.items():
        line.label = label
    shown = list(
        corrections.select_related(
            "decision__case",
            "decision__policy",
            "from_department",
            "to_department",
            "to_category",
            "actor",
        )[:REPORT_CORRECTIONS_SHOWN]
    )
    ordered = sorted(rows.values(), key=lambda r: (-r.accepted, r.label))
    # Automatic assignments still waiting for the department's signature, not yet corrected:
    # a dispatcher may re-assign them.
    awaiting = list(
        decisions.filter(outcome=Outcome.DISPATCHED, is_corrected=False, case__state=State.ASSIGNED)
        .select_related("case", "suggested_department")
        .order_by("-decided_at")[:REPORT_CORRECTIONS_SHOWN]
    )
    return Report(
        start=start,
        end=end,
        rows=ordered,
        total=total,
        corrections=shown,
        awaiting=awaiting,
    )


def corrections_recent(*, limit: int = 100) -> QuerySet[DispatchCorrection]:
    """The latest corrections (the API's list)."""
    return DispatchCorrection.objects.select_related(
        "decision__case", "from_department", "to_department", "to_category", "actor"
    ).order_by("-created_at", "-id")[:limit]
