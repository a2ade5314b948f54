"""The figures: the dashboard (`dashboard_for`), the department evaluation
(`evaluation_for`) and the public disclosure (`public_figures`). Read live from the cases.

Every figure counts the cases submitted in a period (the cohort) that meet a condition of
the case list's filters (`cases.filters`: `outcome_q`, `returned_by_q`, `noticed_q`), and
carries the case-list parameters that list exactly those cases. Formulas: README,
"Supervision and statistics".
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models import Case as DjangoCase
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.filters import (
    CONFIRMED_RATINGS,
    FINISHED_STATES,
    NOTICE_LEVEL_CHOICES,
    CaseFilterSet,
    Outcome,
)
from minsheng.cases.models import Area, Case, Category, Channel, Rating
from minsheng.deadlines.calendar import LOCAL_TZ
from minsheng.deadlines.models import Kind
from minsheng.lib.replica import replica_reads
from minsheng.reports.filters import Period, StatsQuery, month_period
from minsheng.reports.models import (
    COUNT_PARTS,
    RATE_PARTS,
    CaseFact,
    EvaluationWeight,
    ScorePart,
)

# --- shapes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """A number of cases and the case-list parameters that list exactly them."""

    count: int
    params: dict[str, Any]

    @property
    def query(self) -> str:
        return urlencode(self.params, doseq=True)


@dataclass(frozen=True)
class Ratio:
    """A rate: numerator and denominator cases."""

    numerator: Tally
    denominator: Tally

    @property
    def value(self) -> float | None:
        """Between 0 and 1, or None when nothing is counted."""
        if not self.denominator.count:
            return None
        return self.numerator.count / self.denominator.count

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else round(100 * value, 1)


@dataclass(frozen=True)
class RateFigure:
    key: str
    label: Any
    formula: Any
    numerator_label: Any
    denominator_label: Any
    current: Ratio
    previous: Ratio
    # The cases that failed it (late answers, steps overran), where that is worth a link.
    shortfall_label: Any = None
    shortfall: Tally | None = None


@dataclass(frozen=True)
class CountFigure:
    key: str
    label: Any
    formula: Any
    current: Tally
    previous: Tally


@dataclass(frozen=True)
class Duration:
    """Handling time of the answered cases, in working days."""

    mean: float | None
    p90: int | None
    over: Tally


@dataclass(frozen=True)
class DurationFigure:
    key: str
    label: Any
    formula: Any
    current: Duration
    previous: Duration


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    current: Tally
    previous: Tally


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: Any
    rows: list[Row]
    # Rows of a period breakdown compare with the same position in the previous period.
    is_period: bool = False


@dataclass(frozen=True)
class Dashboard:
    """Everything /work/stats/ and GET /api/v1/stats show, for one query."""

    query: StatsQuery
    period: Period
    previous_period: Period
    volume: CountFigure
    rates: list[RateFigure]
    handling: DurationFigure
    counts: list[CountFigure]
    breakdowns: list[Breakdown]
    generated_at: datetime


# --- the cohort and its counts ----------------------------------------------------------


def _cohort(base: QuerySet[Case], params: dict[str, Any]) -> QuerySet[Case]:
    """The cases the case list shows for `params`: the same FilterSet, the same cases."""
    return CaseFilterSet(params, queryset=base).qs.order_by()


# The outcomes the dashboard counts, and the notice levels (one Count each, one query).
NOTICE_KEYS = tuple(f"notice_{level}" for level, _label in NOTICE_LEVEL_CHOICES)
HEADLINE_OUTCOMES = (
    Outcome.ANSWER_DUE,
    Outcome.ANSWERED_ON_TIME,
    Outcome.ANSWER_LATE,
    Outcome.STEPS_DUE,
    Outcome.STEPS_ON_TIME,
    Outcome.STEPS_LATE,
    Outcome.ANSWERED,
    Outcome.RESOLVED,
    Outcome.RATED,
    Outcome.SATISFIED,
    Outcome.EXTENDED,
    Outcome.RETURNED,
    Outcome.SUPERVISED,
)


def fact_q(key: str, *, now: datetime) -> Q:
    """`cases.filters.outcome_q(key)` on the per-case summary (`CaseFact`): the same
    conditions, read from one row per case instead of the clocks and events (tests hold the
    two equal). A late-from moment before `now` is a clock that ran past its due time."""
    single = Q(is_merged=False)
    result_late = Q(result_late_from__lt=now)
    any_late = Q(late_from__lt=now)
    answered = single & Q(is_answered=True)
    finished = Q(state__in=FINISHED_STATES)
    conditions = {
        Outcome.ANSWERED_ON_TIME: answered & ~result_late,
        Outcome.ANSWER_LATE: single & result_late,
        Outcome.ANSWER_DUE: single & ((Q(is_answered=True) & ~result_late) | result_late),
        Outcome.STEPS_ON_TIME: single & finished & ~any_late,
        Outcome.STEPS_LATE: single & any_late,
        Outcome.STEPS_DUE: single & ((finished & ~any_late) | any_late),
        Outcome.ANSWERED: answered,
        Outcome.RESOLVED: answered & Q(rating__in=CONFIRMED_RATINGS),
        Outcome.RATED: single & ~Q(rating=""),
        Outcome.SATISFIED: single & Q(rating__in=CONFIRMED_RATINGS),
        Outcome.EXTENDED: Q(is_extended=True),
        Outcome.RETURNED: Q(is_returned=True),
        Outcome.SUPERVISED: Q(has_reminder=True)
        | Q(has_supervision=True)
        | Q(has_leader=True)
        | Q(has_circulation=True),
    }
    return conditions[key]


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Beijing time (the case list's day boundary)."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


class _Cohorts:
    """The summary rows of the cases submitted in a period and in the previous one, read
    together: each row knows which of the two it belongs to (`w`)."""

    def __init__(self, *, query: StatsQuery, periods: Sequence[Period]) -> None:
        first, last = min(p.start for p in periods), max(p.end for p in periods)
        facts = CaseFact.objects.filter(
            created_at__gte=_day_start(first),
            created_at__lt=_day_start(date.fromordinal(last.toordinal() + 1)),
        )
        if query.narrowing:
            # The narrowing filters are the case list's (categories and areas with what is
            # under them): the same FilterSet picks the cases.
            cases = _cohort(Case.objects.all(), query.case_params(Period(first, last)))
            facts = facts.filter(case__in=cases.values("pk"))
        self.facts = facts
        self.periods = list(periods)
        whens = [
            When(
                created_at__gte=_day_start(p.start),
                created_at__lt=_day_start(date.fromordinal(p.end.toordinal() + 1)),
                then=Value(index),
            )
            for index, p in enumerate(self.periods)
        ]
        self.which = DjangoCase(*whens, default=Value(-1))

    def by_period(self, **aggregates: Any) -> list[dict[str, int]]:
        """`aggregates` for each period, in the order of the periods."""
        rows = self.facts.annotate(w=self.which).values("w").annotate(**aggregates)
        found = {row.pop("w"): row for row in rows}
        return [
            {k: found.get(i, {}).get(k) or 0 for k in aggregates} for i in range(len(self.periods))
        ]

    def groups(self, column: Any) -> list[dict[Any, int]]:
        """Cases per value of `column` (a field name or an expression), per period."""
        facts = self.facts.annotate(
            w=self.which, g=column if not isinstance(column, str) else F(column)
        )
        rows = facts.values("w", "g").annotate(n=Count("pk")).values_list("w", "g", "n")
        found: list[dict[Any, int]] = [{} for _p in self.periods]
        for index, value, n in rows:
            if 0 <= index < len(found):
                found[index][value] = n
        return found

    def handling(self, now: datetime) -> list[dict[int, int]]:
        """How many answered cases took each number of working days, per period."""
        found: list[dict[int, int]] = [{} for _p in self.periods]
        rows = (
            self.facts.filter(fact_q(Outcome.ANSWERED, now=now), handling_days__isnull=False)
            .annotate(w=self.which)
            .values("w", "handling_days")
            .annotate(n=Count("pk"))
            .values_list("w", "handling_days", "n")
        )
        for index, days, n in rows:
            if 0 <= index < len(found):
                found[index][days] = n
        return found


# The dashboard's groupings, read in one pass on PostgreSQL (GROUPING SETS).
GROUPED = ("kind", "channel", "category_id", "department_id", "area_id", "rating", "day")


def _one_pass(cohorts: _Cohorts, *, now: datetime, day: Any) -> dict[str, Any] | None:
    """The cases per value of each grouping, per period, in one scan of the summary rows on
    PostgreSQL (GROUPING SETS), with the answered cases per handling time. None on other
    databases (one query per grouping there)."""
    if connection.vendor != "postgresql":
        return None
    answered = ExpressionWrapper(
        fact_q(Outcome.ANSWERED, now=now) & Q(handling_days__isnull=False),
        output_field=BooleanField(),
    )
    inner = cohorts.facts.annotate(w=cohorts.which, day=day, o_answered=answered).values(
        "w", *GROUPED, "handling_days", "o_answered"
    )
    sql, params = inner.query.sql_with_params()
    columns = [*GROUPED, "handling_days"]
    sets = ", ".join(f"(w, {c})" for c in columns)
    query = (
        f"SELECT w, {', '.join(columns)}, GROUPING({', '.join(columns)}), COUNT(*), "  # noqa: S608 - our own column names
        f'COUNT(*) FILTER (WHERE "o_answered") FROM ({sql}) AS facts '
        f"GROUP BY GROUPING SETS ({sets})"
    )
    periods = len(cohorts.periods)
    groups: dict[str, list[dict[Any, int]]] = {c: [{} for _p in range(periods)] for c in columns}
    width = len(columns)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            index, values, mask, n, n_answered = (
                row[0], row[1 : width + 1], row[width + 1], row[width + 2], row[width + 3]
            )  # fmt: skip
            if not 0 <= index < periods:
                continue
            position = next(i for i in range(width) if not mask & (1 << (width - 1 - i)))
            column, value = columns[position], values[position]
            if column != "handling_days":
                groups[column][index][value] = n
            elif value is not None and n_answered:
                groups[column][index][value] = n_answered
    return {"groups": groups}


def _headline_counts(cohorts: _Cohorts, now: datetime) -> list[dict[str, int]]:
    """Per period: the volume, and per outcome and notice level its cases (one query over
    the per-case summary; `services.facts_refresh` brings it up to date first)."""
    counts: dict[str, Any] = {"volume": Count("pk")}
    counts.update({key: Count("pk", filter=fact_q(key, now=now)) for key in HEADLINE_OUTCOMES})
    for level, _label in NOTICE_LEVEL_CHOICES:
        counts[f"notice_{level}"] = Count("pk", filter=Q(**{f"has_{level}": True}))
    return cohorts.by_period(**counts)


def percentile_90(histogram: Mapping[int, int]) -> int | None:
    """The nearest-rank 90th percentile of values given as {value: how many}: the smallest
    value that at least 90 % of them are at or below."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = math.ceil(0.9 * total)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # not reached: the counts add up to the total


def mean_of(histogram: Mapping[int, int], digits: int = 2) -> float | None:
    total = sum(histogram.values())
    return round(sum(v * n for v, n in histogram.items()) / total, digits) if total else None


def _duration(histogram: dict[int, int], tally: Tally) -> Duration:
    """Handling time (working days from submission to answer, kept per case by
    `services.facts_rebuild`): mean and 90th percentile."""
    return Duration(mean=mean_of(histogram), p90=percentile_90(histogram), over=tally)


# --- breakdowns -------------------------------------------------------------------------


def _roots(model: type[Category] | type[Area]) -> dict[int, Any]:
    """Each node of a tree (three levels) mapped to its top-level node."""
    nodes: dict[int, Any] = {n.pk: n for n in model.objects.all()}

    def root(node: Any) -> Any:
        for _level in range(3):
            if node.parent_id is None or node.parent_id not in nodes:
                break
            node = nodes[node.parent_id]
        return node

    return {pk: root(node) for pk, node in nodes.items()}


def split(period: Period) -> list[Period]:
    """The period's days (up to 62 of them), else its months (clipped to the period)."""
    if period.days <= 62:
        return [
            Period(date.fromordinal(d), date.fromordinal(d))
            for d in range(period.start.toordinal(), period.end.toordinal() + 1)
        ]
    parts = []
    first = period.start.replace(day=1)
    while first <= period.end:
        month = month_period(first)
        parts.append(Period(max(month.start, period.start), min(month.end, period.end)))
        first = date.fromordinal(month.end.toordinal() + 1)
    return parts


class _Figures:
    """Counts of the current and the previous period, and their case-list parameters."""

    def __init__(self, *, query: StatsQuery, now: datetime) -> None:
        self.query = query
        self.now = now
        self.periods = {"current": query.period, "previous": query.period.previous}
        self.cohorts = _Cohorts(
            query=query, periods=[self.periods["current"], self.periods["previous"]]
        )
        self.by_month = query.period.days > 62
        self.day = (
            TruncMonth("created_at", tzinfo=LOCAL_TZ)
            if self.by_month
            else TruncDate("created_at", tzinfo=LOCAL_TZ)
        )
        self.read = _one_pass(self.cohorts, now=now, day=self.day)

    def headline(self) -> list[dict[str, int]]:
        return _headline_counts(self.cohorts, self.now)

    def handling(self) -> list[dict[int, int]]:
        if self.read is not None:
            return list(self.read["groups"]["handling_days"])
        return self.cohorts.handling(self.now)

    def tallies(self, counts: tuple[int, int], **more: Any) -> tuple[Tally, Tally]:
        current, previous = counts
        return (
            Tally(current, self.query.case_params(self.periods["current"], **more)),
            Tally(previous, self.query.case_params(self.periods["previous"], **more)),
        )

    def groups(self, column: str) -> tuple[dict[Any, int], dict[Any, int]]:
        """Cases per value of `column` (one of GROUPED), in each period."""
        if self.read is not None:
            current, previous = self.read["groups"][column]
        else:
            current, previous = self.cohorts.groups(self.day if column == "day" else column)
        return current, previous

    def choices(self, key: str, label: Any, choices: Sequence[tuple[str, Any]]) -> Breakdown:
        current, previous = self.groups(key)
        rows = []
        for value, text in choices:
            counts = (current.get(value, 0), previous.get(value, 0))
            if any(counts):
                now_tally, before = self.tallies(counts, **{key: value})
                rows.append(Row(key=value, label=str(text), current=now_tally, previous=before))
        return Breakdown(key=key, label=label, rows=rows)

    def tree(
        self, key: str, label: Any, model: type[Category] | type[Area], none_label: Any
    ) -> Breakdown:
        """Cases per top-level category or area (a node counts its sub-nodes' cases)."""
        roots = _roots(model)
        folded: list[dict[Any, int]] = []
        for grouped in self.groups(f"{key}_id"):
            totals: dict[Any, int] = {}
            for pk, n in grouped.items():
                top = roots.get(pk)
                totals[top] = totals.get(top, 0) + n
            folded.append(totals)
        current, previous = folded
        nodes = sorted(
            set(current) | set(previous),
            key=lambda n: (n is None, -current.get(n, 0), str(n)),
        )
        rows = []
        for node in nodes:
            counts = (current.get(node, 0), previous.get(node, 0))
            value = None if node is None else (node.code if model is Area else node.pk)
            now_tally, before = self.tallies(counts, **{key: value})
            text = str(none_label) if node is None else node.name
            rows.append(
                Row(key=str(value or "none"), label=text, current=now_tally, previous=before)
            )
        return Breakdown(key=key, label=label, rows=rows)

    def departments(self) -> Breakdown:
        current, previous = self.groups("department_id")
        names = {d.pk: d for d in Department.objects.filter(pk__in=set(current) | set(previous))}
        ids = sorted(
            set(current) | set(previous), key=lambda i: (i is None, -current.get(i, 0), i or 0)
        )
        rows = []
        for pk in ids:
            department = names.get(pk) if pk is not None else None
            counts = (current.get(pk, 0), previous.get(pk, 0))
            now_tally, before = self.tallies(
                counts, department=department.code if department else None
            )
            text = department.name if department else str(_("Not assigned"))
            rows.append(
                Row(
                    key=department.code if department else "none",
                    label=text,
                    current=now_tally,
                    previous=before,
                )
            )
        return Breakdown(key="department", label=_("By department"), rows=rows)

    def days(self) -> Breakdown:
        """Cases per day (or month) of the period, beside the same day of the previous one."""
        parts = {which: split(period) for which, period in self.periods.items()}
        by_month = self.by_month
        counts = {}
        for which, found in zip(("current", "previous"), self.groups("day"), strict=True):
            counts[which] = {
                (k.date() if isinstance(k, datetime) else k).replace(day=1) if by_month else k: n
                for k, n in found.items()
                if k is not None
            }
        rows = []
        previous_parts = parts["previous"]
        for index, part in enumerate(parts["current"]):
            key = part.start.replace(day=1) if by_month else part.start
            before_part = previous_parts[index] if index < len(previous_parts) else None
            before_key = None
            if before_part is not None:
                before_key = before_part.start.replace(day=1) if by_month else before_part.start
            current = Tally(
                counts["current"].get(key, 0),
                self.query.case_params(
                    self.periods["current"],
                    submitted_from=part.start.isoformat(),
                    submitted_to=part.end.isoformat(),
                ),
            )
            if before_part is None:
                before = Tally(0, {})
            else:
                before = Tally(
                    counts["previous"].get(before_key, 0),
                    self.query.case_params(
                        self.periods["previous"],
                        submitted_from=before_part.start.isoformat(),
                        submitted_to=before_part.end.isoformat(),
                    ),
                )
            label = f"{part.start:%Y-%m}" if by_month else f"{part.start:%m-%d}"
            rows.append(
                Row(key=part.start.isoformat(), label=label, current=current, previous=before)
            )
        return Breakdown(
            key="period",
            label=_("By month") if by_month else _("By day"),
            rows=rows,
            is_period=True,
        )


# --- the dashboard ----------------------------------------------------------------------

RATES = (
    # key, label, formula, numerator, denominator, shortfall outcome
    (
        "response",
        _("Response rate"),
        _(
            "Answered within the deadline ÷ answers due. Due: answered, or unanswered after "
            "the result deadline (extensions granted move the deadline). Inquiries answered at "
            "intake count as answered in time."
        ),
        Outcome.ANSWERED_ON_TIME,
        Outcome.ANSWER_DUE,
        Outcome.ANSWER_LATE,
    ),
    (
        "resolution",
        _("Resolution rate"),
        _(
            "Resolved ÷ answered. Resolved: the complainant rated the answer satisfied or "
            "fairly satisfied (on the portal, by phone or at a return visit); an appeal that "
            "was redone clears the rating. Unrated answers are not confirmed."
        ),
        Outcome.RESOLVED,
        Outcome.ANSWERED,
        None,
    ),
    (
        "satisfaction",
        _("Satisfaction rate"),
        _("Rated satisfied or fairly satisfied ÷ rated."),
        Outcome.SATISFIED,
        Outcome.RATED,
        None,
    ),
    (
        "on_time",
        _("On-time rate"),
        _(
            "Finished with every step on time ÷ (finished + overdue). Steps: review, "
            "dispatch, sign and plan, result, appeal review; finished: replied, closed, "
            "archived, rejected or transferred."
        ),
        Outcome.STEPS_ON_TIME,
        Outcome.STEPS_DUE,
        Outcome.STEPS_LATE,
    ),
)

OUTCOME_LABELS = {
    Outcome.ANSWERED_ON_TIME: _("answered within the deadline"),
    Outcome.ANSWER_DUE: _("answers due"),
    Outcome.ANSWER_LATE: _("late or overdue"),
    Outcome.RESOLVED: _("resolved"),
    Outcome.ANSWERED: _("answered"),
    Outcome.SATISFIED: _("satisfied"),
    Outcome.RATED: _("rated"),
    Outcome.STEPS_ON_TIME: _("every step on time"),
    Outcome.STEPS_DUE: _("finished or overdue"),
    Outcome.STEPS_LATE: _("a step overran"),
}

COUNTS = (
    (
        "extended",
        _("Extensions"),
        _("Cases with an extension granted (an approved extension request)."),
        Outcome.EXTENDED,
    ),
    (
        "returned",
        _("Returns"),
        _("Cases a department returned as not theirs at least once."),
        Outcome.RETURNED,
    ),
    (
        "supervised",
        _("Supervision notices"),
        _("Cases that received a supervision notice of any level."),
        Outcome.SUPERVISED,
    ),
)


@replica_reads()
def dashboard_for(*, query: StatsQuery) -> Dashboard:
    """The dashboard of `query`. Its readers (`cases.access.can_view_statistics`) see every
    case, so it counts every case; `services.facts_refresh` runs first.

    1. the cohorts: the summary rows of the cases submitted in the period and in the
       previous one, narrowed, both read by each query;
    2. one aggregate query for the volume, the rates' parts and the counts;
    3. the answered cases' submission and answer times, for the handling time;
    4. one grouped query per breakdown.
    """
    now = timezone.now()
    figures = _Figures(query=query, now=now)
    current, previous = figures.headline()

    def tallies(key: str, **more: Any) -> tuple[Tally, Tally]:
        return figures.tallies((current[key], previous[key]), **more)

    volume = CountFigure(
        "volume",
        _("Cases received"),
        _("Cases submitted in the period (every channel, merged ones included)."),
        *tallies("volume"),
    )
    rates = []
    for key, label, formula, top, bottom, short in RATES:
        numerators, denominators = tallies(top, outcome=top), tallies(bottom, outcome=bottom)
        rates.append(
            RateFigure(
                key=key,
                label=label,
                formula=formula,
                numerator_label=OUTCOME_LABELS[top],
                denominator_label=OUTCOME_LABELS[bottom],
                current=Ratio(numerators[0], denominators[0]),
                previous=Ratio(numerators[1], denominators[1]),
                shortfall_label=OUTCOME_LABELS[short] if short else None,
                shortfall=tallies(short, outcome=short)[0] if short else None,
            )
        )
    answered = tallies(Outcome.ANSWERED, outcome=Outcome.ANSWERED)
    handling = DurationFigure(
        "handling",
        _("Handling time (working days)"),
        _(
            "From submission to the answer the case holds, in working days on the official "
            "calendar (holidays and make-up days counted as they are): the working days after "
            "the submission date up to the answer date. Mean and 90th percentile (nearest "
            "rank) over the answered cases."
        ),
        *(
            _duration(histogram, tally)
            for histogram, tally in zip(figures.handling(), answered, strict=True)
        ),
    )
    counts = [
        CountFigure(key, label, formula, *tallies(outcome, outcome=outcome))
        for key, label, formula, outcome in COUNTS
    ]
    counts += [
        CountFigure(
            f"notice_{level}",
            level_label,
            _("Cases that received a notice of this level."),
            *tallies(f"notice_{level}", notice_level=[level]),
        )
        for level, level_label in NOTICE_LEVEL_CHOICES
    ]
    breakdowns = [
        figures.days(),
        figures.choices("kind", _("By kind"), Kind.choices),
        figures.choices("channel", _("By channel"), Channel.choices),
        figures.tree("category", _("By category"), Category, _("No category")),
        figures.departments(),
        figures.tree("area", _("By area"), Area, _("No area")),
        figures.choices("rating", _("By rating"), Rating.choices),
    ]
    return Dashboard(
        query=query,
        period=query.period,
        previous_period=query.period.previous,
        volume=volume,
        rates=rates,
        handling=handling,
        counts=counts,
        breakdowns=breakdowns,
        generated_at=now,
    )


# --- the department evaluation (考核) ----------------------------------------------------

NOTICE_LEVELS = tuple(level for level, _label in NOTICE_LEVEL_CHOICES if level != "circulation")
CIRCULATION = ("circulation",)


@dataclass(frozen=True)
class ScoreLine:
    """One part of a department's score: its value, its weight and the points it gives
    (rates) or takes (counts)."""

    part: ScorePart
    weight: float
    ratio: Ratio | None = None
    tally: Tally | None = None
    points: float | None = None

    @property
    def label(self) -> str:
        return str(self.part.label)


@dataclass(frozen=True)
class DepartmentScore:
    department: Department
    cases: Tally
    lines: list[ScoreLine]
    rate_points: float | None
    deducted: float
    score: float | None
    rank: int | None = None


@dataclass(frozen=True)
class Evaluation:
    query: StatsQuery
    period: Period
    weights: dict[str, float]
    rows: list[DepartmentScore]
    generated_at: datetime


def weights_get() -> dict[str, float]:
    """The evaluation weights (EvaluationWeight rows; a part without a row weighs 0)."""
    weights = {part.value: 0.0 for part in ScorePart}
    for row in EvaluationWeight.objects.all():
        weights[row.part] = float(row.weight)
    return weights


def _per_department(cohorts: _Cohorts, now: datetime) -> dict[int, dict[str, int]]:
    """Per lead department: its cases and the rate parts' counts, in one grouped query."""
    keys = (
        Outcome.ANSWER_DUE,
        Outcome.ANSWERED_ON_TIME,
        Outcome.ANSWERED,
        Outcome.RESOLVED,
        Outcome.RATED,
        Outcome.SATISFIED,
        Outcome.EXTENDED,
    )
    counts: dict[str, Any] = {"cases": Count("pk")}
    counts.update({key: Count("pk", filter=fact_q(key, now=now)) for key in keys})
    rows = (
        cohorts.facts.filter(department_id__isnull=False).values("department_id").annotate(**counts)
    )
    return {row.pop("department_id"): row for row in rows}


def _concerned(cohorts: _Cohorts) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per department: the cohort's cases it returned, those with a 催办/督办/领导督办
    addressed to it, and those with a 通报 addressed to it (each case once)."""
    returns: dict[int, int] = {}
    notices: dict[int, int] = {}
    circulations: dict[int, int] = {}
    rows = cohorts.facts.filter(~Q(returned_by="") | ~Q(notices="")).values_list(
        "returned_by", "notices"
    )
    for returned_by, received in rows:
        for department in {int(d) for d in returned_by.split() if d.isdigit()}:
            returns[department] = returns.get(department, 0) + 1
        pairs = [pair.split(":", 1) for pair in received.split() if ":" in pair]
        for found, levels in ((notices, NOTICE_LEVELS), (circulations, CIRCULATION)):
            for department in {int(d) for level, d in pairs if level in levels and d.isdigit()}:
                found[department] = found.get(department, 0) + 1
    return returns, notices, circulations


@replica_reads()
def evaluation_for(*, query: StatsQuery) -> Evaluation:
    """The departments ranked for the period by their score (README: "Department
    evaluation").

    1. the cohort (the summary rows of the cases submitted in the period, narrowed),
       grouped by lead department: cases, and the counts behind timeliness, resolution,
       satisfaction and extensions;
    2. the cohort's returns and notices, per department their event names;
    3. per department: rate points = Σ weightᵢ × rateᵢ ÷ Σ weightᵢ × 100 over the rates it
       has (a rate with nothing to count is left out), minus Σ weightⱼ × casesⱼ over the
       counts; ranked by score, departments without any rate last.
    """
    now = timezone.now()
    cohorts = _Cohorts(query=query, periods=[query.period])
    per = _per_department(cohorts, now)
    returns, notices, circulations = _concerned(cohorts)
    weights = weights_get()
    ids = set(per) | set(returns) | set(notices) | set(circulations)
    departments = Department.objects.in_bulk(ids)
    rows = [
        _department_row(
            query,
            department,
            per.get(pk, {}),
            returns=returns.get(pk, 0),
            notices=notices.get(pk, 0),
            circulations=circulations.get(pk, 0),
            weights=weights,
        )
        for pk, department in departments.items()
    ]
    return Evaluation(
        query=query,
        period=query.period,
        weights=weights,
        rows=_ranked(rows),
        generated_at=now,
    )


def _department_row(
    query: StatsQuery,
    department: Department,
    counts: dict[str, int],
    *,
    returns: int,
    notices: int,
    circulations: int,
    weights: dict[str, float],
) -> DepartmentScore:
    """One department's parts, each with the case-list parameters of its cases."""

    def tally(key: str, **more: Any) -> Tally:
        return Tally(counts.get(key, 0), query.case_params(department=department.code, **more))

    def ratio(top: str, bottom: str) -> Ratio:
        return Ratio(tally(top, outcome=top), tally(bottom, outcome=bottom))

    def noticed(n: int, levels: Sequence[str]) -> Tally:
        params = query.case_params(notice_department=department.code, notice_level=list(levels))
        return Tally(n, params)

    rated = {
        ScorePart.TIMELINESS: ratio(Outcome.ANSWERED_ON_TIME, Outcome.ANSWER_DUE),
        ScorePart.RESOLUTION: ratio(Outcome.RESOLVED, Outcome.ANSWERED),
        ScorePart.SATISFACTION: ratio(Outcome.SATISFIED, Outcome.RATED),
    }
    counted = {
        ScorePart.RETURNS: Tally(returns, query.case_params(returned_by=department.code)),
        ScorePart.EXTENSIONS: tally(Outcome.EXTENDED, outcome=Outcome.EXTENDED),
        ScorePart.NOTICES: noticed(notices, NOTICE_LEVELS),
        ScorePart.CIRCULATIONS: noticed(circulations, CIRCULATION),
    }
    return _score(department, tally("cases"), rated, counted, weights)


def _score(
    department: Department,
    cases: Tally,
    rated: dict[ScorePart, Ratio],
    counted: dict[ScorePart, Tally],
    weights: dict[str, float],
) -> DepartmentScore:
    lines = []
    present = {part: r.value for part, r in rated.items() if r.value is not None}
    total_weight = sum(weights[part] for part in present)
    rate_points = None
    if present and total_weight > 0:
        rate_points = sum(weights[p] * v for p, v in present.items()) / total_weight * 100
    for part in RATE_PARTS:
        value = present.get(part)
        points = None
        if value is not None and total_weight > 0:
            points = round(weights[part] * value / total_weight * 100, 2)
        lines.append(ScoreLine(part=part, weight=weights[part], ratio=rated[part], points=points))
    deducted = 0.0
    for part in COUNT_PARTS:
        points = weights[part] * counted[part].count
        deducted += points
        lines.append(
            ScoreLine(part=part, weight=weights[part], tally=counted[part], points=-points)
        )
    score = None if rate_points is None else round(rate_points - deducted, 2)
    return DepartmentScore(
        department=department,
        cases=cases,
        lines=lines,
        rate_points=None if rate_points is None else round(rate_points, 2),
        deducted=round(deducted, 2),
        score=score,
    )


def _ranked(rows: list[DepartmentScore]) -> list[DepartmentScore]:
    """Highest score first (equal scores share a rank); departments without a score last."""
    ordered = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.department.code))
    ranked = []
    rank = 0
    last: float | None = None
    for index, row in enumerate(ordered, start=1):
        if row.score is None:
            ranked.append(row)
            continue
        if row.score != last:
            rank, last = index, row.score
        ranked.append(DepartmentScore(**{**row.__dict__, "rank": rank}))
    return ranked


# --- public disclosure (信息公开) ---------------------------------------------------------

SMALL = 5  # counts below this are published as "<5"
PUBLIC_TOPICS = 5


@dataclass(frozen=True)
class PublicCell:
    """A published count; None when it is suppressed (shown as "<5")."""

    key: str
    label: str
    count: int | None

    @property
    def display(self) -> str:
        return f"<{SMALL}" if self.count is None else str(self.count)


@dataclass(frozen=True)
class PublicRate:
    key: str
    label: str
    percent: float | None  # None: fewer than SMALL cases counted


@dataclass(frozen=True)
class PublicTopic:
    """A hot topic in neutral words: its category and key terms, no case text."""

    category: str
    terms: list[str]
    cases: int


@dataclass(frozen=True)
class PublicFigures:
    month: Period
    total: PublicCell
    by_kind: list[PublicCell]
    by_category: list[PublicCell]
    rates: list[PublicRate]
    mean_handling_days: float | None
    topics: list[PublicTopic] | None  # None: not offered here
    generated_at: datetime


def suppressed(counts: Sequence[int]) -> list[int | None]:
    """Counts of one table whose total is published, with small ones hidden.

    Each count below SMALL becomes None; when that hides exactly one cell, the smallest
    other cell is hidden too, else total − the shown cells would give it back.
    """
    hidden = [n < SMALL for n in counts]
    if sum(hidden) == 1 and len(counts) > 1:
        others = [i for i, is_hidden in enumerate(hidden) if not is_hidden]
        hidden[min(others, key=lambda i: (counts[i], i))] = True
    return [None if is_hidden else n for n, is_hidden in zip(counts, hidden, strict=True)]


def _public_numbers(month: Period, now: datetime) -> dict[str, Any]:
    """The raw numbers of one month's public figures (cached by `public_figures`)."""
    cohorts = _Cohorts(query=StatsQuery(period=month), periods=[month])
    (counts,) = _headline_counts(cohorts, now)
    (kinds,) = cohorts.groups("kind")
    (by_category,) = cohorts.groups("category_id")
    roots = _roots(Category)
    categories: dict[Any, int] = {}
    for pk, n in by_category.items():
        top = roots.get(pk)
        key = top.pk if top is not None else None
        categories[key] = categories.get(key, 0) + n
    names = {pk: node.name for pk, node in roots.items() if node.pk == pk}
    (histogram,) = cohorts.handling(now)
    return {
        "counts": counts,
        "kinds": kinds,
        "categories": [
            (key, names.get(key, ""), n)
            for key, n in sorted(categories.items(), key=lambda kv: (kv[0] is None, -kv[1]))
        ],
        "handling": {str(k): v for k, v in histogram.items()},
    }


def _topics_public(topics: Sequence[Any], month: Period) -> list[dict[str, Any]]:
    """Hot topics in neutral words: terms that name no respondent and no complainant, the
    most common top-level category of their cases; groups of SMALL cases or more."""
    roots = _roots(Category)
    public = []
    for topic in topics:
        numbers = [item.key for item in topic.items]
        if len(numbers) < SMALL:
            continue
        cases = Case.objects.filter(number__in=numbers)
        names = set(cases.exclude(respondent="").values_list("respondent", flat=True))
        names |= set(
            cases.values_list("complainants__name", flat=True).exclude(complainants__name=None)
        )
        terms = [
            term
            for term in topic.terms
            if not any(term in name or name in term for name in names if name)
        ]
        tops = [roots[pk].name for pk in cases.values_list("category_id", flat=True) if pk in roots]
        category = max(set(tops), key=tops.count) if tops else ""
        if terms:
            public.append({"category": category, "terms": terms[:5], "cases": len(numbers)})
    return public[:PUBLIC_TOPICS]


# Called as source(start=, end=): routing.hot_topics.period_topics, handed in by an interface.
TopicsSource = Callable[..., Sequence[Any]]


@replica_reads()
def public_figures(*, month: date, topics_source: TopicsSource | None = None) -> PublicFigures:
    """One month's published figures: cases by kind and by top-level category (counts
    below 5 hidden, with their complement), the response, resolution and satisfaction
    rates and the mean handling time (hidden below 5 cases counted), and, when the caller
    hands in `topics_source` (routing's hot topics, through the interface), hot topics in
    neutral words. No personal data. Cached: 10 minutes for the current month, a day for
    past ones.
    """
    period = month_period(month)
    now = timezone.now()
    key = f"reports:public:{period.start:%Y-%m}:{int(topics_source is not None)}"
    numbers = cache.get(key)
    if numbers is None:
        numbers = _public_numbers(period, now)
        numbers["generated_at"] = now
        if topics_source is not None:
            start = datetime.combine(period.start, datetime.min.time(), tzinfo=LOCAL_TZ)
            end = datetime.combine(
                date.fromordinal(period.end.toordinal() + 1), datetime.min.time(), tzinfo=LOCAL_TZ
            )
            numbers["topics"] = _topics_public(topics_source(start=start, end=end), period)
        is_current = period.end >= timezone.localdate()
        cache.set(key, numbers, 600 if is_current else 86400)
    return _public_from(numbers, period, with_topics=topics_source is not None)


def _public_from(numbers: dict[str, Any], period: Period, *, with_topics: bool) -> PublicFigures:
    counts = numbers["counts"]
    total = counts["volume"]
    kinds = [(value, str(label), numbers["kinds"].get(value, 0)) for value, label in Kind.choices]
    kind_counts = suppressed([n for _v, _l, n in kinds])
    categories = numbers["categories"]
    category_counts = suppressed([n for _k, _name, n in categories])

    def rate(key: str, label: Any, top: str, bottom: str) -> PublicRate:
        if counts[bottom] < SMALL:
            return PublicRate(key, str(label), None)
        return PublicRate(key, str(label), round(100 * counts[top] / counts[bottom], 1))

    handling = {int(k): v for k, v in numbers["handling"].items()}
    return PublicFigures(
        month=period,
        total=PublicCell("total", str(_("All cases")), total if total >= SMALL else None),
        by_kind=[
            PublicCell(value, label, n)
            for (value, label, _n), n in zip(kinds, kind_counts, strict=True)
        ],
        by_category=[
            PublicCell(str(key or "none"), name or str(_("No category")), n)
            for (key, name, _n), n in zip(categories, category_counts, strict=True)
        ],
        rates=[
            rate("response", _("Response rate"), Outcome.ANSWERED_ON_TIME, Outcome.ANSWER_DUE),
            rate("resolution", _("Resolution rate"), Outcome.RESOLVED, Outcome.ANSWERED),
            rate("satisfaction", _("Satisfaction rate"), Outcome.SATISFIED, Outcome.RATED),
        ],
        mean_handling_days=mean_of(handling, 1) if sum(handling.values()) >= SMALL else None,
        topics=[PublicTopic(**t) for t in numbers.get("topics", [])] if with_topics else None,
        generated_at=numbers["generated_at"],
    )
