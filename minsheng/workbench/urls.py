"""Staff pages, mounted under /work/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from minsheng.workbench import login, mediation, views

app_name = "workbench"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="workbench/login.html",
            next_page="workbench:my-work",
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="workbench:login"), name="logout"),
    path("login/code/", login.second_factor, name="second-factor"),
    path("account/second-factor/", login.second_factor_enrol, name="second-factor-enrol"),
    path("", views.my_work, name="my-work"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/assign/", views.bulk_assign, name="bulk-assign"),
    path("register/", views.register, name="register"),
    path("register/similar/", views.register_similar, name="register-similar"),
    path("register/category/", views.register_category, name="register-category"),
    path("register/extra/", views.register_extra, name="register-extra"),
    path("hot-topics/", views.hot_topics_view, name="hot-topics"),
    path("knowledge/", views.knowledge_search, name="knowledge"),
    path("cases/<str:number>/", views.case_detail, name="case-detail"),
    path("cases/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    path("cases/<str:number>/files/add/", views.case_files_add_view, name="case-files-add"),
    path("cases/<str:number>/actions/<slug:action>/", views.case_action, name="case-action"),
    path("cases/<str:number>/reporter/", views.reporter_grants_view, name="reporter-grants"),
    path(
        "cases/<str:number>/reporter/<int:pk>/revoke/",
        views.reporter_grant_revoke_view,
        name="reporter-grant-revoke",
    ),
    path("mediation/", mediation.mediation_list, name="mediation-list"),
    path(
        "cases/<str:number>/mediation/<int:pk>/signatures/",
        mediation.mediation_signatures,
        name="mediation-signatures",
    ),
    path(
        "cases/<str:number>/mediation/<int:pk>/fulfilment/",
        mediation.mediation_fulfilment,
        name="mediation-fulfilment",
    ),
    path(
        "cases/<str:number>/result-signature/",
        mediation.result_signature,
        name="result-signature",
    ),
]
