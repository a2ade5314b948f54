"""Similar and duplicate cases: a re-post of an open case (a real one from the shared
data's dup_groups) is proposed first, with its score and reason; the dispatcher merges it
from the case page in one click; the registration page shows them before registering;
repeated filing by the same phone shows to the intake agent, not to the unit complained
about."""

import csv
import random
from collections import defaultdict

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from minsheng.cases.models import Case, State
from minsheng.cases.services import PersonInput, Submission, case_create
from minsheng.cases.tests.factories import PASSWORD
from minsheng.cases.workflow import perform
from minsheng.routing import datasets, selectors
from minsheng.routing.selectors import Matter, similar_cases_for, similar_open_cases

MESSAGES = datasets.shared_data_dir() / "messages_labeled.csv"
needs_messages = pytest.mark.skipif(
    not MESSAGES.is_file(),
    reason="needs the shared data (messages_labeled.csv); set MINSHENG_SHARED_DATA",
)


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test starts without a duplicate index in memory (test databases roll back)."""
    selectors.duplicate_index_reset()
    yield
    selectors.duplicate_index_reset()


def _file(subject: str, body: str, *, phone: str = "13812345678", **facts) -> Case:
    submission = Submission(
        kind="complaint",
        subject=subject[:200],
        body=body,
        people=[PersonInput(name="市民", phone=phone)],
        **facts,
    )
    return case_create(submission=submission, actor=None).case


def _real_messages() -> tuple[list[list[dict[str, str]]], list[dict[str, str]]]:
    """Groups of re-posts (2+ messages) and single messages, from the shared data."""
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    with MESSAGES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            groups[row["dup_group"]].append(row)
    reposts = [rows for rows in groups.values() if len(rows) > 1]
    singles = [rows[0] for rows in groups.values() if len(rows) == 1]
    return reposts, singles


@needs_messages
def test_real_reposts_of_open_cases_are_proposed_first(cast):
    reposts, singles = _real_messages()
    chosen = random.Random(20261201).sample(reposts, 12)
    originals = [_file(g[0]["subject"], g[0]["body"]) for g in chosen]
    for row in random.Random(7).sample(singles, 150):  # other open matters around them
        _file(row["subject"], row["body"])
    for group, original in zip(chosen, originals, strict=True):
        repost = _file(group[1]["subject"], group[1]["body"])
        found = similar_cases_for(repost, cast.dispatcher)
        assert found, group[1]["subject"]
        assert found[0].case == original, group[1]["subject"]
        assert found[0].is_likely_duplicate
        assert f"{found[0].likeness.text:.2f}" in found[0].reason

    # A closed case is no longer proposed; the index follows without a rebuild.
    perform(case=originals[0], action="reject", actor=cast.intake, note="不予受理")
    again = similar_open_cases(
        matter=Matter(subject=chosen[0][1]["subject"], body=chosen[0][1]["body"]),
        user=cast.dispatcher,
    )
    assert originals[0] not in [s.case for s in again]


NOISE = (
    "小区楼下烧烤店油烟扰民",
    "小区楼下的烧烤店每天晚上油烟很大，噪音也大，严重影响居民休息，请相关部门处理。",
)


def test_dispatcher_merges_a_duplicate_from_the_case_page(cast, client):
    original = _file(*NOISE, respondent="老王烧烤店", location="幸福小区3栋")
    _file("公交站台破损", "幸福路公交站台的雨棚破损多日，下雨天无法候车。")
    repost = _file(
        "再次反映楼下烧烤店油烟扰民",
        NOISE[1] + "已经反映过一次了。",
        respondent="老王烧烤店",
        location="幸福小区3栋",
        phone="13900001111",
    )
    page_url = reverse("workbench:case-detail", args=[repost.number])

    client.login(username="auditor", password=PASSWORD)  # sees the case, may not merge
    page = client.get(page_url).content.decode()
    assert f'data-number="{original.number}"' in page
    assert "data-merge-into" not in page
    assert "data-link-to" not in page

    client.login(username="dispatcher", password=PASSWORD)
    page = client.get(page_url).content.decode()
    assert f'data-merge-into="{original.number}"' in page
    assert f'data-link-to="{original.number}"' in page
    with translation.override("zh-hans"):  # the page's language
        assert gettext("same respondent unit") in page
    merge_url = reverse("workbench:case-action", args=[repost.number, "merge"])
    assert f'action="{merge_url}"' in page
    response = client.post(merge_url, {"into": original.number})
    assert response.status_code == 302
    repost.refresh_from_db()
    assert repost.state == State.MERGED
    assert repost.merged_into == original
    # The merged case no longer proposes anything; the original lists it as merged in.
    page = client.get(reverse("workbench:case-detail", args=[original.number])).content.decode()
    assert repost.number in page
    assert f'data-number="{repost.number}"' not in page


def test_registration_page_shows_similar_open_cases(cast, client):
    original = _file(*NOISE)
    client.login(username="intake", password=PASSWORD)
    # htmx, while typing
    response = client.post(
        reverse("workbench:register-similar"), {"subject": NOISE[0], "body": NOISE[1]}
    )
    assert original.number in response.content.decode()
    nothing = client.post(reverse("workbench:register-similar"), {"subject": "你好"})
    assert original.number not in nothing.content.decode()
    # without JavaScript: the check button shows the form again with the list, registers nothing
    before = Case.objects.count()
    page = client.post(
        reverse("workbench:register"),
        {"similar_check": "1", "subject": NOISE[0], "body": NOISE[1], "channel": "phone"},
    )
    assert page.status_code == 200
    assert original.number in page.content.decode()
    assert Case.objects.count() == before
    # only intake agents register, so only they may look
    client.login(username="handler", password=PASSWORD)
    refused = client.post(reverse("workbench:register-similar"), {"subject": NOISE[0]})
    assert refused.status_code == 403


def test_repeated_filing_is_shown_to_intake_not_to_the_unit_complained_about(cast, client):
    phone = "13700002222"
    earlier = [
        _file("单位食堂收费不合理", "住建局食堂收费过高。", phone=phone),
        _file("办事窗口态度差", "住建局办事窗口工作人员态度恶劣。", phone="137 0000 2222"),
    ]
    _file("别人的投诉", "与此人无关的投诉内容。", phone="13600003333")
    case = _file(
        "投诉住建局工作人员",
        "住建局工作人员推诿扯皮。",
        phone=phone,
        respondent_department=cast.housing,
    )
    # The housing department (complained about) ends up handling it.
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    url = reverse("workbench:case-detail", args=[case.number])

    client.login(username="intake", password=PASSWORD)
    page = client.get(url).content.decode()
    assert 'id="repeat-filing-1"' in page
    assert all(c.number in page for c in earlier)
    assert "2" in page.split('id="repeat-filing-1"')[1].split("</p>")[0]

    client.login(username="handler", password=PASSWORD)
    page = client.get(url).content.decode()
    assert "repeat-filing" not in page
    assert not any(c.number in page for c in earlier)
    assert phone not in page


def test_case_detail_api_lists_similar_cases(cast):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    original = _file(*NOISE, respondent="老王烧烤店")
    repost = _file("烧烤店油烟扰民", NOISE[1], respondent="老王烧烤店", phone="13900001111")
    client = APIClient()
    token = Token.objects.get_or_create(user=cast.dispatcher)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = client.get(f"/api/v1/cases/{repost.number}").json()
    first = body["similar_cases"][0]
    assert first["number"] == original.number
    assert first["same_unit"] is True
    assert first["is_likely_duplicate"] is True
    assert 0 < first["score"] <= 1
    assert first["reason"]


def test_linking_as_duplicate_takes_the_case_off_the_list(cast, client):
    original = _file(*NOISE)
    repost = _file("烧烤店油烟扰民", NOISE[1], phone="13900001111")
    client.login(username="dispatcher", password=PASSWORD)
    link_url = reverse("workbench:case-action", args=[repost.number, "link"])
    response = client.post(
        link_url, {"other": original.number, "kind": "duplicate"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx: the refreshed case panel
    panel = response.content.decode()
    assert original.number in panel  # now under the links
    assert f'data-number="{original.number}"' not in panel
    assert repost.links_out.get().to_case == original


@pytest.mark.django_db(transaction=True)
def test_a_large_index_is_built_in_the_background(settings):
    settings.DUPLICATE_INDEX_SYNC_BUILD_UP_TO = 1  # "large": more than one open case
    from minsheng.cases.tests.factories import make_cast

    cast = make_cast()
    original = _file(*NOISE)
    _file("公交站台破损", "幸福路公交站台的雨棚破损多日，下雨天无法候车。")
    matter = Matter(subject=NOISE[0], body=NOISE[1])
    assert similar_open_cases(matter=matter, user=cast.dispatcher) == []  # being built
    assert selectors.duplicate_index_wait(timeout=30)
    found = similar_open_cases(matter=matter, user=cast.dispatcher)
    assert [s.case for s in found] == [original]
