"""What the case list keeps doing after the changes that make it fast at a million cases
(cases/bench.py): date ranges in local days, categories with their sub-categories, keyword
by case number, and a count that stops at a cap but still pages on."""

import time_machine
from django.template.loader import render_to_string
from django.utils import timezone

from minsheng.cases.filters import CaseFilterSet
from minsheng.cases.models import Case, Category
from minsheng.lib.pagination import CappedPaginator, KeysetPaginator, Section


def _numbers(params: dict[str, str]) -> set[str]:
    return {c.number for c in CaseFilterSet(params, Case.objects.all()).qs}


def test_date_range_takes_whole_days_in_local_time(cast):
    submitted = {}
    for moment in ("2026-11-19 23:30", "2026-11-20 00:10", "2026-11-20 23:50", "2026-11-21 00:05"):
        with time_machine.travel(f"{moment} +08:00", tick=False):
            submitted[moment] = cast.submit().case.number
    day = {"submitted_from": "2026-11-20", "submitted_to": "2026-11-20"}
    assert _numbers(day) == {submitted["2026-11-20 00:10"], submitted["2026-11-20 23:50"]}
    assert _numbers({"submitted_to": "2026-11-19"}) == {submitted["2026-11-19 23:30"]}
    assert _numbers({"submitted_from": "2026-11-21"}) == {submitted["2026-11-21 00:05"]}


def test_category_takes_in_its_sub_categories(cast):
    top = Category.objects.create(name="城乡建设", level=1)
    middle = Category.objects.create(name="市政设施", level=2, parent=top)
    leaf = Category.objects.create(name="路灯", level=3, parent=middle)
    other = Category.objects.create(name="教育", level=1)
    numbers = {}
    for category in (top, middle, leaf, other):
        case = cast.submit().case
        Case.objects.filter(pk=case.pk).update(category=category)
        numbers[category.name] = case.number
    assert _numbers({"category": str(top.pk)}) == {
        numbers["城乡建设"],
        numbers["市政设施"],
        numbers["路灯"],
    }
    assert _numbers({"category": str(middle.pk)}) == {numbers["市政设施"], numbers["路灯"]}
    assert _numbers({"category": str(leaf.pk)}) == {numbers["路灯"]}


def test_keyword_finds_a_case_by_its_number_in_any_case(cast):
    case = cast.submit(subject="路灯不亮").case
    cast.submit(subject="垃圾清运")
    assert _numbers({"q": case.number.lower()}) == {case.number}
    assert _numbers({"q": f" {case.number} "}) == {case.number}


def test_capped_paginator_stops_counting_but_pages_on(cast):
    for index in range(7):
        cast.submit(subject=f"路灯不亮 {index}")
    cases = Case.objects.order_by("id")

    capped = CappedPaginator(cases, 2, cap=3)
    first = capped.get_page(1)
    assert capped.is_capped
    assert capped.shown_total == 3  # shown as "3+"
    assert first.has_next()
    assert len(first.object_list) == 2

    # Asking for a page past the cap counts as far as that page, and finds the end.
    reaching = CappedPaginator(cases, 2, cap=3)
    last = reaching.get_page(4)
    assert not reaching.is_capped
    assert reaching.count == 7
    assert [c.pk for c in last.object_list] == [list(cases)[-1].pk]
    assert not last.has_next()

    # Under the cap the count is exact.
    exact = CappedPaginator(cases, 2, cap=100)
    page = exact.get_page("not a number")
    assert not exact.is_capped
    assert exact.count == exact.shown_total == 7
    assert page.number == 1


def test_case_table_shows_a_capped_total_with_a_plus(cast, english):
    for index in range(5):
        cast.submit(subject=f"路灯不亮 {index}")
    cases = Case.objects.all()
    capped = KeysetPaginator([Section(cases, ("-created_at", "-pk"))], 2, cap=3)
    html = render_to_string(
        "workbench/_case_table.html", {"page": capped.page(), "now": timezone.now(), "query": ""}
    )
    assert "3+ cases" in html
    assert "Page 1<" in html  # no "of N": the total is not known
    assert "after=" in html

    exact = KeysetPaginator([Section(cases, ("-created_at", "-pk"))], 2, cap=100)
    html = render_to_string(
        "workbench/_case_table.html", {"page": exact.page(), "now": timezone.now(), "query": ""}
    )
    assert "5 cases" in html
    assert "Page 1 of 3" in html
