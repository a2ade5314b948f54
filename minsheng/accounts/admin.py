"""Administrators manage departments, users and their roles here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from minsheng.accounts.models import Department, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "email", "is_active", "roles"]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Minsheng", {"fields": ["phone"]}))

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        return ", ".join(str(m) for m in obj.memberships.select_related("department"))


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
