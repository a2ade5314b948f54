"""Admin pages: the trees an administrator maintains, and a read-only view of cases.

Cases change state only through `cases.workflow`, so the case admin cannot edit them.
"""

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from minsheng.cases import office
from minsheng.cases.clocks import clock_explain
from minsheng.cases.models import (
    AdmissibilityRule,
    Area,
    Case,
    CaseClock,
    CaseEvent,
    Category,
    Channel,
    ExtraField,
    Office,
    PersonalDataAccess,
    RejectionReason,
)
from minsheng.deadlines.models import Kind
from minsheng.lib.admin import ReadOnlyAdmin


class OfficeConfigurationAdmin(admin.ModelAdmin):
    """Every change here is used by every process within a second (`office.office_changed`)."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        office.office_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        office.office_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        office.office_changed()


@admin.register(Category)
class CategoryAdmin(OfficeConfigurationAdmin):
    """The topic tree: deadline policies and extra fields follow a category's ancestors,
    so an edit moves the office's configuration on (`office.category_line`)."""

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

    @admin.display(description=_("explanation"))
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


# --- the office's process as configuration (`cases.office`) ------------------------------


class OfficeForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("kinds used"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    channels = forms.MultipleChoiceField(
        label=_("channels used"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every channel."),
    )

    class Meta:
        model = Office
        exclude: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = office.acceptance_role_problem(
            Office(
                uses_acceptance_approval=data.get("uses_acceptance_approval", False),
                acceptance_role=data.get("acceptance_role", ""),
            )
        )
        if problem:
            self.add_error("acceptance_role", problem)
        return data


@admin.register(Office)
class OfficeAdmin(OfficeConfigurationAdmin):
    """The one row of the office's settings: reception information and optional steps."""

    form = OfficeForm
    list_display = ["__str__", "profile", "reception_phone"]
    fieldsets = [
        (None, {"fields": ["name", "profile"]}),
        (
            _("Reception"),
            {"fields": ["reception_place", "reception_hours", "reception_phone", "reception_days"]},
        ),
        (_("What the office takes"), {"fields": ["kinds", "channels"]}),
        (
            _("Optional steps"),
            {
                "fields": [
                    ("uses_acceptance_approval", "acceptance_role"),
                    "uses_feedback",
                    "uses_plan",
                    "uses_evidence_request",
                    "uses_return_visit",
                    "departments_see_subtree",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Office.objects.exists() and super().has_add_permission(request)


@admin.register(RejectionReason)
class RejectionReasonAdmin(OfficeConfigurationAdmin):
    list_display = ["code", "label", "legal_text", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["code", "label", "legal_text"]


@admin.register(AdmissibilityRule)
class AdmissibilityRuleAdmin(OfficeConfigurationAdmin):
    list_display = ["__str__", "kind", "max_age_days", "reason"]


class ExtraFieldForm(forms.ModelForm):
    class Meta:
        model = ExtraField
        exclude: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == ExtraField.Type.CHOICE and not data.get("choices"):
            self.add_error("choices", _("A choice field needs its choices, as a list of texts."))
        choices = data.get("choices")
        if choices and not (isinstance(choices, list) and all(isinstance(c, str) for c in choices)):
            self.add_error("choices", _("Give the choices as a list of texts."))
        if data.get("pattern"):
            try:
                re.compile(data["pattern"])
            except re.error as error:
                self.add_error("pattern", _("Not a valid pattern: %(error)s") % {"error": error})
        return data


@admin.register(ExtraField)
class ExtraFieldAdmin(OfficeConfigurationAdmin):
    form = ExtraFieldForm
    list_display = ["code", "label", "category", "type", "is_required", "position"]
    list_filter = ["type", "is_required"]
    autocomplete_fields = ["category"]
