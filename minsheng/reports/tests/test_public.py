"""The public figures (/open/): no personal data, small counts hidden with their complement,
the same figures as the API."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from minsheng.cases.models import Case, Category
from minsheng.cases.services import PersonInput
from minsheng.cases.workflow import Act, perform
from minsheng.reports.selectors import suppressed
from minsheng.reports.tests.fixtures import at

TOPIC_SUBJECT = "小区垃圾清运不及时，垃圾桶满溢，李四物业不管"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def october(cast):
    """12 cases in October 2026: 3 about parks (园林绿化), 9 about waste (市容环卫), six of
    those the same matter against a private person's business (李四物业)."""
    parks = Category.objects.create(name="园林绿化", level=1)
    waste = Category.objects.create(name="市容环卫", level=1)
    cases = []
    with at("2026-10-14 09:00 +08:00"):
        for k in range(12):
            category = parks if k < 3 else waste
            subject = TOPIC_SUBJECT if k >= 6 else f"公园{k}号门绿化带枯死"
            person = PersonInput(name=f"王小{k}", phone=f"1381234{k:04d}")
            case = cast.submit(subject=subject, body=subject * 2, people=[person]).case
            Case.objects.filter(pk=case.pk).update(respondent="李四物业" if k >= 6 else "")
            perform(case=case, action=Act.ACCEPT, actor=cast.intake, category=category)
            cases.append(case)
    return cases


def test_suppression_hides_small_counts_and_the_cell_that_would_give_one_back():
    assert suppressed([3, 9]) == [None, None]
    assert suppressed([3, 9, 20]) == [None, None, 20]
    assert suppressed([3, 4, 20]) == [None, None, 20]
    assert suppressed([12, 9, 20]) == [12, 9, 20]
    assert suppressed([0, 3]) == [None, None]


def test_open_page_suppresses_small_counts_and_shows_no_personal_data(client, october):
    with at("2026-11-15 10:00 +08:00"):
        page = client.get(reverse("portal:open"), {"month": "2026-10"}).content.decode()
    assert 'id="open-total">12<' in page
    # 园林绿化 has 3 cases: "<5"; 市容环卫 (9) is hidden too, or 12 − 9 would give it back.
    table = page.split('id="open-by-category"')[1].split("</table>")[0]
    assert "园林绿化</th><td>&lt;5<" in table
    assert "市容环卫</th><td>&lt;5<" in table
    assert "9<" not in table
    for case in october:
        assert case.number not in page
    for k in range(12):
        assert f"王小{k}" not in page
        assert f"1381234{k:04d}" not in page
    assert "李四" not in page  # the respondent, a private person's business


def test_open_page_needs_no_login_and_is_cached(client, october, django_assert_max_num_queries):
    with at("2026-11-15 10:00 +08:00"):
        assert client.get(reverse("portal:open"), {"month": "2026-10"}).status_code == 200
        with django_assert_max_num_queries(3):  # the figures' cursor and new events; no figure
            response = client.get(reverse("portal:open"), {"month": "2026-10"})
    assert response.status_code == 200
    with at("2026-11-15 10:00 +08:00"):
        future = client.get(reverse("portal:open"), {"month": "2027-01"})
    assert future.status_code == 200  # falls back to the last whole month


def test_hot_topics_are_shown_in_neutral_words(client, october):
    with at("2026-11-15 10:00 +08:00"):
        page = client.get(reverse("portal:open"), {"month": "2026-10"}).content.decode()
    topics = page.split('id="open-topic-list"')[1].split("</ol>")[0]
    assert "<strong>市容环卫</strong>" in topics  # the category, not a case's subject
    assert "垃圾" in topics
    assert TOPIC_SUBJECT not in page
