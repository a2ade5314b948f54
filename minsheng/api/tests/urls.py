"""The site's URLs with the API included, whether or not the root URLconf has it yet."""

from django.urls import include, path

from minsheng.urls import urlpatterns as site_patterns

urlpatterns = [path("", include("minsheng.api.urls")), *site_patterns]
