"""Auto-dispatch pages, mounted under /work/dispatch/ beside the workbench."""

from django.urls import path

from minsheng.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.policy_list, name="policy-list"),
    path("switch/", views.switch_view, name="switch"),
    path("policies/<int:pk>/", views.policy_edit, name="policy-edit"),
    path("report/", views.report_view, name="report"),
]
