"""Admin pages: the switch and the policies (edited through the same service as the
workbench page), the decisions and corrections (read-only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import User
from minsheng.dispatch import selectors
from minsheng.dispatch.models import (
    DispatchCorrection,
    DispatchDecision,
    DispatchPolicy,
    DispatchSwitch,
)
from minsheng.lib.admin import ReadOnlyAdmin


@admin.register(DispatchSwitch)
class DispatchSwitchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_on", "changed_by", "changed_at"]
    fields = ["is_on"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row, created on first read

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: DispatchSwitch, form: Any, change: bool
    ) -> None:
        from minsheng.dispatch.services import switch_set

        assert isinstance(request.user, User)  # noqa: S101 - the admin requires a login
        switch_set(is_on=obj.is_on, actor=request.user)


@admin.register(DispatchPolicy)
class DispatchPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "is_enabled",
        "precision",
        "threshold",
        "expected_share",
        "errors_per_thousand",
        "paused_at",
    ]
    list_filter = ["is_enabled", "kind"]
    list_select_related = ["category"]
    readonly_fields = ["paused_at", "paused_precision", "updated_by", "updated_at"]

    @admin.display(description=_("threshold"))
    def threshold(self, policy: DispatchPolicy) -> str:
        value = selectors.operating_point_of(policy).threshold
        return "–" if value is None else f"{value:.3f}"

    @admin.display(description=_("expected share"))
    def expected_share(self, policy: DispatchPolicy) -> str:
        return f"{selectors.operating_point_of(policy).share:.1%}"

    @admin.display(description=_("expected errors per thousand"))
    def errors_per_thousand(self, policy: DispatchPolicy) -> str:
        return f"{selectors.operating_point_of(policy).errors_per_thousand:.1f}"

    def save_model(
        self, request: HttpRequest, obj: DispatchPolicy, form: Any, change: bool
    ) -> None:
        from minsheng.dispatch.services import POLICY_FIELDS, policy_save

        assert isinstance(request.user, User)  # noqa: S101 - the admin requires a login
        fields = {
            name: form.cleaned_data[name] for name in POLICY_FIELDS if name in form.cleaned_data
        }
        saved = policy_save(policy=obj if change else None, actor=request.user, **fields)
        obj.pk = saved.pk


@admin.register(DispatchDecision)
class DispatchDecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "suggested_label",
        "confidence",
        "threshold",
        "outcome",
        "is_returned",
        "is_corrected",
        "decided_at",
    ]
    list_filter = ["outcome", "is_corrected", "is_returned"]
    list_select_related = ["case"]


@admin.register(DispatchCorrection)
class DispatchCorrectionAdmin(ReadOnlyAdmin):
    list_display = [
        "decision",
        "kind",
        "from_department",
        "to_department",
        "to_category",
        "actor",
        "is_fed_to_training",
        "created_at",
    ]
    list_filter = ["kind", "is_fed_to_training"]
    list_select_related = ["decision", "from_department", "to_department", "to_category", "actor"]
