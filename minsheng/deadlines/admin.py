"""Admin pages for the calendar and the deadline policies: business data an administrator edits."""

from django.contrib import admin
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from minsheng.deadlines.models import CalendarDay, DeadlinePolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
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
class DeadlinePolicyAdmin(admin.ModelAdmin):
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
