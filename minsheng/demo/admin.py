"""The admin's "Office profiles" page: every shipped profile, and a button that loads one
(its configuration, and its demo unless unticked), as `manage.py load_profile` does."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from minsheng.cases.office import office_get
from minsheng.demo.models import OfficeProfile
from minsheng.demo.profiles import ProfileError, profile_get, profile_load, profiles
from minsheng.notify.jobs import events_muted


@admin.register(OfficeProfile)
class OfficeProfileAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._load(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Office profiles"),
            "profiles": list(profiles().values()),
            "current": office_get().profile,
        }
        return TemplateResponse(request, "admin/demo/officeprofile/profiles.html", context)

    def _load(self, request: HttpRequest) -> HttpResponse:
        try:
            profile = profile_get(request.POST.get("profile", ""))
            with events_muted():  # made-up history: nobody is told about it
                loaded = profile_load(profile, demo=request.POST.get("demo") == "on")
        except ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Loaded the profile %(title)s with %(count)s demo cases.")
                % {"title": profile.title, "count": len(loaded.cases)},
            )
        return HttpResponseRedirect(request.path)
