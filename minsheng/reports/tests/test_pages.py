"""The statistics pages: who may open them, what they show, their links and Excel files."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.cases.models import PersonalDataAccess
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.test_dashboard_figures import NOVEMBER

PAGES = [
    "reports:dashboard",
    "reports:dashboard-export",
    "reports:evaluation",
    "reports:evaluation-export",
]


@pytest.fixture
def month(cast):
    return month_build(cast)


@pytest.mark.parametrize("name", PAGES)
def test_only_supervisors_and_leaders_open_the_statistics(client, cast, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to the login page
    for user in (cast.handler, cast.head, cast.intake, cast.dispatcher, cast.admin, cast.auditor):
        client.force_login(user)
        assert client.get(url).status_code == 403, user.username
    for user in (cast.supervisor, cast.leader):
        client.force_login(user)
        assert client.get(url).status_code == 200, user.username


def test_dashboard_shows_the_figures_and_each_link_lists_the_cases(client, cast, month):
    client.force_login(cast.supervisor)
    with at(NOW):
        response = client.get(reverse("reports:dashboard"), {"month": "2026-11"})
        page = response.content.decode()
        assert "40.0%" in page  # response rate: 2 of 5
        assert 'id="chart-kind"' in page
        # The response rate's numerator link lists A and F.
        link = f"?{NOVEMBER.case_params(outcome='answered_on_time')}"
        listing = client.get(
            reverse("workbench:case-list"),
            {**NOVEMBER.case_params(), "outcome": "answered_on_time"},
        ).content.decode()
        for letter in "AF":
            assert month.cases[letter].number in listing
        for letter in "BCDEGH":
            assert month.cases[letter].number not in listing
        assert link


def test_navigation_links_the_statistics_for_supervisors_only(client, cast):
    client.force_login(cast.supervisor)
    assert reverse("reports:dashboard") in client.get(reverse("workbench:my-work")).content.decode()
    client.force_login(cast.handler)
    assert (
        reverse("reports:dashboard")
        not in client.get(reverse("workbench:my-work")).content.decode()
    )


def test_dashboard_and_evaluation_export_to_excel_with_chinese_headers(client, cast, month):
    client.force_login(cast.leader)
    with at(NOW):
        response = client.get(reverse("reports:dashboard-export"), {"month": "2026-11"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "2026-11" in rows[2][0]  # the period is written above the table
    volume = rows[5]
    assert volume[1:3] == [8, 1]  # November beside October
    assert [row[1] for row in rows if row[1] == "40.0%"]  # the response rate
    with at(NOW):
        response = client.get(reverse("reports:evaluation-export"), {"month": "2026-11"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [c.value for c in sheet["B"] if c.value]
    assert "市住房和城乡建设局" in names


def test_small_case_export_is_a_file_and_logs_personal_data_when_asked(client, cast, month):
    client.force_login(cast.supervisor)
    url = reverse("reports:case-export") + "?department=housing"
    page = client.get(url).content.decode()
    assert "personal_data" in page
    before = PersonalDataAccess.objects.count()
    response = client.post(url, {"personal_data": "1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "部门" in rows[2][0]
    assert "市住房和城乡建设局" in rows[2][0]
    assert rows[4][:3] == ["工单编号", "提交时间", "类型"]  # Chinese headers
    assert "张伟" in [v for row in rows[5:] for v in row]
    # Five housing cases (P, A, B, C, H), each exported with personal data: five looks logged.
    assert PersonalDataAccess.objects.count() - before == 5

    response = client.post(url)  # without personal data: nothing logged, no names
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "张伟" not in [c.value for row in sheet.iter_rows() for c in row]
    assert PersonalDataAccess.objects.count() - before == 5


def test_roles_without_personal_data_are_not_offered_it_and_cannot_force_it(client, cast, month):
    client.force_login(cast.auditor)
    url = reverse("reports:case-export")
    assert "personal_data" not in client.get(url).content.decode()
    response = client.post(url, {"personal_data": "1"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "张伟" not in [c.value for row in sheet.iter_rows() for c in row]


def test_case_export_refuses_an_account_without_a_role(client, cast):
    from minsheng.accounts.services import user_create

    nobody = user_create(username="nobody", password="test-password-1", roles=[])
    client.force_login(nobody)
    assert client.get(reverse("reports:case-export")).status_code == 403
    assert client.post(reverse("reports:case-export")).status_code == 403
    client.logout()
    assert client.get(reverse("reports:case-export")).status_code == 302  # to the login page


def test_evaluation_weights_are_edited_in_the_admin(client, cast):
    from minsheng.reports.models import EvaluationWeight

    assert EvaluationWeight.objects.count() == 7  # seeded by the data migration
    client.force_login(cast.admin)
    response = client.get(reverse("admin:reports_evaluationweight_changelist"))
    assert response.status_code == 200
