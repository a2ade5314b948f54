"""Enforcement pages, mounted under /work/enforcement/ beside the workbench."""

from django.urls import path

from minsheng.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.enforcement_list, name="list"),
    path("<int:pk>/", views.enforcement_detail, name="detail"),
    path("open/<str:number>/", views.enforcement_open, name="open"),
]
