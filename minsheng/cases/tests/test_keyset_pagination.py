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


def _pages_by_offset(api: APIClient, params: dict) -> list[list[str]]:
    """Every page's case numbers by page number (OFFSET), as old links read them."""
    pages: list[list[str]] = []
    number = 1
    while True:
        answer = api.get("/api/v1/cases", {**params, "page": number})
        if answer.status_code == 404:
            return pages
        pages.append([c["number"] for c in answer.json()["results"]])
        number += 1


def _walk_back(api: APIClient, params: dict) -> list[list[str]]:
    """Every page's case numbers from the last page back to the first, by `previous`."""
    answer = api.get("/api/v1/cases", params).json()
    while answer["next"]:
        answer = api.get(answer["next"]).json()
    pages = [[c["number"] for c in answer["results"]]]
    while answer["previous"]:
        answer = api.get(answer["previous"]).json()
        pages.append([c["number"] for c in answer["results"]])
    return list(reversed(pages))


def test_cursor_pages_list_each_case_once_in_the_page_number_order_across_the_due_boundary(
    cast,
):
    """Sorted by due time (either way) or by submission, as the dispatcher and as a handler
    (their department and a co-handled case): following `next`, going back by `previous`
    and asking page numbers show the same pages, every case once, in the list's order;
    equal due times and equal submission times included, on either side of the cases
    without a due time."""
    due = timezone.now().replace(microsecond=0) + timedelta(days=3)
    created = timezone.now().replace(microsecond=0) - timedelta(days=30)
    # (due time in hours from `due`, or None; submitted, in hours from `created`; housing's)
    plan = [
        (5, 0, True),
        (None, 4, True),
        (0, 1, False),
        (None, 4, True),  # the same submission time as the one before, without a due time
        (0, 2, True),  # the same due time as two cases before
        (None, 6, False),
        (2.5, 3, True),
        (None, 0, True),
        (0, 7, True),
        (None, 5, False),
    ]
    cases = []
    for hours_due, hours_created, is_housing in plan:
        case = _new()
        Case.objects.filter(pk=case.pk).update(
            next_due_at=None if hours_due is None else due + timedelta(hours=hours_due),
            created_at=created + timedelta(hours=hours_created),
            department=cast.housing if is_housing else cast.environment,
        )
        cases.append(Case.objects.get(pk=case.pk))
    cases[5].co_departments.add(cast.housing)  # co-handled: the handler sees it too
    with_due = [c for c in cases if c.next_due_at is not None]
    without = sorted(
        (c for c in cases if c.next_due_at is None), key=lambda c: (c.created_at, c.pk)
    )[::-1]
    expected = {
        "due": sorted(with_due, key=lambda c: (c.next_due_at, c.pk)) + without,
        "-due": sorted(with_due, key=lambda c: (c.next_due_at, c.pk))[::-1] + without,
        "-submitted": sorted(cases, key=lambda c: (c.created_at, c.pk))[::-1],
        "submitted": sorted(cases, key=lambda c: (c.created_at, c.pk)),
    }
    api = APIClient()
    housing = {c for c, (_d, _c, is_housing) in zip(cases, plan, strict=True) if is_housing}
    for user, sees in ((cast.dispatcher, set(cases)), (cast.handler, housing | {cases[5]})):
        api.force_authenticate(user=user)
        for ordering, order in expected.items():
            wanted = [c.number for c in order if c in sees]
            params = {"page_size": 3, "ordering": ordering}
            forward = _walk(api, "/api/v1/cases", params)
            assert [n for page in forward for n in page] == wanted, (user, ordering)
            assert _walk_back(api, params) == forward, (user, ordering)
            assert _pages_by_offset(api, params) == forward, (user, ordering)


def test_a_handler_s_total_counts_its_department_s_and_co_handled_cases_once_each(
    cast, monkeypatch
):
    """The total is counted in parts (`access.cases_visible_parts`): the department's
    cases, then the co-handled ones of other departments; a case the department both leads
    and co-handles counts once, and the cap holds across the parts."""
    cases = [_new() for _ in range(5)]
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(department=cast.housing)
    Case.objects.filter(pk__in=[c.pk for c in cases[3:]]).update(department=cast.environment)
    cases[0].co_departments.add(cast.housing)  # led and co-handled by housing
    cases[3].co_departments.add(cast.housing)  # another department's, co-handled
    api = APIClient()
    api.force_authenticate(user=cast.handler)
    answer = api.get("/api/v1/cases").json()
    assert (answer["count"], answer["count_is_capped"]) == (4, False)
    assert {c["number"] for c in answer["results"]} == {c.number for c in cases[:4]}

    def counted(cap: int) -> tuple[int, bool]:
        monkeypatch.setattr("minsheng.cases.filters.COUNT_CAP", cap)
        answer = api.get("/api/v1/cases").json()
        return answer["count"], answer["count_is_capped"]

    assert counted(4) == (4, False)  # exactly at the cap, across both parts
    assert counted(3) == (3, True)  # "3+": the department's three, then one co-handled
    assert counted(2) == (2, True)  # the department's alone reach it
