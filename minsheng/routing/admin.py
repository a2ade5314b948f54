"""Admin pages: keyword rules (edited), feedback (read-only) and model versions, with an
action that trains a new model.

Training takes about half a minute; the action enqueues `jobs.router_train_job` for the
task worker, so the admin page answers at once.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
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


@admin.register(RouterModel)
class RouterModelAdmin(admin.ModelAdmin):
    list_display = ["created_at", "dev_macro_f1", "is_active", "path"]
    readonly_fields = ["path", "metadata", "is_active", "created_at"]
    actions = ["train_new_model", "activate_model"]
    # Adds a "Train a new model" button: admin actions need a selected row, and there is
    # none before the first training.
    change_list_template = "admin/routing/routermodel/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

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
