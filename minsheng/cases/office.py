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

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minsheng.accounts.models import Role
from minsheng.accounts.selectors import role_is_held
from minsheng.cases.models import (
    AdmissibilityRule,
    Case,
    Category,
    Channel,
    ExtraField,
    Office,
    RejectionReason,
    State,
)
from minsheng.deadlines.models import ApprovalLevel, CaseClass, Kind, Severity
from minsheng.deadlines.selectors import (
    PolicyValues,
    approval_levels_problems,
    case_class_policy_problem,
    configuration_cached,
    policy_for,
)
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


def using(step: OptionalStep) -> Callable[[Case], bool]:
    """A clock effect's condition: the office uses `step`."""
    return lambda case: uses(step)


def not_using(step: OptionalStep) -> Callable[[Case], bool]:
    """A clock effect's condition: the office does not use `step`."""
    return lambda case: not uses(step)


def is_regulator_transfer(case: Case) -> bool:
    """A complaint a regulator transferred (监管转办): the regulator is owed an answer."""
    return case.channel == Channel.REGULATOR


# Every kind and channel (`Choices.values` builds its list anew on each call).
ALL_KINDS = tuple(Kind.values)
ALL_CHANNELS = tuple(Channel.values)


def kinds_used() -> list[str]:
    """The kind codes the office takes (all, unless it chose some)."""
    return list(office_get().kinds or ALL_KINDS)


def channels_used() -> list[str]:
    """The channel codes the office takes (all, unless it chose some)."""
    return list(office_get().channels or ALL_CHANNELS)


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


def approval_level_of(case: Case, state: str | None = None) -> int:
    """The approval level the result waits at (1 to 3) in `state` (the case's own by
    default), 0 when it does not wait. A case that waited before levels were counted waits
    at the first level, or at the leader's."""
    if case.approval_level:
        return case.approval_level
    state = state or case.state
    if state == State.PENDING_APPROVAL:
        return 1
    if state == State.PENDING_LEADER_APPROVAL:
        return 2
    return 0


def approval_level_current(case: Case, state: str | None = None) -> Level | None:
    """The level the result waits at in `state` (the case's own by default), if it waits."""
    chain = approval_chain(case)
    level = approval_level_of(case, state)
    if 1 <= level <= len(chain):
        return chain[level - 1]
    return None


def approval_roles(case: Case) -> frozenset[Role]:
    """Who may approve (or send back) the result at the level it waits at."""
    current = approval_level_current(case)
    return frozenset({current.role}) if current is not None else frozenset()


# Who may be named to approve acceptances (a centre role: the case has no department yet).
ACCEPTANCE_APPROVERS = frozenset({Role.LEADER, Role.SUPERVISOR})


def acceptance_roles(case: Case) -> frozenset[Role]:
    """Who approves the acceptance of a case (立案审批)."""
    return frozenset({Role(office_get().acceptance_role)})


def category_line(category_id: int | None) -> list[int]:
    """The category's id and its ancestors', nearest first. The tree is read with the
    configuration; a category added since is looked up (editing the tree in the admin moves
    the configuration on, `CategoryAdmin`)."""
    parents = config().category_parents
    line: list[int] = []
    while category_id is not None and category_id not in line:
        line.append(category_id)
        if category_id in parents:
            category_id = parents[category_id]
        else:
            category_id = (
                Category.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()
            )
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


# --- Extra fields ---------------------------------------------------------------------------
# The further details an office asks for per category (the clinic's procedure, the
# insurer's policy number): which fields a case of a category has, and its values checked
# and typed for `Case.extra`. Registration (`cases.services.case_prepare`) checks them; the
# forms and the API draw their fields from `extra_fields_for`.

EXTRA_TEXT_MAX_CHARS = 500
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"-?\d{1,15}")
logger = logging.getLogger(__name__)


def extra_fields_all() -> tuple[ExtraField, ...]:
    """Every extra field of the office, in their order (the API's office description)."""
    return config().extra_fields


def extra_fields_for(category_id: int | None) -> list[ExtraField]:
    """The extra fields of a case in `category_id`: those for every case (no category) and
    those of the category or one of its ancestors; of two with the same code, the one of
    the nearest category."""
    line = category_line(category_id)

    def distance(extra: ExtraField) -> int:  # 0: the category's own; len(line): every case's
        return line.index(extra.category_id) if extra.category_id else len(line)

    applying = [e for e in config().extra_fields if e.category_id is None or e.category_id in line]
    chosen: dict[str, ExtraField] = {}
    for extra in sorted(applying, key=distance, reverse=True):
        chosen[extra.code] = extra  # the nearer come later and win
    return sorted(chosen.values(), key=lambda e: (e.position, e.code))


def extra_choice_codes(extra: ExtraField) -> list[str]:
    """A choice field's choices as codes (an admin writes them as texts, or as
    [code, label] pairs)."""
    return [str(c[0]) if isinstance(c, list | tuple) and c else str(c) for c in extra.choices]


def extra_choice_pairs(extra: ExtraField) -> list[tuple[str, str]]:
    """A choice field's choices as (code, label) pairs."""
    return [
        (str(c[0]), str(c[1] if len(c) > 1 else c[0]))
        if isinstance(c, list | tuple) and c
        else (str(c), str(c))
        for c in extra.choices
    ]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _extra_value(extra: ExtraField, value: object) -> tuple[object, str]:
    """The value of one extra field as it is stored, or the problem with it."""
    if isinstance(value, date):
        value = value.isoformat()
    if extra.type == ExtraField.Type.NUMBER:
        if isinstance(value, int) and not isinstance(value, bool):
            return value, ""
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            return int(value.strip()), ""
        return None, _("enter a whole number")
    if not isinstance(value, str):
        return None, _("enter text")
    if "\x00" in value:
        return None, _("null characters are not allowed")
    value = value.strip()
    if extra.type == ExtraField.Type.DATE:
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value).isoformat(), ""
        except ValueError:
            pass  # 2026-02-30: a date's form, but no date
        return None, _("enter a date as YYYY-MM-DD")
    if extra.type == ExtraField.Type.CHOICE:
        if value not in extra_choice_codes(extra):
            return None, _("choose one of the choices given")
        return value, ""
    if len(value) > EXTRA_TEXT_MAX_CHARS:
        return None, _("at most %(limit)d characters") % {"limit": EXTRA_TEXT_MAX_CHARS}
    if extra.pattern and not _matches(extra, value):
        return None, _("this is not in the expected form")
    return value, ""


def _matches(extra: ExtraField, value: str) -> bool:
    try:
        return re.fullmatch(extra.pattern, value) is not None
    except re.error:
        # A pattern the admin wrote wrongly must not stop registration: it is not applied.
        logger.warning("Extra field %s has an invalid pattern %r", extra.code, extra.pattern)
        return True


def extra_clean(category_id: int | None, raw: Mapping[str, object]) -> dict[str, object]:
    """The extra fields of a case in `category_id`, checked and typed for `Case.extra`:

    1. a code the category has no field for is refused;
    2. a required field must be given (blank counts as not given);
    3. each given value must have its field's type (text, whole number, date as
       YYYY-MM-DD, one of the choices) and a text must match the field's pattern.
    ValidationError keyed `extra.<code>`, each message naming the field's label and code.
    Fields left blank are not stored."""
    fields = {extra.code: extra for extra in extra_fields_for(category_id)}
    errors: dict[str, list[str]] = {}
    for code in sorted(set(raw) - set(fields)):
        errors[f"extra.{code}"] = [
            _("%(code)s: there is no such further detail for this category.") % {"code": code}
        ]
    clean: dict[str, object] = {}
    for code, extra in fields.items():
        value = raw.get(code)
        if _is_blank(value):
            if extra.is_required:
                problem = _("this detail is required")
                errors[f"extra.{code}"] = [_extra_message(extra, problem)]
            continue
        typed, problem = _extra_value(extra, value)
        if problem:
            errors[f"extra.{code}"] = [_extra_message(extra, problem)]
        else:
            clean[code] = typed
    if errors:
        raise ValidationError(errors)
    return clean


def _extra_message(extra: ExtraField, problem: str) -> str:
    return _("%(label)s (%(code)s): %(problem)s.") % {
        "label": extra.label,
        "code": extra.code,
        "problem": problem,
    }


def extra_shown(
    case: Case, *, shown_as: Callable[[str], str] | None = None
) -> list[tuple[str, str, object]]:
    """A case's extra fields as (code, label, value) in the fields' order, a choice by its
    label, for the case page, the case file and the API; a value whose field is gone is
    shown under its code. `shown_as` is how the reader may read a text
    (`access.text_masker_for`: personal data masked for those who may not see it)."""
    labels = {extra.code: extra for extra in config().extra_fields}
    labels.update({extra.code: extra for extra in extra_fields_for(case.category_id)})
    shown: list[tuple[str, str, object]] = []
    for code, value in sorted(
        case.extra.items(), key=lambda item: (_position(labels.get(item[0])), item[0])
    ):
        extra = labels.get(code)
        if extra is not None and extra.type == ExtraField.Type.CHOICE:
            value = dict(extra_choice_pairs(extra)).get(str(value), value)
        if isinstance(value, str) and shown_as is not None:
            value = shown_as(value)
        shown.append((code, extra.label if extra is not None else code, value))
    return shown


def _position(extra: ExtraField | None) -> int:
    return extra.position if extra is not None else 1 << 15


# --- checks of the whole configuration --------------------------------------------------


def acceptance_role_problem(office_row: Office) -> str | None:
    """Why the office's acceptance approval could never be given, if so."""
    if not office_row.uses_acceptance_approval:
        return None
    if office_row.acceptance_role not in ACCEPTANCE_APPROVERS:
        return _("Acceptance is approved by a leader or a supervisor.")
    if not role_is_held(office_row.acceptance_role):
        return _("No active user is a %(role)s, so no acceptance could be approved.") % {
            "role": Role(office_row.acceptance_role).label
        }
    return None


def codes_problem(codes: list[str], known: list[str], what: str) -> str | None:
    """Why a list of kind or channel codes is not valid, if it is not."""
    unknown = [code for code in codes if code not in known]
    if unknown:
        return _("Unknown %(what)s: %(codes)s.") % {"what": what, "codes": ", ".join(unknown)}
    return None


def config_problems() -> list[str]:
    """Everything that would leave a case stuck or unanswerable in the office's current
    configuration (`load_profile` refuses a profile that has any; the admin refuses each
    edit that would make one)."""
    conf = _load()
    problems: list[str] = []
    for case_class in conf.classes.values():
        levels = [(level.level, level.role) for level in conf.levels.get(case_class.pk, ())]
        problems += [f"{case_class.label}: {p}" for p in approval_levels_problems(levels)]
        problem = case_class_policy_problem(case_class)
        if problem:
            problems.append(problem)
    problem = acceptance_role_problem(conf.office)
    if problem:
        problems.append(problem)
    for codes, known, what in (
        (conf.office.kinds, list(Kind.values), _("kinds")),
        (conf.office.channels, list(Channel.values), _("channels")),
    ):
        problem = codes_problem(list(codes), known, str(what))
        if problem:
            problems.append(problem)
    return problems
