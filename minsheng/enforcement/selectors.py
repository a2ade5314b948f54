"""Reads of enforcement cases: which a user may see (those of the complaints they may open),
one of them, its steps as the page and the API show them, and the section on the
complaint's page."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.cases.access import (
    can_view,
    cases_visible_to,
    enforcement_roles_on,
    text_masker_for,
)
from minsheng.cases.models import Case, State
from minsheng.enforcement.models import (
    EnforcementCase,
    EnforcementState,
    EnforcementStep,
    HearingMode,
    Reinspection,
    Stage,
)
from minsheng.enforcement.services import (
    ORDER,
    STEPS,
    StepSpec,
    enforcement_allowed_steps,
    step_due,
)


def enforcements_visible_to(user: User) -> QuerySet[EnforcementCase]:
    """The enforcement cases `user` may see: those of the complaints they may open."""
    return EnforcementCase.objects.filter(case__in=cases_visible_to(user)).select_related(
        "case", "case__department", "opened_by"
    )


def enforcement_list_for(
    user: User, *, state: str = EnforcementState.OPEN
) -> QuerySet[EnforcementCase]:
    """The enforcement cases of one state `user` may see, the soonest due first (the closed
    ones, the latest closed first)."""
    found = enforcements_visible_to(user).filter(state=state)
    if state == EnforcementState.OPEN:
        return found.order_by("next_due_at", "pk")
    return found.order_by("-closed_at", "-pk")


def enforcement_get_for(user: User, pk: int) -> EnforcementCase:
    """One enforcement case `user` may see; Http404 whether it does not exist or is not
    theirs."""
    found = (
        EnforcementCase.objects.select_related("case", "case__department", "opened_by")
        .filter(pk=pk)
        .first()
    )
    if found is None or not can_view(user, found.case):
        raise Http404("No such enforcement case.")
    return found


@dataclass(frozen=True)
class StepLine:
    """One step as the page and the API show it: done, waiting (due) or still to come."""

    step: Stage
    spec: StepSpec
    row: EnforcementStep | None
    explanation: list[str]
    is_overdue: bool
    facts: list[tuple[str, str]]  # (label, value) of what was recorded

    @property
    def status(self) -> str:
        if self.row is None:
            return "later"
        return "done" if self.row.done_at else "due"


def enforcement_steps_of(enforcement: EnforcementCase, *, now: datetime) -> list[StepLine]:
    """Every step of the table in order, with its row once its clock started, why it is due
    when it is (the calendar's explanation), and whether it is overdue."""
    rows = {
        Stage(row.step): row for row in enforcement.steps.select_related("done_by").order_by("pk")
    }
    lines = []
    for step in ORDER:
        row = rows.get(step)
        explanation: list[str] = []
        if row is not None and row.done_at is None:
            explanation = step_due(started_at=row.started_at, step=step).explanation.lines()
        lines.append(
            StepLine(
                step=step,
                spec=STEPS[step],
                row=row,
                explanation=explanation,
                is_overdue=row is not None
                and row.done_at is None
                and STEPS[step].is_taken
                and row.due_at < now,
                facts=_facts(row) if row is not None and row.done_at else [],
            )
        )
    return lines


def _facts(row: EnforcementStep) -> list[tuple[str, str]]:
    """What a done step recorded, labelled for a reader."""
    data = row.data or {}
    facts = [
        (_("Document number"), row.document),
        (_("How the respondent was heard"), _label(HearingMode, data.get("mode"))),
        (_("Date of service"), data.get("served_on", "")),
        (_("Signed for by"), data.get("receiver", "")),
        (_("What the re-inspection found"), _label(Reinspection, data.get("result"))),
        (_("Where it was published"), data.get("place", "")),
    ]
    return [(str(label), value) for label, value in facts if value]


def _label(choices: type[HearingMode] | type[Reinspection], value: str | None) -> str:
    return str(choices(value).label) if value in choices.values else ""


@dataclass(frozen=True)
class EnforcementView:
    """An enforcement case as `user` sees it: the complaint's subject as they may read it,
    its steps, and the steps they may take now."""

    enforcement: EnforcementCase
    subject: str
    steps: list[StepLine]
    allowed: list[str]


def enforcement_view_for(enforcement: EnforcementCase, user: User) -> EnforcementView:
    """What the enforcement page and `GET /api/v1/enforcement/{id}` show."""
    case = enforcement.case
    return EnforcementView(
        enforcement=enforcement,
        subject=text_masker_for(user, case)(case.subject),
        steps=enforcement_steps_of(enforcement, now=timezone.now()),
        allowed=enforcement_allowed_steps(enforcement, user),
    )


@dataclass(frozen=True)
class CaseSection:
    """The enforcement section of a complaint's page: its enforcement cases, and whether
    `user` may open one now."""

    enforcements: list[EnforcementCase]
    may_open: bool


def enforcement_section_for(case: Case, user: User) -> CaseSection:
    """The complaint page's enforcement section (nothing to show: no cases, may not open)."""
    enforcements = list(case.enforcement_cases.order_by("-opened_at", "-pk"))
    return CaseSection(
        enforcements=enforcements,
        # One open enforcement case per complaint (`services.enforcement_open`).
        may_open=case.state == State.IN_PROGRESS
        and not any(e.is_open for e in enforcements)
        and bool(enforcement_roles_on(user, case)),
    )
