"""Public pages, mounted at the site root."""

from django.urls import path
from django.views.i18n import set_language

from minsheng.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("submit/emergency/", views.emergency_check, name="emergency-check"),
    path("receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.track_case, name="track-case"),
    path("track/<str:number>/files/<int:pk>/", views.track_attachment, name="track-attachment"),
    path("track/<str:number>/<slug:action>/", views.track_action, name="track-action"),
    path("guide/", views.guide, name="guide"),
    path("open/", views.open_figures, name="open"),  # public figures (信息公开)
    # The language switcher of every page (portal and workbench): a cookie, no URL prefix.
    path("language/", set_language, name="set-language"),
]
