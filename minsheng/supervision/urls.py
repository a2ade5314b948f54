"""Supervision pages, mounted under /work/supervision/ beside the workbench."""

from django.urls import path

from minsheng.supervision import views

app_name = "supervision"
urlpatterns = [
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_issue_view, name="notice-issue"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/actions/<slug:action>/", views.notice_action, name="notice-action"),
    path("notices/<int:pk>/files/<int:file_pk>/", views.notice_file, name="notice-file"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<int:pk>/", views.visit_call, name="visit-call"),
]
