"""The case list filters, shared by the workbench list and the API list."""

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, Channel, State
from minsheng.deadlines.models import Kind, Severity


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
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="code", label=_("Department")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), method="filter_category", label=_("Category")
    )
    submitted_from = django_filters.DateFilter(
        method="filter_submitted_from", label=_("Submitted from")
    )
    submitted_to = django_filters.DateFilter(
        method="filter_submitted_to", label=_("Submitted until")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    q = django_filters.CharFilter(method="filter_keyword", label=_("Keyword"))
    ordering = django_filters.OrderingFilter(
        fields=(("next_due_at", "due"), ("created_at", "submitted")),
        label=_("Sort by"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        """A category includes its sub-categories (three levels at most). The ids are looked
        up first so the case query is one indexed `IN`, not three joins."""
        if not value:
            return queryset
        ids = {value.pk}
        children = set(Category.objects.filter(parent=value).values_list("pk", flat=True))
        ids |= children
        if children:
            ids |= set(Category.objects.filter(parent__in=children).values_list("pk", flat=True))
        return queryset.filter(category__in=ids)

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
        now = timezone.now()
        if value:
            return queryset.filter(next_due_at__lt=now)
        return queryset.filter(Q(next_due_at__gte=now) | Q(next_due_at__isnull=True))

    def filter_keyword(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return queryset
        # Case numbers are upper case: an exact match on the unique index (with `iexact`
        # PostgreSQL could not combine the three conditions from indexes).
        return queryset.filter(
            Q(number=value.upper()) | Q(subject__icontains=value) | Q(body__icontains=value)
        )


def _day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
