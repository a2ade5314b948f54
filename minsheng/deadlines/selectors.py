"""Reads of the calendar and the deadline policies. Other apps ask here, never the models."""

from dataclasses import dataclass
from datetime import date

from minsheng.deadlines.calendar import Overrides, WorkCalendar
from minsheng.deadlines.models import CalendarDay, DeadlinePolicy, Step, Unit


def _calendar_year_load(year: int) -> tuple[Overrides, bool]:
    """One year of CalendarDay rows; the year is known when it has at least one row."""
    rows = CalendarDay.objects.filter(
        date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)
    ).values_list("date", "is_workday", "name")
    days = {d: (is_workday, name) for d, is_workday, name in rows}
    return days, bool(days)


def calendar_get() -> WorkCalendar:
    """The working-day calendar as an administrator keeps it in CalendarDay rows.

    Each year is read with one query the first time a date in it is asked about, so keep
    one calendar for a batch of computations rather than calling this per date.
    """
    return WorkCalendar(loader=_calendar_year_load)


@dataclass(frozen=True)
class PolicyValues:
    """The time allowed for each step of a case, in `unit` (appeal_days is always working days)."""

    unit: Unit
    review: int
    dispatch: int
    plan: int
    result: int
    appeal_days: int

    def amount_for(self, step: Step) -> int:
        """The time allowed for `step`."""
        amounts = {
            Step.REVIEW: self.review,
            Step.DISPATCH: self.dispatch,
            Step.PLAN: self.plan,
            Step.RESULT: self.result,
        }
        return amounts[Step(step)]


# Used only when the policy table is empty: a working system must still set deadlines.
DEFAULT_POLICY = PolicyValues(
    unit=Unit.WORKING_DAYS, review=1, dispatch=1, plan=1, result=3, appeal_days=15
)


def policy_for(*, kind: str, severity: str) -> PolicyValues:
    """The deadlines for a case of `kind` and `severity`.

    The most specific DeadlinePolicy row wins: kind and severity, then severity alone, then
    kind alone, then the row with both blank; with no row at all, `DEFAULT_POLICY`.
    """
    rows = DeadlinePolicy.objects.filter(kind__in=[kind, ""], severity__in=[severity, ""])
    # Rank: a matching severity outweighs a matching kind, so an urgent suggestion is
    # still counted in hours: urgency is about the matter, whatever its kind.
    ranked = sorted(rows, key=lambda row: (row.severity != "", row.kind == kind and kind != ""))
    if not ranked:
        return DEFAULT_POLICY
    best = ranked[-1]
    return PolicyValues(
        unit=Unit(best.unit),
        review=best.review,
        dispatch=best.dispatch,
        plan=best.plan,
        result=best.result,
        appeal_days=best.appeal_days,
    )
