"""REST API v1, mounted at /api/v1/ by `minsheng.api.urls`."""

from django.urls import path, re_path

from minsheng.api.schema import schema_view
from minsheng.api.v1.views import (
    dispatch,
    documents,
    grants,
    office,
    public,
    records,
    staff,
    stats,
    supervision,
)
from minsheng.api.v1.views.enforcement import (
    EnforcementDetailView,
    EnforcementListView,
    EnforcementStepView,
)
from minsheng.cases.workflow import ACTIONS, public_actions

app_name = "api-v1"

urlpatterns = [
    path("openapi.json", schema_view(), name="openapi"),
    path("auth/token", public.TokenView.as_view(), name="auth-token"),
    path("office", office.OfficeView.as_view(), name="office"),
    path("public/cases", public.PublicCaseCreateView.as_view(), name="public-case-create"),
    path(
        "public/cases/<str:number>",
        public.PublicCaseDetailView.as_view(),
        name="public-case-detail",
    ),
    # One route per action, each documented with the action's own body; then the generic
    # route for any other name (not in the document): 404, or 403 for a staff action.
    *(
        path(
            f"public/cases/<str:number>/actions/{act.value}",
            public.case_action_view(act),
            name=f"public-case-action-{act.value}",
        )
        for act in public_actions()
    ),
    path(
        "public/cases/<str:number>/actions/<str:action>",
        public.PublicCaseOtherActionView.as_view(),
        name="public-case-action",
    ),
    path("cases", staff.CaseListView.as_view(), name="case-list"),
    path("cases/<str:number>", staff.CaseDetailView.as_view(), name="case-detail"),
    *(
        path(
            f"cases/<str:number>/actions/{act.value}",
            staff.case_action_view(act),
            name=f"case-action-{act.value}",
        )
        for act in ACTIONS
    ),
    path(
        "cases/<str:number>/actions/<str:action>",
        staff.CaseUnknownActionView.as_view(),
        name="case-action",
    ),
    path(
        "cases/<str:number>/attachments",
        staff.CaseAttachmentsView.as_view(),
        name="case-attachments",
    ),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>",
        staff.CaseAttachmentDownloadView.as_view(),
        name="case-attachment",
    ),
    path("stats", stats.StatsView.as_view(), name="stats"),
    path("stats/evaluation", stats.EvaluationView.as_view(), name="stats-evaluation"),
    path("public/stats", stats.PublicStatsView.as_view(), name="public-stats"),
    path("dispatch/policies", dispatch.PolicyListView.as_view(), name="dispatch-policies"),
    path(
        "dispatch/policies/<int:policy_id>",
        dispatch.PolicyDetailView.as_view(),
        name="dispatch-policy",
    ),
    path("dispatch/switch", dispatch.SwitchView.as_view(), name="dispatch-switch"),
    path(
        "dispatch/corrections", dispatch.CorrectionListView.as_view(), name="dispatch-corrections"
    ),
    path("notices", supervision.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:notice_id>", supervision.NoticeDetailView.as_view(), name="notice-detail"),
    path(
        "notices/<int:notice_id>/actions/<str:action>",
        supervision.NoticeActionView.as_view(),
        name="notice-action",
    ),
    path("enforcement", EnforcementListView.as_view(), name="enforcement-list"),
    path(
        "enforcement/<int:enforcement_id>",
        EnforcementDetailView.as_view(),
        name="enforcement-detail",
    ),
    path(
        "enforcement/<int:enforcement_id>/steps",
        EnforcementStepView.as_view(),
        name="enforcement-steps",
    ),
    path("cases/<str:number>/case-file.pdf", documents.CaseFileView.as_view(), name="case-file"),
    path(
        "cases/<str:number>/reporter-grants",
        grants.ReporterGrantListView.as_view(),
        name="reporter-grants",
    ),
    path(
        "cases/<str:number>/reporter-grants/<int:grant_id>/revoke",
        grants.ReporterGrantRevokeView.as_view(),
        name="reporter-grant-revoke",
    ),
    path(
        "cases/<str:number>/mediation-agreements",
        records.MediationAgreementListView.as_view(),
        name="mediation-agreements",
    ),
    path(
        "cases/<str:number>/mediation-agreements/<int:agreement_id>/signatures",
        records.MediationSignaturesView.as_view(),
        name="mediation-signatures",
    ),
    path(
        "cases/<str:number>/mediation-agreements/<int:agreement_id>/fulfilment",
        records.MediationFulfilmentView.as_view(),
        name="mediation-fulfilment",
    ),
    path(
        "cases/<str:number>/result-signature",
        records.ResultSignatureView.as_view(),
        name="result-signature",
    ),
    re_path(r"^.*$", staff.NotFoundView.as_view(), name="not-found"),
]
