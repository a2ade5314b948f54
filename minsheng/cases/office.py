"""The office's process as configuration: which optional steps it uses, its case classes
and their approval levels, its rejection reasons, admissibility rules and extra fields, its
reception information (`models.Office` and friends, `deadlines.CaseClass`).

`cases.workflow` asks here what the office allows; nothing else decides it. Every process
keeps one copy, tagged with the calendar-and-policies version (`deadlines.selectors`), and
every write to the configuration moves that version on (`office_changed`), so an edit is
used everywhere within a second.

`config_problems` is the check an administrator's edit must pass (the admin refuses a
configuration that would leave a case stuck).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _

from minsheng.accounts.models import Role
from minsheng.cases.models import (
    AdmissibilityRule,
    Case,
    Category,
    Channel,
    ExtraField,
    Office,
    RejectionReason,
)
from minsheng.deadlines.models import ApprovalLevel, CaseClass, Kind, Severity
from minsheng.deadlines.selectors import PolicyValues, configuration_cached, policy_for
from minsheng.deadlines.services import deadlines_changed


class OptionalStep(StrEnum):
    """A step of the lifecycle an office may leave out or add (the `Office` flags)."""

    ACCEPTANCE_APPROVAL = "uses_acceptance_approval"  # 立案审批
    FEEDBACK = "uses_feedback"  # 初步反馈
    PLAN = "uses_plan"  # 办理方案
    EVIDENCE_REQUEST = "uses_evidence_request"  # 补充材料告知书
    RETURN_VISIT = "uses_return_visit"  # 回访


@dataclass(frozen=True)
class Level:
    """One approval before the answer goes out: its number, name, role and own time."""

    level: int
    label: str
    role: Role
    amount: int | None = None


@dataclass(frozen=True)
class OfficeConfig:
    """One reading of the whole configuration (cached per process, see the module)."""

    office: Office
    classes: dict[int, CaseClass]
    levels: dict[int, tuple[Level, ...]]  # by class id
    reasons: tuple[RejectionReason, ...]
    rules: tuple[AdmissibilityRule, ...]
    extra_fields: tuple[ExtraField, ...]
    category_parents: dict[int, int | None]


def _load() -> OfficeConfig:
    levels: dict[int, list[Level]] = {}
    for row in ApprovalLevel.objects.order_by("case_class_id", "level"):
        levels.setdefault(row.case_class_id, []).append(
            Level(level=row.level, label=row.label, role=Role(row.role), amount=row.amount)
        )
    return OfficeConfig(
        office=Office.objects.first() or Office(),
        classes={c.pk: c for c in CaseClass.objects.all()},
        levels={pk: tuple(rows) for pk, rows in levels.items()},
        reasons=tuple(RejectionReason.objects.filter(is_active=True)),
        rules=tuple(AdmissibilityRule.objects.select_related("reason")),
        extra_fields=tuple(ExtraField.objects.all()),
        category_parents=dict(Category.objects.values_list("id", "parent_id")),
    )


def config() -> OfficeConfig:
    """The office's configuration as this process last read it (fresh within a second)."""
    return configuration_cached("cases.office", _load)


def office_changed() -> None:
    """Every process re-reads the configuration (call it in the writing transaction)."""
    deadlines_changed()


def office_get() -> Office:
    """The office's settings (the defaults when it has none)."""
    return config().office


def uses(step: OptionalStep) -> bool:
    """Whether the office uses an optional step of the lifecycle."""
    return bool(getattr(office_get(), step.value))


def kinds_used() -> list[str]:
    """The kind codes the office takes (all, unless it chose some)."""
    return list(office_get().kinds) or list(Kind.values)


def channels_used() -> list[str]:
    """The channel codes the office takes (all, unless it chose some)."""
    return list(office_get().channels) or list(Channel.values)


def case_classes() -> list[CaseClass]:
    """The office's case classes in their order (none: the four severities are used)."""
    return sorted(config().classes.values(), key=lambda c: (c.position, c.code))


def case_class_get(pk: int | None) -> CaseClass | None:
    return config().classes.get(pk) if pk is not None else None


# The lifecycle's own approval: the department head signs the result off, and for a major
# case a leader after them. An office's case class with approval levels replaces it.
HEAD_LEVEL = Level(level=1, label="", role=Role.HEAD)
LEADER_LEVEL = Level(level=2, label="", role=Role.LEADER)


def approval_chain(case: Case) -> tuple[Level, ...]:
    """The sign-offs a result of `case` needs, in order."""
    levels = config().levels.get(case.case_class_id) if case.case_class_id else None
    if levels:
        return levels
    if case.severity == Severity.MAJOR:
        return (HEAD_LEVEL, LEADER_LEVEL)
    return (HEAD_LEVEL,)


def approval_level_current(case: Case) -> Level | None:
    """The level the result waits at, if it waits."""
    chain = approval_chain(case)
    if 1 <= case.approval_level <= len(chain):
        return chain[case.approval_level - 1]
    return None


def category_line(category_id: int | None) -> list[int]:
    """The category's id and its ancestors', nearest first."""
    parents = config().category_parents
    line: list[int] = []
    while category_id is not None and category_id not in line:
        line.append(category_id)
        category_id = parents.get(category_id)
    return line


def policy_of(case: Case) -> PolicyValues:
    """The deadline policy for `case`: the most specific of its class, kind, severity,
    category and channel (`deadlines.selectors.policy_for`)."""
    return policy_for(
        kind=case.kind,
        severity=case.severity,
        case_class_id=case.case_class_id,
        category_ids=category_line(case.category_id),
        channel=case.channel,
    )


def rejection_reasons() -> tuple[RejectionReason, ...]:
    return config().reasons


def rejection_reason_get(code: str) -> RejectionReason | None:
    return next((r for r in config().reasons if r.code == code), None)


def inadmissible_because(
    *, kind: str, occurred_at: datetime | None, now: datetime
) -> RejectionReason | None:
    """The reason a matter of `kind` that happened at `occurred_at` cannot be taken up, if
    an admissibility rule says so (the labour inspectorate's two years)."""
    if occurred_at is None:
        return None
    for rule in config().rules:
        if rule.kind in ("", kind) and now - occurred_at > timedelta(days=rule.max_age_days):
            return rule.reason
    return None


def reason_text(reason: RejectionReason) -> str:
    """A rejection reason as the complainant reads it: the reason and its legal basis."""
    if reason.legal_text:
        return _("%(reason)s (%(basis)s)") % {"reason": reason.label, "basis": reason.legal_text}
    return reason.label
