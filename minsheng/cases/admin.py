"""Admin pages: the trees an administrator maintains, and a read-only view of cases.

Cases change state only through `cases.workflow`, so the case admin cannot edit them.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from minsheng.cases.clocks import clock_explain
from minsheng.cases.models import (
    Area,
    Case,
    CaseClock,
    CaseEvent,
    Category,
    PersonalDataAccess,
)
from minsheng.lib.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "department"]
    list_filter = ["level"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "department"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "action", "actor", "from_state", "to_state", "note", "is_public")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseClockInline(admin.TabularInline):
    model = CaseClock
    fields = ("step", "started_at", "amount", "unit", "extension", "due_at", "stopped_at", "why")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="explanation")
    def why(self, clock: CaseClock) -> str:
        lines = clock_explain(clock).lines()
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines))


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "kind", "severity", "state", "department", "next_due_at"]
    list_filter = ["state", "kind", "severity", "channel", "department"]
    search_fields = ["number", "subject"]
    date_hierarchy = "created_at"
    exclude = ["query_code_hash"]
    inlines = [CaseClockInline, CaseEventInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "purpose"]
    list_filter = ["purpose"]
    date_hierarchy = "at"
