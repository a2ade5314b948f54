"""The evaluation weights (editable) and the Excel exports (read only) in the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minsheng.lib.admin import ReadOnlyAdmin
from minsheng.reports.models import EvaluationWeight, ExportJob


@admin.register(EvaluationWeight)
class EvaluationWeightAdmin(admin.ModelAdmin):
    list_display = ["part", "weight"]
    list_editable = ["weight"]
    # The parts are fixed by the score's formula; an administrator edits their weights.
    readonly_fields = ["part"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "requested_by",
        "include_personal_data",
        "status",
        "total_rows",
        "created_at",
    ]
    list_filter = ["status", "include_personal_data"]
