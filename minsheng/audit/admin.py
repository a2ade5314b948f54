"""The audit record, readable by administrators and never editable."""

from django.contrib import admin

from minsheng.audit.models import AuditEntry
from minsheng.lib.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "kind", "actor_name", "object_type", "object_id"]
    list_filter = ["kind"]
    search_fields = ["object_id", "actor_name"]
    date_hierarchy = "at"
