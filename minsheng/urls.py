"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("minsheng.api.urls")),  # /api/v1/ and /open311/v2/
    path("work/import/", include("minsheng.intake.urls")),  # spreadsheet import
    path("work/supervision/", include("minsheng.supervision.urls")),  # notices, return visits
    path("work/", include("minsheng.reports.urls")),  # /work/stats/, Excel exports
    path("work/", include("minsheng.workbench.urls")),
    path("", include("minsheng.portal.urls")),  # keep last: it owns "/"
]
