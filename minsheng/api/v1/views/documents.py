"""The printed documents through the API (token): `GET /api/v1/cases/{number}/case-file.pdf`,
the case file (案卷) of one case, built by `reports.documents` as on the case page, for staff
who may see the case (404 otherwise); personal data as the reader may see it, each unmasked
look logged by `cases.access.complainant_for`."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from minsheng.api.schema import COMMON_PROBLEMS, NUMBER, problems
from minsheng.api.v1.views.base import ApiView, staff_user
from minsheng.api.v1.views.staff import AnyMediaRenderer
from minsheng.cases.access import access_case
from minsheng.reports import documents


class CaseFileView(ApiView):
    renderer_classes = [AnyMediaRenderer]

    @extend_schema(
        operation_id="cases_case_file",
        summary="The case file (案卷) of one case as a PDF",
        description=(
            "The registration form, the handling plan and progress, the five-part result, "
            "approvals, the rating and return visits, supervision notices and the whole "
            "timeline, with the case number and page numbers on every page. Complainants "
            "are shown as the token's user may see them (masked for the unit complained "
            "about); an unmasked look is logged."
        ),
        parameters=[NUMBER],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The case file, a PDF document."
            ),
            **problems(401, 404, *COMMON_PROBLEMS),
        },
        tags=["cases"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        user = staff_user(request)
        case = access_case(user, number)
        case_file = documents.case_file_for(case, user, purpose="api:case-file")
        response = HttpResponse(documents.case_file_pdf(case_file), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="case-file-{case.number}.pdf"'
        return response
