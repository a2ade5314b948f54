"""Statistics, export and document (PDF) pages, mounted under /work/ beside the workbench."""

from django.urls import path

from minsheng.reports import views

app_name = "reports"
urlpatterns = [
    path("stats/", views.dashboard, name="dashboard"),
    path("stats/export/", views.dashboard_export, name="dashboard-export"),
    path("stats/evaluation/", views.evaluation, name="evaluation"),
    path("stats/evaluation/export/", views.evaluation_export, name="evaluation-export"),
    path("stats/monthly-report/", views.monthly_report, name="monthly-report"),
    path("exports/cases/", views.case_export, name="case-export"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export-progress"),
    path("exports/<int:pk>/file/", views.export_download, name="export-download"),
    path("cases/<str:number>/case-file.pdf", views.case_file, name="case-file"),
    path("cases/<str:number>/reply-letter.pdf", views.reply_letter, name="reply-letter"),
]
