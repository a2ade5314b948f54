"""Phone and ID numbers, e-mails and addresses that citizens write into the text itself are
masked for every reader who may not see personal data: on the case page, in the API, in the
Excel export and the case file; those who may see them read them as written, and the look
is logged."""

import io

from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.cases.access import Citizen
from minsheng.cases.models import PersonalDataAccess, State
from minsheng.cases.services import material_supply
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.workflow import perform
from minsheng.reports.services import case_workbook

PHONE = "13912345678"
ID_NUMBER = "110101199003071234"
ADDRESS = "朝阳区建国路12号3单元401"
SUBJECT = f"噪音扰民，请回电{PHONE}"
BODY = f"我住在{ADDRESS}，身份证号{ID_NUMBER}，邮箱me@example.cn。工地每晚施工。"
CLEAR = (PHONE, ID_NUMBER, ADDRESS, "me@example.cn")


def _case_with_personal_text(cast):
    registered = cast.submit(subject=SUBJECT, body=BODY)
    case = registered.case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    return case


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_case_page_and_api_mask_text_for_readers_without_personal_data_rights(cast, client):
    case = _case_with_personal_text(cast)
    page_url = reverse("workbench:case-detail", args=[case.number])
    api_url = reverse("api-v1:case-detail", args=[case.number])

    for outsider in (cast.auditor, cast.admin):
        client.force_login(outsider)
        page = client.get(page_url).content.decode()
        answer = _api(outsider).get(api_url).json()
        for clear in CLEAR:
            assert clear not in page, (outsider.username, clear)
            assert clear not in str(answer), (outsider.username, clear)
        assert "139****5678" in page
        assert answer["case"]["subject"] == "噪音扰民，请回电139****5678"
        assert "身份证号***" in answer["case"]["body"]
    assert not PersonalDataAccess.objects.filter(user__in=[cast.auditor, cast.admin]).exists()

    client.force_login(cast.handler)
    page = client.get(page_url).content.decode()
    answer = _api(cast.handler).get(api_url).json()
    for clear in CLEAR:
        assert clear in page
        assert clear in answer["case"]["body"] + answer["case"]["subject"]
    assert PersonalDataAccess.objects.filter(case=case, user=cast.handler).count() == 2


def test_complainants_supplement_is_masked_on_the_timeline_for_outsiders(cast, client):
    case = drive_to(cast, State.NEEDS_INFO)
    citizen = Citizen(case_id=case.pk)
    material_supply(case=case, actor=citizen, note=f"补充：我的手机{PHONE}", files=[])
    url = reverse("api-v1:case-detail", args=[case.number])
    notes = [e["note"] for e in _api(cast.auditor).get(url).json()["timeline"]]
    assert "补充：我的手机139****5678" in notes
    notes = [e["note"] for e in _api(cast.intake).get(url).json()["timeline"]]
    assert f"补充：我的手机{PHONE}" in notes


def test_excel_export_masks_the_subject_for_readers_without_personal_data_rights(cast):
    case = _case_with_personal_text(cast)

    def subjects(user):
        sheet = load_workbook(
            io.BytesIO(case_workbook(actor=user, params={}, include_personal_data=False))
        ).active
        return [cell.value for row in sheet.iter_rows() for cell in row if cell.value]

    assert "噪音扰民，请回电139****5678" in subjects(cast.auditor)
    assert PHONE not in str(subjects(cast.auditor))
    assert SUBJECT in subjects(cast.supervisor)
    assert case.number in subjects(cast.supervisor)


def test_case_file_pdf_masks_text_for_readers_without_personal_data_rights(cast, client):
    case = _case_with_personal_text(cast)
    client.force_login(cast.auditor)
    response = client.get(reverse("reports:case-file", args=[case.number]))
    assert response.status_code == 200
    assert PersonalDataAccess.objects.filter(user=cast.auditor).count() == 0
    client.force_login(cast.head)
    assert client.get(reverse("reports:case-file", args=[case.number])).status_code == 200
    assert PersonalDataAccess.objects.filter(case=case, user=cast.head).exists()


def test_a_report_hides_text_from_the_handling_department_too(cast, client):
    registered = cast.submit(kind="report", subject=SUBJECT, body=BODY)
    case = registered.case
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    client.force_login(cast.handler)
    page = client.get(reverse("workbench:case-detail", args=[case.number])).content.decode()
    assert PHONE not in page
    assert ID_NUMBER not in page


def test_case_lists_mask_subjects_for_readers_without_rights_on_every_case(cast, client):
    case = _case_with_personal_text(cast)
    for reader, shown in (
        (cast.auditor, "噪音扰民，请回电139****5678"),
        (cast.admin, "噪音扰民，请回电139****5678"),
        (cast.handler, "噪音扰民，请回电139****5678"),  # a list decides once, for its reader
        (cast.dispatcher, SUBJECT),
    ):
        client.force_login(reader)
        page = client.get(reverse("workbench:case-list")).content.decode()
        listed = _api(reader).get(reverse("api-v1:case-list")).json()["results"]
        subjects = {row["number"]: row["subject"] for row in listed}
        assert subjects[case.number] == shown, reader.username
        assert shown in page, reader.username
        if shown != SUBJECT:
            assert PHONE not in page, reader.username
    client.force_login(cast.handler)
    queue = client.get(reverse("workbench:my-work")).content.decode()
    assert case.number in queue
    assert PHONE not in queue
