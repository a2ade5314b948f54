"""Where staff get the printed documents: the case page's links to the case file and the
reply letter."""

from django.urls import reverse

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to


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
