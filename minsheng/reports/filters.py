"""The statistics' query: a period, and the case filters that narrow the figures (kind,
channel, department, category, area). The cases behind every figure are those that the case
list's `CaseFilterSet` finds with `StatsQuery.case_params`, so a figure and its link agree.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.filters import NONE
from minsheng.cases.models import Area, Category, Channel
from minsheng.deadlines.models import Kind

# The case filters a dashboard can be narrowed by (CaseFilterSet's names).
NARROWING = ("kind", "channel", "department", "category", "area")
# CaseFilterSet's filters that take a list of values.
MULTIPLE = frozenset({"state", "kind", "severity", "channel", "rating", "notice_level"})


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A stretch of calendar days, first and last included (submission dates, local time)."""

    start: date
    end: date

    @property
    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end == _month_end(self.end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> "Period":
        """The period of the same length just before: the same number of whole months for a
        month, quarter or year, else the same number of calendar days."""
        if self.is_whole_months:
            start = _add_months(self.start, -self.months)
            return Period(start, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        if self.is_whole_months and self.months == 1:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def month_period(day: date) -> Period:
    """The calendar month `day` is in."""
    first = day.replace(day=1)
    return Period(first, _month_end(first))


class StatsQueryForm(forms.Form):
    """A month (default: this month) or a range of dates, and optional case filters."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.all(),
        to_field_name="code",
        empty_label=_("All departments"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(level=1),
        empty_label=_("All categories"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        required=False,
        queryset=Area.objects.all(),
        to_field_name="code",
        empty_label=_("All areas"),
    )

    MAX_DAYS = 3 * 366

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both dates of the range, or a month."))
        if start is not None and end is not None:
            if end < start:
                raise forms.ValidationError(_("The range ends before it starts."))
            if (end - start).days >= self.MAX_DAYS:
                raise forms.ValidationError(_("Choose a range of at most three years."))
        return data

    def query(self) -> "StatsQuery":
        """The valid form's query (call after `is_valid()`)."""
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to"):
            period = Period(data["date_from"], data["date_to"])
        else:
            period = month_period(data.get("month") or timezone.localdate())
        narrowing: dict[str, str] = {}
        for name in NARROWING:
            value = data.get(name)
            if value:
                narrowing[name] = getattr(value, "code", None) or str(getattr(value, "pk", value))
        return StatsQuery(period=period, narrowing=tuple(sorted(narrowing.items())))


@dataclass(frozen=True)
class StatsQuery:
    """What a dashboard shows: a period and the narrowing filters (CaseFilterSet names)."""

    period: Period
    narrowing: tuple[tuple[str, str], ...] = ()

    def case_params(self, period: Period | None = None, **more: Any) -> dict[str, Any]:
        """The case list's filters for the cases submitted in `period` (default: this
        query's) under the narrowing, plus `more` (an outcome, a dimension's value)."""
        period = period or self.period
        params: dict[str, Any] = {
            **dict(self.narrowing),
            "submitted_from": period.start.isoformat(),
            "submitted_to": period.end.isoformat(),
        }
        params.update(more)
        for name, value in params.items():
            if value is None:
                params[name] = NONE
            elif name in MULTIPLE and isinstance(value, str):
                params[name] = [value]
        return params

    def page_params(self) -> dict[str, str]:
        """This query as the dashboard's own URL parameters."""
        period = self.period
        params = dict(self.narrowing)
        if period.is_whole_months and period.months == 1:
            params["month"] = f"{period.start:%Y-%m}"
        else:
            params["date_from"] = period.start.isoformat()
            params["date_to"] = period.end.isoformat()
        return params


class PublicMonthForm(forms.Form):
    """The month of the public figures (/open/, GET /api/v1/public/stats): a past or the
    current month, by default the last whole one."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_month(self) -> date:
        month: date | None = self.cleaned_data.get("month")
        today = timezone.localdate()
        if month is None:
            return _add_months(today, -1)
        if month.replace(day=1) > today:
            raise forms.ValidationError(_("Figures are published for past months only."))
        return month.replace(day=1)


def recent_months(count: int = 12) -> list[date]:
    """The first days of the last `count` whole months, newest first."""
    today = timezone.localdate()
    return [_add_months(today, -k) for k in range(1, count + 1)]
