"""GET /api/v1/cases/{number}/case-file.pdf: the case file as on the case page, for staff
who may see the case, with a token."""

from minsheng.cases.models import PersonalDataAccess, State
from minsheng.cases.tests.factories import RESULT, drive_to
from minsheng.reports.tests.pdfs import pages_text


def test_case_file_pdf_for_staff_who_may_see_the_case(cast, api, as_user):
    case = drive_to(cast, State.REPLIED)
    url = f"/api/v1/cases/{case.number}/case-file.pdf"
    assert api.get(url).status_code == 401
    co_handler = as_user(cast.handler2).get(url)  # environment co-handles the case
    assert co_handler.status_code == 200
    outsider = drive_to(cast, State.ACCEPTED)  # no department yet: housing's head cannot see it
    missing = as_user(cast.head).get(f"/api/v1/cases/{outsider.number}/case-file.pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    response = as_user(cast.dispatcher).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"case-file-{case.number}.pdf" in response["Content-Disposition"]
    text = "\n".join(pages_text(response.content))
    assert case.number in text
    assert "三日内现场核查并约谈施工单位" in text  # the plan
    for part in ("facts", "basis", "measures", "outcome", "remedy"):
        assert str(RESULT[part]) in text, part
    assert PersonalDataAccess.objects.filter(
        case=case, user=cast.dispatcher, purpose="api:case-file"
    ).exists()


def test_case_file_is_in_the_openapi_document_as_a_pdf(db, api):
    document = api.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/cases/{number}/case-file.pdf"]["get"]
    assert operation["operationId"] == "cases_case_file"
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert "404" in operation["responses"]
