"""The root URLs as they will be once the portal and the workbench are included; the page
tests use this until `minsheng/urls.py` includes both apps."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("work/", include("minsheng.workbench.urls")),
    path("", include("minsheng.portal.urls")),
]
