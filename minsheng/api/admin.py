"""Admin pages for Open311 keys: list and switch off. Keys are created with
`manage.py open311_key_create` (the key is shown once and stored only as a hash)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minsheng.api.models import Open311Key


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    fields = ["name", "is_active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
