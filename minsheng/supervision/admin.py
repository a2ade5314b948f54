"""Admin pages: notice policies are edited here; notices and return visits are records
(they change only through their own lifecycle, in the workbench)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minsheng.lib.admin import ReadOnlyAdmin
from minsheng.supervision.models import (
    NoticeLevel,
    NoticePolicy,
    RetentionPolicy,
    ReturnVisit,
    SupervisionNotice,
)
from minsheng.supervision.notices import next_level


class NoticePolicyForm(forms.ModelForm):
    """A case-step policy names its step; a notice policy escalates one level up."""

    class Meta:
        model = NoticePolicy
        fields = [
            "name",
            "is_active",
            "trigger",
            "step",
            "from_level",
            "overdue_days",
            "level",
            "recipient",
            "due_days",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        trigger = data.get("trigger")
        if trigger == NoticePolicy.Trigger.CASE_STEP and not data.get("step"):
            self.add_error("step", _("Choose the step whose delay this policy watches."))
        if trigger == NoticePolicy.Trigger.NOTICE:
            source = data.get("from_level")
            if not source:
                self.add_error("from_level", _("Choose the level of the overdue notices."))
            elif data.get("level") != next_level(NoticeLevel(source)):
                self.add_error("level", _("An overdue notice escalates to the next level."))
        if not 1 <= (data.get("due_days") or 0) <= 30:
            self.add_error("due_days", _("Give between 1 and 30 working days."))
        return data

    def save(self, commit: bool = True) -> NoticePolicy:
        # An edited policy (its step, days or activity) reads every overdue clock once again.
        self.instance.checked_through = None
        return super().save(commit)


@admin.register(NoticePolicy)
class NoticePolicyAdmin(admin.ModelAdmin):
    form = NoticePolicyForm
    list_display = ["name", "is_active", "trigger", "step", "from_level", "overdue_days", "level"]
    list_filter = ["is_active", "trigger", "level"]


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """The one row: no second policy, and it is never deleted."""

    list_display = ["__str__", "archive_after_days", "anonymise_after_years"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RetentionPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "level", "state", "department", "issued_at", "due_at"]
    list_filter = ["level", "state", "department"]
    date_hierarchy = "issued_at"


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "attempts", "rating", "is_explained", "is_timely"]
    list_filter = ["status", "rating"]
    raw_id_fields = ["case"]
