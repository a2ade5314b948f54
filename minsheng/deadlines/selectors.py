"""Reads of the calendar and the deadline policies. Other apps ask here, never the models.

Both are small tables an administrator edits a few times a year and every registration and
every action reads, so each process keeps them in memory: one `WorkCalendar` (years loaded
as they are first asked about) and the list of policy rows. The copy is tagged with the
`DeadlinesVersion` it was read under; at most once a second (`FRESH_SECONDS`) a process
reads that one row, and drops its copy when the version moved. Every writer moves it
(`services.deadlines_changed`), so every process uses an edit within a second of its commit,
and the process that made it at once.
"""

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from minsheng.accounts.models import Role
from minsheng.accounts.selectors import role_is_held
from minsheng.deadlines.calendar import Overrides, WorkCalendar
from minsheng.deadlines.models import (
    ApprovalLevel,
    CalendarDay,
    CaseClass,
    DeadlinePolicy,
    DeadlinesVersion,
    Step,
    Unit,
)

# How stale a process's copy may be, at most: the time between two reads of the version.
FRESH_SECONDS = 1.0
VERSION_ID = 1  # the one DeadlinesVersion row


def _calendar_year_load(year: int) -> tuple[Overrides, bool]:
    """One year of CalendarDay rows; the year is known when it has at least one row."""
    rows = CalendarDay.objects.filter(
        date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
    ).values_list("date", "is_workday", "name")
    days = {d: (is_workday, name) for d, is_workday, name in rows}
    return days, bool(days)


@dataclass(frozen=True)
class PolicyValues:
    """The time allowed for each step of a case, in `unit` (appeal_days is always working
    days), and which policy it came from (`source`, its keys, for the due date's explanation)."""

    unit: Unit
    review: int
    dispatch: int
    plan: int
    result: int
    appeal_days: int
    acceptance: int = 1
    feedback: int = 1
    regulator: int = 10
    # Which policy it is (not the time allowed): its row, and its keys in words.
    policy_id: int | None = field(default=None, compare=False)
    source: str = field(default="", compare=False)

    def amount_for(self, step: Step) -> int:
        """The time allowed for `step` (an approval level's own time is the level's)."""
        amounts = {
            Step.REVIEW: self.review,
            Step.DISPATCH: self.dispatch,
            Step.PLAN: self.plan,
            Step.RESULT: self.result,
            Step.ACCEPTANCE: self.acceptance,
            Step.FEEDBACK: self.feedback,
            Step.REGULATOR: self.regulator,
        }
        return amounts[Step(step)]


@dataclass(frozen=True)
class _PolicyRow:
    row: DeadlinePolicy
    case_class_id: int | None
    kind: str
    severity: str
    category_id: int | None
    channel: str
    values: PolicyValues


class _Cached:
    """This process's copy of the calendar and the policies, and the version it belongs to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: int | None = None
        self.checked_at = float("-inf")
        self.calendar: WorkCalendar | None = None
        self.policies: list[_PolicyRow] | None = None
        # Other configuration kept under the same version (`configuration_cached`).
        self.others: dict[str, Any] = {}

    def clear(self) -> None:
        with self.lock:
            self.version = None
            self.checked_at = float("-inf")
            self.calendar = None
            self.policies = None
            self.others = {}

    def fresh(self) -> int | None:
        """Drop the copy if the version moved since it was read (asked at most once a
        `FRESH_SECONDS`); returns the version the copy now belongs to."""
        now = time.monotonic()
        if now - self.checked_at < FRESH_SECONDS:
            return self.version
        version = DeadlinesVersion.objects.filter(pk=VERSION_ID).values_list("version", flat=True)
        current = next(iter(version), 0)
        with self.lock:
            if current != self.version:
                self.calendar = None
                self.policies = None
                self.others = {}
                self.version = current
            self.checked_at = now
        return current

    def keep(
        self,
        *,
        calendar: WorkCalendar | None = None,
        policies: list["_PolicyRow"] | None = None,
        version: int | None = None,
    ) -> None:
        """Keep what was just read, unless the version moved while it was read (policies:
        read at once, so they belong to `version`; a calendar reads its years later)."""
        with self.lock:
            if calendar is not None and self.calendar is None:
                self.calendar = calendar
            if policies is not None and self.version == version:
                self.policies = policies


_cached = _Cached()

T = TypeVar("T")


def configuration_cached(key: str, load: Callable[[], T]) -> T:
    """What `load` reads, kept in this process under the calendar-and-policies version:
    other small tables every action reads (the office's process, `cases.office`) are cached
    the same way, and their writers move the same version (`services.deadlines_changed`)."""
    version = _cached.fresh()
    value = _cached.others.get(key)
    if value is None:
        value = load()
        with _cached.lock:
            if _cached.version == version:
                _cached.others[key] = value
    return value  # type: ignore[no-any-return]


def deadlines_cache_clear() -> None:
    """Forget this process's copy (the writer's own process, and tests)."""
    _cached.clear()


def calendar_get() -> WorkCalendar:
    """The working-day calendar as an administrator keeps it in CalendarDay rows.

    Each year is read with one query the first time a date in it is asked about, and kept
    until the calendar changes (see the module's docstring).
    """
    _cached.fresh()
    calendar = _cached.calendar
    if calendar is None:
        calendar = WorkCalendar(loader=_calendar_year_load)
        _cached.keep(calendar=calendar)
    return calendar


def _described(rows: Iterable[DeadlinePolicy]) -> list[tuple[DeadlinePolicy, str]]:
    """Each policy with its keys in words, in the site's language whatever the request's:
    the words are kept on every clock the policy starts (`CaseClock.policy`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return [(row, str(row)) for row in rows]


def _policy_rows() -> list[_PolicyRow]:
    version = _cached.fresh()
    rows = _cached.policies
    if rows is None:
        rows = [
            _PolicyRow(
                row=row,
                case_class_id=row.case_class_id,
                kind=row.kind,
                severity=row.severity,
                category_id=row.category_id,
                channel=row.channel,
                values=PolicyValues(
                    unit=Unit(row.unit),
                    review=row.review,
                    dispatch=row.dispatch,
                    plan=row.plan,
                    result=row.result,
                    appeal_days=row.appeal_days,
                    acceptance=row.acceptance,
                    feedback=row.feedback,
                    regulator=row.regulator,
                    policy_id=row.pk,
                    source=source,
                ),
            )
            for row, source in _described(
                DeadlinePolicy.objects.select_related("case_class", "category")
            )
        ]
        _cached.keep(policies=rows, version=version)
    return rows


# Used only when the policy table is empty: a working system must still set deadlines.
DEFAULT_POLICY = PolicyValues(
    unit=Unit.WORKING_DAYS, review=1, dispatch=1, plan=1, result=3, appeal_days=15
)


def policy_for(
    *,
    kind: str,
    severity: str,
    case_class_id: int | None = None,
    category_ids: Sequence[int] = (),
    channel: str = "",
) -> PolicyValues:
    """The deadlines for a case of this class, kind, severity, category (its id and its
    ancestors', nearest first) and channel.

    A policy's blank keys match any case; of the rows that match, the most specific wins:
    a matching class counts most, then severity, then category (a nearer one more), then
    channel, then kind. So an urgent suggestion is still counted in hours (urgency is about
    the matter, whatever its kind), and an office's class A outweighs everything. With no
    row at all, `DEFAULT_POLICY`.
    """
    depth = {category_id: len(category_ids) - k for k, category_id in enumerate(category_ids)}
    matching = [
        r
        for r in _policy_rows()
        if r.case_class_id in (None, case_class_id)
        and r.kind in (kind, "")
        and r.severity in (severity, "")
        and (r.category_id is None or r.category_id in depth)
        and r.channel in (channel, "")
    ]
    if not matching:
        return DEFAULT_POLICY

    def rank(row: _PolicyRow) -> tuple[bool, bool, int, bool, bool]:
        return (
            row.case_class_id is not None,
            row.severity != "",
            depth.get(row.category_id, 0) if row.category_id is not None else 0,
            row.channel != "",
            row.kind != "",
        )

    return max(matching, key=rank).values


def policy_label(policy_id: int | None) -> str | None:
    """A policy's keys in words, in the reader's language (None if the row is gone). Kept
    with the policies, per language: every clock's due date explains itself with it, and
    the words (choices' labels translated one by one) cost more than the due date."""
    found = next((r.row for r in _policy_rows() if r.row.pk == policy_id), None)
    if found is None:
        return None
    key = f"policy_label:{policy_id}:{translation.get_language()}"
    return configuration_cached(key, lambda: str(found))


# --- checks of the configuration an administrator edits -------------------------------
# An office's configuration error is refused when it is made (the admin, `load_profile`),
# never found later as a case nobody may move on.

APPROVAL_ROLES = frozenset({Role.HEAD, Role.LEADER})  # as `cases.workflow.table.APPROVERS`


def approval_levels_problems(levels: Sequence[tuple[int, str]]) -> list[str]:
    """What is wrong with a class's approval levels, given as (level, role): levels run
    1, 2, 3 without a gap, each given by a department head or a leader that some active
    user is."""
    problems: list[str] = []
    numbers = sorted(level for level, _role in levels)
    if len(numbers) > ApprovalLevel.MAX_LEVELS:
        problems.append(_("A class has at most three approval levels."))
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(
            _("Approval levels must run 1, 2, 3 without a gap (given: %(levels)s).")
            % {"levels": ", ".join(str(n) for n in numbers)}
        )
    for level, role in sorted(levels):
        if role not in APPROVAL_ROLES:
            problems.append(
                _("Level %(level)s: an approval is given by a department head or a leader.")
                % {"level": level}
            )
        elif not role_is_held(role):
            problems.append(
                _("Level %(level)s: no active user is a %(role)s, so no one could approve.")
                % {"level": level, "role": Role(role).label}
            )
    return problems


def case_class_policy_problem(case_class: CaseClass, *, policies_given: int = 0) -> str | None:
    """Why a class has no deadline policy, if it has none: neither one of its own (in the
    database or `policies_given` on the form) nor one that fits every case of its handling."""
    if policies_given:
        return None
    own = case_class.pk is not None and DeadlinePolicy.objects.filter(case_class=case_class)
    generic = DeadlinePolicy.objects.filter(
        case_class__isnull=True,
        kind="",
        category__isnull=True,
        channel="",
        severity__in=["", case_class.handling],
    )
    if (own and own.exists()) or generic.exists():
        return None
    return _("The class %(label)s has no deadline policy: add one for it.") % {
        "label": case_class.label
    }
