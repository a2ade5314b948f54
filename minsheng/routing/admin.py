"""Admin pages: keyword rules (edited), feedback (read-only) and model versions, with an
action that trains a new model.

Training takes about half a minute; the action enqueues `jobs.router_train_job` for the
task worker, so the admin page answers at once. Each version shows the retraining gate's
comparison with the model that served when it was trained (dev macro-F1, and the share
dispatched automatically at each set precision), the decision and its reason; the list
shows the latest training's outcome above the versions.
"""

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.lib.admin import ReadOnlyAdmin
from minsheng.lib.tasks import enqueue
from minsheng.routing import jobs, services
from minsheng.routing.models import RouterModel, RoutingFeedback, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["keywords", "category", "priority", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["priority", "is_active"]
    search_fields = ["keywords", "category__name"]
    autocomplete_fields = ["category"]


@admin.register(RoutingFeedback)
class RoutingFeedbackAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "suggested_label",
        "suggested_confidence",
        "chosen_category",
        "is_correction",
        "chosen_by",
        "created_at",
    ]
    list_filter = ["is_correction", "suggested_source"]
    list_select_related = ["case", "chosen_category", "chosen_by"]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _comparison_table(gate: dict[str, Any]) -> SafeString:
    """The gate's figures, serving model beside the new one, then the decision."""
    old, new = gate["old"], gate["new"]
    rows: list[tuple[str, str, str]] = [
        (str(_("Dev macro-F1")), f"{old['macro_f1']:.4f}", f"{new['macro_f1']:.4f}")
    ]
    for key, point in new["points"].items():
        before = old["points"][key]
        label = _("Share dispatched automatically at %(precision)s (measured precision)") % {
            "precision": _percent(float(key))
        }
        rows.append(
            (
                str(label),
                f"{_percent(before['share'])} ({_percent(before['precision'])})",
                f"{_percent(point['share'])} ({_percent(point['precision'])})",
            )
        )
    body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
    return format_html(
        '<table class="gate"><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>'
        "<tbody>{}</tbody></table><p>{}</p>",
        _("Serving model (%(version)s)") % {"version": old["version"]},
        _("This model"),
        body,
        gate.get("reason", ""),
    )


@admin.register(RouterModel)
class RouterModelAdmin(admin.ModelAdmin):
    list_display = ["created_at", "dev_macro_f1", "gate_decision", "gate_shares", "is_active"]
    fields = ("created_at", "is_active", "path", "comparison", "metadata_shown")
    readonly_fields = fields
    actions = ["train_new_model", "activate_model"]
    # Adds a "Train a new model" button: admin actions need a selected row, and there is
    # none before the first training.
    change_list_template = "admin/routing/routermodel/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("Gate"))
    def gate_decision(self, obj: RouterModel) -> str:
        gate = obj.metadata.get("gate")
        if not gate:
            return "–"
        return str(_("activated") if gate.get("decision") == "activated" else _("refused"))

    @admin.display(description=_("Automatic share on dev: serving → this"))
    def gate_shares(self, obj: RouterModel) -> str:
        gate = obj.metadata.get("gate")
        if not gate:
            return "–"
        return "; ".join(
            f"{_percent(float(key))}: {_percent(gate['old']['points'][key]['share'])} → "
            f"{_percent(point['share'])}"
            for key, point in gate["new"]["points"].items()
        )

    @admin.display(description=_("Comparison with the serving model"))
    def comparison(self, obj: RouterModel) -> SafeString | str:
        gate = obj.metadata.get("gate")
        return _comparison_table(gate) if gate else "–"

    @admin.display(description=_("Metadata"))
    def metadata_shown(self, obj: RouterModel) -> SafeString:
        # Held-out and dev predictions are thousands of encoded rows: shown by their size.
        shown = dict(obj.metadata)
        shown.pop("gate", None)
        for key in ("held_out", "dev_predictions"):
            if shown.get(key):
                shown[key] = {
                    k: v for k, v in shown[key].items() if k in {"rows", "method", "file"}
                }
        return format_html(
            "<pre>{}</pre>", json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True)
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        latest = RouterModel.objects.order_by("-created_at", "-id").first()
        gate = latest.metadata.get("gate") if latest is not None else None
        context = {
            **(extra_context or {}),
            "latest_training": latest,
            "latest_comparison": _comparison_table(gate) if gate else None,
        }
        return super().changelist_view(request, extra_context=context)

    def get_urls(self) -> list[URLPattern]:
        train = self.admin_site.admin_view(require_POST(self.train_view))
        return [path("train/", train, name="routing_routermodel_train"), *super().get_urls()]

    def train_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        self._train_start(request)
        return HttpResponseRedirect(reverse("admin:routing_routermodel_changelist"))

    @admin.action(description=_("Train a new model"))
    def train_new_model(self, request: HttpRequest, queryset: QuerySet[RouterModel]) -> None:
        # The selection does not matter.
        self._train_start(request)

    def _train_start(self, request: HttpRequest) -> None:
        if not enqueue(jobs.router_train_job):
            self.message_user(
                request,
                _("The task queue is not available, so nothing was started. Try again later."),
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            _(
                "Training started in the background (about a minute). Reload this page to "
                "see the new version; it is activated only if it scores no worse."
            ),
            messages.INFO,
        )

    @admin.action(description=_("Activate the selected model"))
    def activate_model(self, request: HttpRequest, queryset: QuerySet[RouterModel]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one model."), messages.ERROR)
            return
        actor = request.user if isinstance(request.user, User) else None
        services.router_model_activate(router_model=queryset.get(), actor=actor)
        self.message_user(request, _("Model activated."), messages.SUCCESS)
