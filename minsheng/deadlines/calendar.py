"""Working-day arithmetic on the official Chinese calendar: pure functions, no database, no clock.

A `WorkCalendar` answers "is this date a working day?": Monday to Friday are, unless the
calendar holds an override (a public holiday on a weekday, or a make-up working day 调休 on a
weekend). `compute_due` turns a start moment and a policy amount into a due moment and an
explanation a person can read. The caller supplies the start time; nothing here reads the clock.
"""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minsheng.deadlines.models import Unit

logger = logging.getLogger("minsheng.deadlines")
_WARNED_YEARS: set[int] = set()

# The official calendar runs on Beijing time whoever is looking, so working days are counted
# on dates in this zone, not in the viewer's activated time zone.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)

Overrides: TypeAlias = dict[date, tuple[bool, str]]
# Loads one year: (that year's overrides, whether the calendar knows the year at all).
YearLoader: TypeAlias = Callable[[int], tuple[Overrides, bool]]


class WorkCalendar:
    """Which dates are working days.

    Built from overrides `{date: (is_workday, name)}` and the years they fully describe, or
    from a `loader` that fetches one year the first time it is needed (the database-backed
    calendar does this, so a request reads only the years it touches). A year with at least
    one override counts as known. For an unknown year only weekends are days off, and one
    warning per year is logged.
    """

    def __init__(
        self,
        days: Mapping[date, tuple[bool, str]] | None = None,
        known_years: Iterable[int] = (),
        *,
        loader: YearLoader | None = None,
    ) -> None:
        self._days: Overrides = dict(days or {})
        self._known: set[int] = set(known_years) | {d.year for d in self._days}
        # Years given up front are final; the loader is asked only about the others.
        self._loaded: set[int] = set(self._known)
        self._loader = loader

    def _load(self, year: int) -> None:
        if year in self._loaded:
            return
        if self._loader is not None:
            days, known = self._loader(year)
            self._days.update(days)
            if known:
                self._known.add(year)
        # Marked last: a calendar is shared by the threads of a process (the selectors keep
        # one), and another thread must not take a year for loaded before its days are in.
        self._loaded.add(year)

    def knows_year(self, year: int) -> bool:
        """Whether the calendar has holiday data for `year`."""
        self._load(year)
        return year in self._known

    def is_workday(self, d: date) -> bool:
        """Whether `d` is a working day (holidays and 调休 included)."""
        if not self.knows_year(d.year) and d.year not in _WARNED_YEARS:
            # Once per process, not once per calendar: a year unknown today stays unknown.
            _WARNED_YEARS.add(d.year)
            logger.warning("Calendar has no data for %s; counting weekends only", d.year)
        override = self._days.get(d)
        if override is not None:
            return override[0]
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str:
        """The holiday or make-up day's name (e.g. 国庆节), or "" for an ordinary date."""
        self._load(d.year)
        override = self._days.get(d)
        return override[1] if override is not None else ""


@dataclass(frozen=True)
class Pause:
    """A stretch of time the clock stood still; `ended_at` is None while it still does."""

    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class PauseCredit:
    """One pause and the time it gave back: working days or wall-clock time, by the unit."""

    pause: Pause
    added_days: int = 0
    added_time: timedelta = timedelta(0)


@dataclass(frozen=True)
class DueExplanation:
    """How a due moment was reached, kept as data so pages can show it and `lines()` can say it.

    The date lists cover the working-day walk from the day after the start to the due date
    (empty for an hours clock). While a pause is open they describe the walk without it, and
    `due_at` is None.
    """

    started_at: datetime
    amount: int
    unit: Unit
    counted_dates: tuple[date, ...] = ()
    holidays: tuple[tuple[date, str], ...] = ()  # days off that are not plain weekends
    weekend_days: int = 0
    makeup_days: tuple[tuple[date, str], ...] = ()  # 调休: weekend dates that were worked
    pauses: tuple[PauseCredit, ...] = ()
    extension: int = 0
    unknown_years: tuple[int, ...] = ()
    due_at: datetime | None = None
    # The deadline policy the time allowed came from (its keys), when known.
    policy: str = ""

    def lines(self) -> list[str]:
        """Short sentences in the active language, in the order things happened."""
        lines = self._counting_lines()
        if self.policy:
            lines.insert(
                0, _("Time allowed by the deadline policy %(policy)s.") % {"policy": self.policy}
            )
        return lines

    def _counting_lines(self) -> list[str]:
        if self.unit == Unit.HOURS:
            lines = [
                ngettext(
                    "Started at %(time)s; %(amount)s hour counted around the clock.",
                    "Started at %(time)s; %(amount)s hours counted around the clock.",
                    self.amount,
                )
                % {"time": _local_minute(self.started_at), "amount": self.amount}
            ]
            if self.extension:
                lines.append(
                    ngettext(
                        "Extended by %(count)s hour.",
                        "Extended by %(count)s hours.",
                        self.extension,
                    )
                    % {"count": self.extension}
                )
        elif self.unit == Unit.DAYS:
            lines = [
                ngettext(
                    "Started on %(date)s; %(amount)s day counted from the next day, "
                    "holidays included.",
                    "Started on %(date)s; %(amount)s days counted from the next day, "
                    "holidays included.",
                    self.amount,
                )
                % {"date": _local_date(self.started_at).isoformat(), "amount": self.amount}
            ]
            if self.extension:
                lines.append(
                    ngettext(
                        "Extended by %(count)s day.", "Extended by %(count)s days.", self.extension
                    )
                    % {"count": self.extension}
                )
        else:
            lines = [
                ngettext(
                    "Started on %(date)s; %(amount)s working day counted from the next day.",
                    "Started on %(date)s; %(amount)s working days counted from the next day.",
                    self.amount,
                )
                % {"date": _local_date(self.started_at).isoformat(), "amount": self.amount}
            ]
            if self.extension:
                lines.append(
                    ngettext(
                        "Extended by %(count)s working day.",
                        "Extended by %(count)s working days.",
                        self.extension,
                    )
                    % {"count": self.extension}
                )
        lines.extend(_pause_line(credit, self.unit) for credit in self.pauses)
        for name, first, last in _holiday_runs(self.holidays):
            values = {"name": name or _("holiday"), "first": first, "last": last}
            if first == last:
                lines.append(_("Holiday skipped: %(name)s, %(first)s.") % values)
            else:
                lines.append(_("Holidays skipped: %(name)s, %(first)s to %(last)s.") % values)
        if self.weekend_days:
            lines.append(
                ngettext(
                    "%(count)s weekend day skipped.",
                    "%(count)s weekend days skipped.",
                    self.weekend_days,
                )
                % {"count": self.weekend_days}
            )
        lines.extend(
            _("%(date)s is a make-up working day (%(name)s) and was counted.")
            % {"date": d.isoformat(), "name": name}
            for d, name in self.makeup_days
        )
        if self.unknown_years:
            lines.append(
                _("The calendar has no holiday data for %(years)s; only weekends were skipped.")
                % {"years": ", ".join(str(y) for y in self.unknown_years)}
            )
        if self.due_at is None:
            lines.append(_("The clock is stopped while the case is paused."))
        elif self.unit == Unit.HOURS:
            lines.append(_("Due at %(time)s.") % {"time": _local_minute(self.due_at)})
        else:
            lines.append(
                _("Due at the end of %(date)s.") % {"date": _local_date(self.due_at).isoformat()}
            )
        return lines


@dataclass(frozen=True)
class Due:
    """When a clock runs out (None while it is paused: the clock is stopped), and why."""

    due_at: datetime | None
    explanation: DueExplanation


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """How many working days d there are with start < d <= end (0 if end is not after start)."""
    count = 0
    d = start + timedelta(days=1)
    while d <= end:
        count += calendar.is_workday(d)
        d += timedelta(days=1)
    return count


def compute_due(
    *,
    started_at: datetime,
    amount: int,
    unit: Unit,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    extension: int = 0,
) -> Due:
    """When a clock of `amount` units started at `started_at` runs out.

    Working days: count from the day after the local start date; the clock runs out at
    23:59:59 local time on the N-th working day, N = amount + extension + the working days
    covered by completed pauses. Hours: wall-clock hours plus the length of completed pauses.
    While a pause is still open the due moment is None. The result is in UTC.
    """
    if started_at.utcoffset() is None:
        raise ValueError("started_at must be an aware datetime")
    if amount < 0 or extension < 0:
        raise ValueError("amount and extension cannot be negative")
    is_paused = any(p.ended_at is None for p in pauses)
    if Unit(unit) == Unit.HOURS:
        return _due_in_hours(started_at, amount, pauses, extension, is_paused)
    if Unit(unit) == Unit.DAYS:
        return _due_in_days(started_at, amount, pauses, extension, is_paused)
    return _due_in_working_days(started_at, amount, calendar, pauses, extension, is_paused)


def _due_in_hours(
    started_at: datetime,
    amount: int,
    pauses: Sequence[Pause],
    extension: int,
    is_paused: bool,
) -> Due:
    credits = tuple(
        PauseCredit(p, added_time=p.ended_at - p.started_at if p.ended_at else timedelta(0))
        for p in pauses
    )
    due_at = started_at + timedelta(hours=amount + extension)
    due_at += sum((c.added_time for c in credits), timedelta(0))
    final = None if is_paused else due_at.astimezone(UTC)
    explanation = DueExplanation(
        started_at=started_at,
        amount=amount,
        unit=Unit.HOURS,
        pauses=credits,
        extension=extension,
        due_at=final,
    )
    return Due(due_at=final, explanation=explanation)


def _due_in_days(
    started_at: datetime,
    amount: int,
    pauses: Sequence[Pause],
    extension: int,
    is_paused: bool,
) -> Due:
    """Natural days (自然日): the end of the N-th day after the local start date, N = amount +
    extension + the days covered by completed pauses; holidays count like any day."""
    credits = tuple(
        PauseCredit(
            p,
            added_days=(_local_date(p.ended_at) - _local_date(p.started_at)).days
            if p.ended_at
            else 0,
        )
        for p in pauses
    )
    due_on = _local_date(started_at) + timedelta(
        days=amount + extension + sum(c.added_days for c in credits)
    )
    due_at = datetime.combine(due_on, END_OF_DAY, tzinfo=LOCAL_TZ).astimezone(UTC)
    final = None if is_paused else due_at
    explanation = DueExplanation(
        started_at=started_at,
        amount=amount,
        unit=Unit.DAYS,
        pauses=credits,
        extension=extension,
        due_at=final,
    )
    return Due(due_at=final, explanation=explanation)


def _due_in_working_days(
    started_at: datetime,
    amount: int,
    calendar: WorkCalendar,
    pauses: Sequence[Pause],
    extension: int,
    is_paused: bool,
) -> Due:
    """Steps: credit each completed pause, walk N working days, sort what was passed over."""
    credits = tuple(
        PauseCredit(
            p,
            added_days=working_days_between(
                _local_date(p.started_at), _local_date(p.ended_at), calendar
            )
            if p.ended_at
            else 0,
        )
        for p in pauses
    )
    target = amount + extension + sum(c.added_days for c in credits)

    start_on = _local_date(started_at)
    counted: list[date] = []
    holidays: list[tuple[date, str]] = []
    makeup: list[tuple[date, str]] = []
    weekend_days = 0
    d = start_on
    while len(counted) < target:
        d += timedelta(days=1)
        is_weekend = d.weekday() >= 5
        if calendar.is_workday(d):
            counted.append(d)
            if is_weekend:
                makeup.append((d, calendar.holiday_name(d)))
        elif is_weekend and not calendar.holiday_name(d):
            weekend_days += 1
        else:
            holidays.append((d, calendar.holiday_name(d)))

    # With no days to count the clock runs out at the end of the start day itself.
    due_on = d
    due_at = datetime.combine(due_on, END_OF_DAY, tzinfo=LOCAL_TZ).astimezone(UTC)
    final = None if is_paused else due_at

    touched = set(range(start_on.year, due_on.year + 1))
    for p in pauses:
        if p.ended_at:
            touched.update(range(_local_date(p.started_at).year, _local_date(p.ended_at).year + 1))
    explanation = DueExplanation(
        started_at=started_at,
        amount=amount,
        unit=Unit.WORKING_DAYS,
        counted_dates=tuple(counted),
        holidays=tuple(holidays),
        weekend_days=weekend_days,
        makeup_days=tuple(makeup),
        pauses=credits,
        extension=extension,
        unknown_years=tuple(sorted(y for y in touched if not calendar.knows_year(y))),
        due_at=final,
    )
    return Due(due_at=final, explanation=explanation)


def _local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def _local_minute(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _pause_line(credit: PauseCredit, unit: Unit) -> str:
    pause = credit.pause
    if pause.ended_at is None:
        return _("Paused since %(start)s; the clock does not run until the case resumes.") % {
            "start": _local_minute(pause.started_at)
        }
    values = {"start": _local_minute(pause.started_at), "end": _local_minute(pause.ended_at)}
    if unit == Unit.HOURS:
        hours = round(credit.added_time.total_seconds() / 3600, 1)
        return _("Paused from %(start)s to %(end)s: %(hours)s hours added.") % {
            **values,
            "hours": f"{hours:g}",
        }
    if unit == Unit.DAYS:
        return ngettext(
            "Paused from %(start)s to %(end)s: %(count)s day added.",
            "Paused from %(start)s to %(end)s: %(count)s days added.",
            credit.added_days,
        ) % {**values, "count": credit.added_days}
    return ngettext(
        "Paused from %(start)s to %(end)s: %(count)s working day added.",
        "Paused from %(start)s to %(end)s: %(count)s working days added.",
        credit.added_days,
    ) % {**values, "count": credit.added_days}


def _holiday_runs(holidays: Iterable[tuple[date, str]]) -> list[tuple[str, str, str]]:
    """Consecutive days off with the same name, as (name, first date, last date)."""
    runs: list[tuple[str, date, date]] = []
    for d, name in holidays:
        if runs and runs[-1][0] == name and runs[-1][2] + timedelta(days=1) == d:
            runs[-1] = (name, runs[-1][1], d)
        else:
            runs.append((name, d, d))
    return [(name, first.isoformat(), last.isoformat()) for name, first, last in runs]
