"""Administrators maintain the reply templates and the policy knowledge base here."""

from django.contrib import admin

from minsheng.knowledge.models import PolicyEntry, ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "field", "is_active", "updated_at"]
    list_filter = ["field", "is_active"]
    search_fields = ["title", "text"]


@admin.register(PolicyEntry)
class PolicyEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "tags", "is_public", "updated_at"]
    list_filter = ["is_public", "category"]
    search_fields = ["question", "answer", "tags", "basis"]
    autocomplete_fields = ["category"]
