"""Admin pages for the calendar and the deadline policies: business data an administrator edits."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from minsheng.deadlines.models import ApprovalLevel, CalendarDay, CaseClass, DeadlinePolicy
from minsheng.deadlines.selectors import approval_levels_problems, case_class_policy_problem
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
        "case_class",
        "kind",
        "severity",
        "category",
        "channel",
        "unit",
        "review",
        "dispatch",
        "plan",
        "result",
        "appeal_days",
    ]
    list_filter = ["case_class", "kind", "severity", "unit"]
    autocomplete_fields = ["category"]
    # The keys are edited on the form; the amounts can be tuned in the list.
    list_editable = ["unit", "review", "dispatch", "plan", "result", "appeal_days"]
    list_filter = ["kind", "severity", "unit"]
    ordering = ["kind", "severity"]


class ApprovalLevelFormSet(BaseInlineFormSet):
    """A class's approval levels, checked as a chain (`selectors.approval_levels_problems`)."""

    def clean(self) -> None:
        super().clean()
        levels = [
            (form.cleaned_data["level"], form.cleaned_data["role"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = approval_levels_problems(levels)
        if problems:
            raise ValidationError(problems)


class ApprovalLevelInline(admin.TabularInline):
    model = ApprovalLevel
    formset = ApprovalLevelFormSet
    extra = 0
    max_num = ApprovalLevel.MAX_LEVELS


class ClassPolicyFormSet(BaseInlineFormSet):
    """A class's own deadline policies; a class must have one, or a general policy must fit
    it (`selectors.case_class_policy_problem`)."""

    def clean(self) -> None:
        super().clean()
        given = sum(
            1 for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        )
        problem = case_class_policy_problem(self.instance, policies_given=given)
        if problem:
            raise ValidationError(problem)


class ClassPolicyInline(admin.StackedInline):
    model = DeadlinePolicy
    formset = ClassPolicyFormSet
    fk_name = "case_class"
    extra = 0
    fields = [
        ("kind", "category", "channel"),
        "unit",
        ("review", "dispatch", "plan", "result"),
        ("acceptance", "feedback", "regulator", "appeal_days"),
    ]


@admin.register(CaseClass)
class CaseClassAdmin(DeadlinesAdmin):
    """An office's class of case, its approval levels and its deadline policies, saved
    together and refused together when the chain has a gap, a level's role no user has, or
    the class has no policy."""

    list_display = ["code", "label", "handling", "levels", "position"]
    list_editable = ["position"]
    inlines = [ApprovalLevelInline, ClassPolicyInline]

    @admin.display(description=_("approval levels"))
    def levels(self, obj: CaseClass) -> str:
        return " → ".join(level.label for level in obj.approval_levels.all()) or "—"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        deadlines_changed()
