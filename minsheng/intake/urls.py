"""Intake pages, mounted under /work/import/ beside the workbench."""

from django.urls import path

from minsheng.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/progress/", views.import_progress, name="import-progress"),
]
