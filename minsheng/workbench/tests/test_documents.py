"""Where staff get the printed documents: the case page's links to the case file and the
reply letter, and the monthly report (with routing's hot topics, handed in here) from the
statistics page and from `manage.py monthly_report`."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.pdfs import (
    assert_set_in_noto_cjk,
    needs_noto_cjk,
    pages_text,
    png_save,
)


def test_case_page_links_the_case_file_and_the_reply_letter_once_answered(client, cast):
    waiting = drive_to(cast, State.IN_PROGRESS)
    answered = drive_to(cast, State.REPLIED)
    client.force_login(cast.handler)
    page = client.get(reverse("workbench:case-detail", args=[waiting.number])).content.decode()
    assert reverse("reports:case-file", args=[waiting.number]) in page
    assert reverse("reports:reply-letter", args=[waiting.number]) not in page
    page = client.get(reverse("workbench:case-detail", args=[answered.number])).content.decode()
    assert reverse("reports:case-file", args=[answered.number]) in page
    assert reverse("reports:reply-letter", args=[answered.number]) in page


@pytest.fixture
def month(cast):
    return month_build(cast)


@needs_noto_cjk
def test_monthly_report_from_the_dashboard_for_supervisors_and_leaders_only(client, cast, month):
    url = reverse("workbench:monthly-report")
    assert client.get(url).status_code == 302  # to the login page
    for user in (cast.handler, cast.head, cast.intake, cast.dispatcher, cast.admin, cast.auditor):
        client.force_login(user)
        assert client.get(url, {"month": "2026-11"}).status_code == 403, user.username
    client.force_login(cast.leader)
    with at(NOW):
        dashboard = client.get(reverse("reports:dashboard"), {"month": "2026-11"})
        assert f"{url}?month=2026-11" in dashboard.content.decode()
        response = client.get(url, {"month": "2026-11"})
        assert client.get(url, {"month": "November"}).status_code == 400
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "monthly-report-2026-11.pdf" in response["Content-Disposition"]
    pages = pages_text(response.content)
    text = "\n".join(pages)
    # The hot topics came in through this interface: the month's cases, most of them about
    # the same night construction noise, make a topic that names it.
    assert "热点问题" in text
    assert "工地夜间施工噪音扰民" in text
    assert "Not included in this copy." not in text
    assert_set_in_noto_cjk(response.content)
    topics_page = next(i for i, page in enumerate(pages) if "热点问题" in page)
    png_save(response.content, "documents-monthly-report-hot-topics", page=topics_page)


def test_monthly_report_command_writes_the_pdf(cast, month, tmp_path):
    out = tmp_path / "report.pdf"
    with at(NOW):
        call_command("monthly_report", "2026-11", str(out), "--language", "en")
    text = "\n".join(pages_text(out.read_bytes()))
    assert "Monthly report" in text
    assert "2026-11" in text
    for number in month.numbers("B", "C", "H"):  # answered late or overdue
        assert number in text
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("monthly_report", "November", str(out))
