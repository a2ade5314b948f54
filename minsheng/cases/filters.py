"""The case list filters, shared by the workbench list, the API list and the statistics.

Besides the case's own fields the list filters by *outcome* (what became of a case: answered
within the deadline, resolved, extended, supervised ...). The statistics (`reports`) count
exactly these conditions, `outcome_q` below, so a figure's link to the case list shows the
cases the figure counts: one definition, read by both.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department, User
from minsheng.cases import access, search
from minsheng.cases.forms import CategoryGroups, searchable
from minsheng.cases.models import (
    Area,
    Case,
    CaseClock,
    CaseEvent,
    Category,
    Channel,
    Complainant,
    ExtensionRequest,
    Rating,
    State,
)
from minsheng.cases.selectors import NEWEST_FIRST, OLDEST_FIRST, case_sections_by_due
from minsheng.cases.services import email_hash, name_hash, phone_hash
from minsheng.cases.workflow.spec import Act
from minsheng.deadlines.models import Kind, Severity, Step
from minsheng.lib.pagination import COUNT_CAP, KeysetPaginator, Section
from minsheng.lib.phones import phone_normalise

# What a case number looks like (MS-20261122-000123): such a keyword is looked up first.
CASE_NUMBER = re.compile(r"[A-Z]{1,4}-?\d{8}-?\d{4,8}")
# A value with this many digits is searched as a phone number, anything else as a name.
PHONE_MIN_DIGITS = 7


class Outcome:
    """What became of a case, as the statistics count it (keys of `outcome_q`)."""

    ANSWER_DUE = "answer_due"
    ANSWERED_ON_TIME = "answered_on_time"
    ANSWER_LATE = "answer_late"
    STEPS_DUE = "steps_due"
    STEPS_ON_TIME = "steps_on_time"
    STEPS_LATE = "steps_late"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    RATED = "rated"
    SATISFIED = "satisfied"
    EXTENDED = "extended"
    RETURNED = "returned"
    SUPERVISED = "supervised"


OUTCOME_CHOICES = [
    (Outcome.ANSWER_DUE, _("Answer due (on time or late)")),
    (Outcome.ANSWERED_ON_TIME, _("Answered within the deadline")),
    (Outcome.ANSWER_LATE, _("Answer late or overdue")),
    (Outcome.STEPS_DUE, _("Finished or overdue")),
    (Outcome.STEPS_ON_TIME, _("Finished with every step on time")),
    (Outcome.STEPS_LATE, _("A step overran its deadline")),
    (Outcome.ANSWERED, _("Answered")),
    (Outcome.RESOLVED, _("Resolved, as the complainant confirms")),
    (Outcome.RATED, _("Rated by the complainant")),
    (Outcome.SATISFIED, _("Satisfied or fairly satisfied")),
    (Outcome.EXTENDED, _("Extension granted")),
    (Outcome.RETURNED, _("Returned by a department")),
    (Outcome.SUPERVISED, _("Received a supervision notice")),
]

# The levels a supervision notice is issued at, as `supervision` writes them into the data
# of its `notice_issued` timeline events (催办, 督办, 领导督办, 通报). The core cannot import a
# feature; reports' tests check that this list matches supervision's.
NOTICE_LEVEL_CHOICES = [
    ("reminder", _("Reminder")),
    ("supervision", _("Supervision notice")),
    ("leader", _("Leader's supervision")),
    ("circulation", _("Public circulation")),
]

NONE = "none"  # the value of the "no department / category / area" choice
CONFIRMED_RATINGS = (Rating.SATISFIED, Rating.FAIRLY_SATISFIED)
# States in which no step runs any more and the case was not folded into another.
FINISHED_STATES = (State.REPLIED, State.CLOSED, State.ARCHIVED, State.REJECTED, State.TRANSFERRED)


def _overran(now: datetime) -> Q:
    """A clock that ran past its due time: stopped after it, or still running after it.
    (A paused clock has no due time and never overruns while paused.)"""
    return Q(stopped_at__gt=F("due_at")) | Q(stopped_at__isnull=True, due_at__lt=now)


def _clock_overran(now: datetime, *, step: Step | None = None) -> Exists:
    clocks = CaseClock.objects.filter(_overran(now), case=OuterRef("pk"))
    if step is not None:
        clocks = clocks.filter(step=step)
    return Exists(clocks)


def _event(act: Act, **data: Any) -> Exists:
    return Exists(
        CaseEvent.objects.filter(
            case=OuterRef("pk"), action=act, **{f"data__{k}": v for k, v in data.items()}
        )
    )


def outcome_q(key: str, *, now: datetime) -> Q:
    """The condition on `Case` for the outcome `key` as it stands at `now`.

    Definitions (README, "Supervision and statistics"). Cases merged into another are left
    out of every rate: their answer is the other case's.

    - answered within the deadline: answered (`replied_at` set) and no result clock of the
      case ran past its due time (extensions granted are part of the due time); an inquiry
      answered at intake has no result clock and counts as answered in time;
    - answer late: a result clock ran past its due time (answered late, or still unanswered
      after it); answer due = either of the two (cases still inside their time are neither);
    - every step on time: finished (replied, closed, archived, rejected, transferred) and no
      clock of any step (review, dispatch, plan, result, appeal review) ran past its due time;
      a step late: some clock did; finished or overdue = either;
    - answered: holds an answer now (`replied_at`; an appeal that was redone clears it until
      the new answer); resolved: answered and the complainant's rating (on the portal, by
      phone or at a return visit: `Case.rating`) is satisfied or fairly satisfied; an appeal
      that was redone clears the rating, so only the rating of the last answer counts;
    - rated: has a rating; satisfied: rated satisfied or fairly satisfied;
    - extension granted: an extension request was approved; returned: a department returned
      it as not theirs at least once; supervised: it received a supervision notice.
    """
    single = Q(merged_into__isnull=True)
    result_late = Q(_clock_overran(now, step=Step.RESULT))
    any_late = Q(_clock_overran(now))
    answered = single & Q(replied_at__isnull=False)
    if key == Outcome.ANSWERED_ON_TIME:
        return answered & ~result_late
    if key == Outcome.ANSWER_LATE:
        return single & result_late
    if key == Outcome.ANSWER_DUE:
        return single & ((Q(replied_at__isnull=False) & ~result_late) | result_late)
    if key == Outcome.STEPS_ON_TIME:
        return single & Q(state__in=FINISHED_STATES) & ~any_late
    if key == Outcome.STEPS_LATE:
        return single & any_late
    if key == Outcome.STEPS_DUE:
        return single & ((Q(state__in=FINISHED_STATES) & ~any_late) | any_late)
    if key == Outcome.ANSWERED:
        return answered
    if key == Outcome.RESOLVED:
        return answered & Q(rating__in=CONFIRMED_RATINGS)
    if key == Outcome.RATED:
        return single & ~Q(rating="")
    if key == Outcome.SATISFIED:
        return single & Q(rating__in=CONFIRMED_RATINGS)
    if key == Outcome.EXTENDED:
        return Q(
            Exists(
                ExtensionRequest.objects.filter(
                    case=OuterRef("pk"), status=ExtensionRequest.Status.APPROVED
                )
            )
        )
    if key == Outcome.RETURNED:
        return Q(return_count__gt=0)
    if key == Outcome.SUPERVISED:
        return Q(_event(Act.NOTICE_ISSUED))
    raise ValueError(f"unknown outcome {key!r}")


def returned_by_q(department: Department) -> Q:
    """Cases that `department` returned as not theirs (the department is in the event)."""
    return Q(_event(Act.RETURN, department=department.pk))


def noticed_q(*, levels: list[str] | None = None, department: Department | None = None) -> Q:
    """Cases that received a supervision notice, of one of `levels` and addressed to
    `department` when given (one notice must match both)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), action=Act.NOTICE_ISSUED)
    if levels:
        events = events.filter(data__level__in=levels)
    if department is not None:
        events = events.filter(data__department=department.pk)
    return Q(Exists(events))


def _with_descendants(model: type[Area] | type[Category], root_id: int) -> set[int]:
    """The ids of a node of a three-level tree and of the nodes below it, looked up first so
    the case query is one indexed `IN`."""
    ids = {root_id}
    children = set(model.objects.filter(parent_id=root_id).values_list("pk", flat=True))
    ids |= children
    if children:
        ids |= set(model.objects.filter(parent__in=children).values_list("pk", flat=True))
    return ids


class _CategoryGroupsAndNone(django_filters.fields.ModelChoiceIterator, CategoryGroups):
    """The category tree's groups, after the empty choice and the "no category" one."""


class CategoryFilterField(django_filters.fields.ModelChoiceField):
    """The category filter's field: grouped by the category tree and searchable, like the
    category of the action forms."""

    iterator = _CategoryGroupsAndNone

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        searchable(self.widget)


class CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryFilterField


class OverdueSelect(django_filters.widgets.BooleanWidget):
    """The overdue filter's choices in words: any, overdue only, not overdue."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("", _("Any")),
            ("true", _("Overdue only")),
            ("false", _("Not overdue")),
        ]


# The sort menu: each ordering named for what it puts first (the parameters stay `due`,
# `-due`, `submitted`, `-submitted` for the API).
ORDERING_CHOICES = [
    ("due", _("Due time, soonest first")),
    ("-due", _("Due time, latest first")),
    ("-submitted", _("Submitted, newest first")),
    ("submitted", _("Submitted, oldest first")),
]


class CaseFilterSet(django_filters.FilterSet):
    """Filters a user's visible cases by state, kind, severity, channel, department,
    category, date range, overdue and a keyword; sorts by due time or submission."""

    # distinct=False: a column of the case itself never repeats a row, and DISTINCT over
    # every column makes the database sort the whole result (slow at a million cases).
    state = django_filters.MultipleChoiceFilter(
        choices=State.choices, label=_("State"), distinct=False
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=Kind.choices, label=_("Kind"), distinct=False
    )
    severity = django_filters.MultipleChoiceFilter(
        choices=Severity.choices, label=_("Severity"), distinct=False
    )
    channel = django_filters.MultipleChoiceFilter(
        choices=Channel.choices, label=_("Channel"), distinct=False
    )
    # "none": cases without one (the statistics count them in a row of their own).
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        label=_("Department"),
        empty_label=_("All departments"),
        null_label=_("No department"),
        null_value=NONE,
    )
    category = CategoryFilter(
        queryset=Category.objects.all(),
        method="filter_category",
        label=_("Category"),
        empty_label=_("All categories"),
        null_label=_("No category"),
        null_value=NONE,
    )
    area = django_filters.ModelChoiceFilter(
        queryset=Area.objects.all(),
        to_field_name="code",
        method="filter_area",
        label=_("Area"),
        empty_label=_("All areas"),
        null_label=_("No area"),
        null_value=NONE,
    )
    submitted_from = django_filters.DateFilter(
        method="filter_submitted_from", label=_("Submitted from")
    )
    submitted_to = django_filters.DateFilter(
        method="filter_submitted_to", label=_("Submitted until")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue"), widget=OverdueSelect
    )
    q = django_filters.CharFilter(method="filter_keyword", label=_("Keyword"))
    # Names, phones and e-mails are encrypted: an exact match on their keyed hash, never a
    # partial one; only for the roles `access.can_search_by_complainant` names.
    complainant = django_filters.CharFilter(
        method="filter_complainant",
        label=_("Complainant (exact name, phone or e-mail)"),
        distinct=False,
    )
    # What the statistics count (reports); each figure links here with these.
    outcome = django_filters.ChoiceFilter(
        choices=OUTCOME_CHOICES,
        method="filter_outcome",
        label=_("Counted in the statistics as"),
        empty_label=_("Any outcome"),
    )
    rating = django_filters.MultipleChoiceFilter(
        choices=Rating.choices, label=_("Rating"), distinct=False
    )
    returned_by = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        method="filter_returned_by",
        label=_("Returned by"),
        empty_label=_("Any department"),
    )
    notice_level = django_filters.MultipleChoiceFilter(
        choices=NOTICE_LEVEL_CHOICES, method="filter_notices", label=_("Supervision notice")
    )
    notice_department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        method="filter_notices",
        label=_("Notice addressed to"),
        empty_label=_("Any department"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(("next_due_at", "due"), ("created_at", "submitted")),
        choices=ORDERING_CHOICES,
        label=_("Sort by"),
        empty_label=_("Newest first (default)"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ranked parts of a keyword search, and the one `sections` is building.
        self._ranked: list[Q] = []
        self._keyword_section: Q | None = None
        # Who is filtering: given, or the request's user (the API's filter backend).
        self.user = user or getattr(self.request, "user", None)

    def filter_category(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        """A category includes its sub-categories (three levels at most). The ids are looked
        up first so the case query is one indexed `IN`, not three joins."""
        if value == NONE:
            return queryset.filter(category__isnull=True)
        if not value:
            return queryset
        return queryset.filter(category__in=_with_descendants(Category, value.pk))

    def filter_area(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        """An area includes the areas inside it (district, street, community)."""
        if value == NONE:
            return queryset.filter(area__isnull=True)
        if not value:
            return queryset
        return queryset.filter(area__in=_with_descendants(Area, value.pk))

    def filter_outcome(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(outcome_q(value, now=timezone.now())) if value else queryset

    def filter_returned_by(
        self, queryset: QuerySet[Case], name: str, value: Department | None
    ) -> QuerySet[Case]:
        return queryset.filter(returned_by_q(value)) if value is not None else queryset

    def filter_notices(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        """Level and addressee filter one notice together (a reminder to one department and
        a circulation to another is not "a circulation to the first")."""
        data = self.form.cleaned_data
        levels, department = data.get("notice_level") or [], data.get("notice_department")
        first = "notice_level" if levels else "notice_department"
        if name != first or not (levels or department):
            return queryset
        return queryset.filter(noticed_q(levels=levels, department=department))

    # A day in the current time zone, as a range on created_at (an index can serve it; the
    # `__date` lookup converts every row's timestamp first).
    def filter_submitted_from(
        self, queryset: QuerySet[Case], name: str, value: date | None
    ) -> QuerySet[Case]:
        return queryset if value is None else queryset.filter(created_at__gte=_day_start(value))

    def filter_submitted_to(
        self, queryset: QuerySet[Case], name: str, value: date | None
    ) -> QuerySet[Case]:
        if value is None:
            return queryset
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        if value is None:
            return queryset
        overdue = Q(next_due_at__lt=timezone.now())
        # Not overdue: due later, or no due time (ended cases). Written as a negation, which
        # no index answers, so each list reads its own order's index and tests the rows:
        # as `due >= now OR due IS NULL` SQLite collected both halves from the due-time
        # indexes and sorted them all (90 % of the table) for every page.
        return queryset.filter(overdue if value else ~overdue)

    def filter_keyword(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """A case number finds that case; anything else is a keyword (`cases.search`): in the
        subject, the text, the respondent unit or the place, any length from one character.
        While `sections` builds a ranked part, only that part's condition applies."""
        value = value.strip()
        if not value:
            return queryset
        number = value.upper()
        if CASE_NUMBER.fullmatch(number) and Case.objects.filter(number=number).exists():
            return queryset.filter(number=number)
        keyword = search.Keyword.parse(value)
        if not keyword:
            return queryset.none()
        if self._keyword_section is not None:
            return queryset.filter(self._keyword_section)
        self._ranked = search.keyword_sections(keyword)
        return queryset.filter(search.keyword_q(keyword))

    def sections(self) -> list[Section]:
        """The filtered cases as lists page through them (`lib.pagination`), in order: for
        a keyword, matches in the subject before the others, newest first within each;
        by due time, cases with a due time before those without. Each part is sorted by
        keys an index serves, the id last."""
        cases = self.qs
        wanted = (self.form.cleaned_data.get("ordering") or [None])[0] if self.is_bound else None
        if wanted in ("due", "-due"):
            return case_sections_by_due(cases, latest_first=wanted == "-due")
        if wanted == "submitted":
            return [Section(cases, OLDEST_FIRST)]
        if wanted is None and self._ranked:
            ranked = []
            for condition in self._ranked:
                self._keyword_section = condition
                try:
                    ranked.append(Section(self.filter_queryset(self.queryset.all()), NEWEST_FIRST))
                finally:
                    self._keyword_section = None
            return ranked
        return [Section(cases, NEWEST_FIRST)]

    def paginator(self, per_page: int) -> KeysetPaginator:
        """The filtered cases as the page and the API page through them (`sections`), with
        the total counted up to COUNT_CAP, or up to `search.COUNT_CAP` for a keyword. The
        list is the user's cases (`selectors.case_list_for_user`): it is counted as the
        filtered parts of what they may see (`access.cases_visible_parts`), each from its
        own index."""
        cases = self.qs  # filters first: a keyword search sets `_ranked`
        cap = search.COUNT_CAP if self._ranked else COUNT_CAP
        parts = []
        if isinstance(self.user, User):
            parts = access.cases_visible_parts(self.user)
            if self.is_bound:  # as `qs` filters
                parts = [self.filter_queryset(part) for part in parts]
        return KeysetPaginator(self.sections(), per_page, counted=cases, cap=cap, parts=parts)

    def filter_complainant(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """Cases with a complainant of exactly this name, phone number or e-mail address
        (compared by keyed hash); no case at all for a user who may not search by person."""
        value = value.strip()
        if not value:
            return queryset
        if not isinstance(self.user, User) or not access.can_search_by_complainant(self.user):
            return queryset.none()
        if "@" in value:
            hashed = Q(email_hash=email_hash(value))
        elif len(phone_normalise(value)) >= PHONE_MIN_DIGITS:
            hashed = Q(phone_hash=phone_hash(value))
        else:
            hashed = Q(name_hash=name_hash(value))
        people = Complainant.objects.filter(hashed)
        return queryset.filter(
            Exists(people.filter(case=OuterRef("pk")))
            | Exists(people.filter(case__merged_into=OuterRef("pk")))
        )


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
