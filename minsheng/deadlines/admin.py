"""Admin pages for the calendar and the deadline policies: business data an administrator edits."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from minsheng.deadlines.models import CalendarDay, DeadlinePolicy
from minsheng.deadlines.services import deadlines_changed


class DeadlinesAdmin(admin.ModelAdmin):
    """Every change made here (the form, the list's editable columns, deleting one or many)
    moves the deadlines version on, so every process uses it within a second."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        deadlines_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        deadlines_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        deadlines_changed()


@admin.register(CalendarDay)
class CalendarDayAdmin(DeadlinesAdmin):
    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        # Shown because an override only makes sense next to the day of the week it falls on.
        return dateformat.format(obj.date, "l")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(DeadlinesAdmin):
    list_display = [
        "__str__",
        "kind",
        "severity",
        "unit",
        "review",
        "dispatch",
        "plan",
        "result",
        "appeal_days",
    ]
    # The key (kind, severity) is edited on the form; the amounts can be tuned in the list.
    list_editable = ["unit", "review", "dispatch", "plan", "result", "appeal_days"]
    list_filter = ["kind", "severity", "unit"]
    ordering = ["kind", "severity"]
