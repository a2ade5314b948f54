"""The API's URLs: the REST API under /api/v1/ and Open311 GeoReport v2 under /open311/v2/.

Include at the site root: `path("", include("minsheng.api.urls"))`.
"""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("minsheng.api.v1.urls")),
    path("open311/v2/", include("minsheng.api.open311.urls")),
]
