"""Admin pages for what came in: every raw e-mail with its outcome, and the spreadsheet
imports. Read-only and never deleted: they are the record of what was received."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from minsheng.intake.models import ImportedRow, ImportJob, InboundMail
from minsheng.lib.admin import ReadOnlyAdmin

RAW_PREVIEW_BYTES = 20000


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "status", "sender", "subject", "case", "deliveries")
    list_filter = ("status",)
    search_fields = ("message_id", "subject", "case__number")  # the sender is encrypted
    date_hierarchy = "received_at"
    list_select_related = ("case",)
    exclude = ("raw",)
    readonly_fields = (
        "message_id",
        "status",
        "reason",
        "case",
        "sender",
        "subject",
        "envelope_from",
        "envelope_to",
        "deliveries",
        "received_at",
        "raw_message",
    )

    @admin.display(description=_("raw message"))
    def raw_message(self, obj: InboundMail) -> str:
        raw = bytes(obj.raw)
        text = raw[:RAW_PREVIEW_BYTES].decode("utf-8", errors="replace")
        more = f"\n… ({len(raw)} bytes)" if len(raw) > RAW_PREVIEW_BYTES else ""
        return format_html("<pre style='white-space: pre-wrap'>{}{}</pre>", text, more)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "original_name",
        "status",
        "rows_done",
        "total_rows",
        "created_count",
        "duplicate_count",
        "error_count",
        "created_by",
    )
    list_filter = ("status",)
    search_fields = ("original_name",)
    list_select_related = ("created_by",)


@admin.register(ImportedRow)
class ImportedRowAdmin(ReadOnlyAdmin):
    list_display = ("key", "job", "row_number", "case", "created_at")
    search_fields = ("key", "case__number")
    list_select_related = ("job", "case")
