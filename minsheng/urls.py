"""Top-level URLs, and the error answers of the whole site."""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from minsheng.api.errors import problem_page
from minsheng.portal.views import error_page

# Paths whose clients read JSON: their errors are problem JSON, never an HTML page.
API_PREFIXES = ("/api/", "/open311/")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("minsheng.api.urls")),  # /api/v1/ and /open311/v2/
    path("work/import/", include("minsheng.intake.urls")),  # spreadsheet import
    path("work/supervision/", include("minsheng.supervision.urls")),  # notices, return visits
    path("work/dispatch/", include("minsheng.dispatch.urls")),  # auto-dispatch policies, report
    path("work/enforcement/", include("minsheng.enforcement.urls")),  # 立案查处
    path("work/", include("minsheng.reports.urls")),  # /work/stats/, Excel exports
    path("work/", include("minsheng.workbench.urls")),
    # Browsers ask for it whatever the page says; the icon is the one base.html links.
    # Lazy: with DEBUG off the hashed name comes from collectstatic's manifest, which
    # `migrate` and `collectstatic` itself run before.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("", include("minsheng.portal.urls")),  # keep last: it owns "/"
]


def _error_handler(status: int) -> Callable[..., HttpResponse]:
    """Django's handler for `status`: problem JSON under the API paths, else the page in the
    site's language and look (portal or workbench)."""

    def handler(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
        if request.path.startswith(API_PREFIXES):
            return problem_page(request, status=status, exception=exception)
        return error_page(request, status=status, exception=exception)

    return handler


handler400 = _error_handler(400)
handler403 = _error_handler(403)
handler404 = _error_handler(404)
handler500 = _error_handler(500)
