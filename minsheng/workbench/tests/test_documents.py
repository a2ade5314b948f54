"""Where staff get the printed documents: the case page's links to the case file and the
reply letter, and the monthly report (with routing's hot topics, handed in here) from
`manage.py monthly_report`."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.reports.tests.fixtures import NOW, at, month_build
from minsheng.reports.tests.pdfs import (
    pages_text,
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
