"""Case lists page by cursor (lib.pagination.KeysetPaginator): the workbench's links and the
API's `next`/`previous` go on from the last row shown, so a case that arrives between two
pages never shifts a row onto the next page twice or off it unseen."""

from datetime import timedelta

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from minsheng.cases.models import Case, Channel
from minsheng.cases.services import Submission, case_create


def _new(subject: str = "路灯不亮") -> Case:
    submission = Submission(
        kind="complaint", subject=subject, body="详情。", channel=Channel.WEB, is_anonymous=True
    )
    return case_create(submission=submission, actor=None).case


def _walk(api: APIClient, url: str, params: dict, *, between=None) -> list[list[str]]:
    """Every page's case numbers, following `next`; `between()` runs after each page."""
    pages = []
    answer = api.get(url, params).json()
    while True:
        pages.append([c["number"] for c in answer["results"]])
        if between is not None:
            between()
        if not answer["next"]:
            return pages
        answer = api.get(answer["next"]).json()


def test_api_pages_by_cursor_without_skipping_or_repeating_as_cases_arrive(cast):
    with time_machine.travel("2026-11-02 09:00 +08:00", tick=True):
        before = [_new().number for _ in range(11)]
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    arrived = []

    def arrive() -> None:
        arrived.append(_new().number)  # newer than everything listed: it goes on top

    pages = _walk(api, "/api/v1/cases", {"page_size": 4}, between=arrive)
    shown = [number for page in pages for number in page]
    assert shown == list(reversed(before))  # each once, newest first
    assert [len(page) for page in pages] == [4, 4, 3]
    assert arrived  # and none of them slipped in

    # `previous` walks back over the same pages.
    last = api.get("/api/v1/cases", {"page_size": 4}).json()
    second = api.get(last["next"]).json()
    assert [c["number"] for c in api.get(second["previous"]).json()["results"]] == [
        c["number"] for c in last["results"]
    ]


def test_sorted_by_due_pages_through_cases_without_a_due_time_last(cast):
    numbers = [_new().number for _ in range(5)]
    # Two cases without a running clock (no due time) come after the others, on any database.
    Case.objects.filter(number__in=numbers[:2]).update(next_due_at=None)
    now = timezone.now()
    for hours, number in enumerate(numbers[2:]):
        Case.objects.filter(number=number).update(next_due_at=now + timedelta(hours=hours))
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    pages = _walk(api, "/api/v1/cases", {"page_size": 2, "ordering": "due"})
    shown = [number for page in pages for number in page]
    # Soonest due first; without a due time newest first, at the end.
    assert shown == [numbers[2], numbers[3], numbers[4], numbers[1], numbers[0]]
    latest = _walk(api, "/api/v1/cases", {"page_size": 2, "ordering": "-due"})
    assert [n for page in latest for n in page] == [
        numbers[4],
        numbers[3],
        numbers[2],
        numbers[1],
        numbers[0],
    ]


def test_keyword_ranks_across_pages(cast):
    body_cases = []
    for _ in range(3):
        submission = Submission(
            kind="complaint",
            subject="小区卫生",
            body="垃圾没人清运。",
            channel=Channel.WEB,
            is_anonymous=True,
        )
        body_cases.append(case_create(submission=submission, actor=None).case.number)
    subject_cases = [_new("垃圾清运不及时").number for _ in range(3)]
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    pages = _walk(api, "/api/v1/cases", {"page_size": 2, "q": "垃圾"})
    shown = [number for page in pages for number in page]
    assert shown == list(reversed(subject_cases)) + list(reversed(body_cases))


def test_workbench_links_go_on_by_cursor_and_a_bad_one_shows_the_first_page(cast, client):
    for _ in range(27):
        _new()
    client.force_login(cast.dispatcher)
    first = client.get("/work/cases/")
    page = first.context["page"]
    assert len(page.object_list) == 25
    assert page.has_next()
    assert not page.has_previous()
    assert f"after={page.next_cursor}" in first.content.decode()
    second = client.get("/work/cases/", {"after": page.next_cursor})
    assert len(second.context["page"].object_list) == 2
    assert second.context["page"].number == 2
    assert f"before={second.context['page'].previous_cursor}" in second.content.decode()
    back = client.get("/work/cases/", {"before": second.context["page"].previous_cursor})
    assert [c.pk for c in back.context["page"].object_list] == [c.pk for c in page.object_list]

    broken = client.get("/work/cases/", {"after": "not-a-cursor"})
    assert broken.status_code == 200
    assert broken.context["page"].number == 1
    assert [str(m) for m in broken.context["messages"]]


def test_api_answers_a_cursor_it_did_not_make_as_no_such_page(cast):
    _new()
    api = APIClient()
    api.force_authenticate(user=cast.dispatcher)
    # As DRF's own cursor pagination: a page that does not exist.
    assert api.get("/api/v1/cases", {"after": "eyJub3QiOiAiaXQifQ"}).status_code == 404
    assert api.get("/api/v1/cases", {"before": "%%%"}).status_code == 404
    assert api.get("/api/v1/cases", {"page": "7"}).status_code == 404
