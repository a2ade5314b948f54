"""The answer check: a result lacking its parts or ignoring the question is flagged, a good
one passes; the handler sees the warnings and can still submit; the approver sees them."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minsheng.cases.models import State
from minsheng.cases.tests.factories import RESULT, drive_to
from minsheng.cases.workflow import perform
from minsheng.routing.answer_check import reply_parts, result_warnings

SUBJECT = "工地夜间施工噪音扰民"
BODY = "小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。"
GOOD: dict[str, Any] = {**RESULT, "facts": "经现场核查，该工地确有夜间施工噪音扰民情况。"}
TEMPLATE: dict[str, Any] = {
    "facts": "您反映的问题我们高度重视，已进行了认真研究。",
    "basis": "根据相关规定",
    "measures": "已处理",
    "outcome": "问题已按程序办理完毕，感谢您的监督。",
    "remedy": "如有疑问请联系我们。",
    "remedy_days": 15,
}


def _parts(warnings):
    return {w.part for w in warnings}


def test_a_good_result_passes_and_missing_parts_and_templates_are_flagged():
    assert result_warnings(subject=SUBJECT, body=BODY, **GOOD) == []

    lacking = {**GOOD, "basis": "经研究决定", "remedy": "请知悉。"}
    assert _parts(result_warnings(subject=SUBJECT, body=BODY, **lacking)) == {"basis", "remedy"}

    with translation.override("en"):
        template = result_warnings(subject=SUBJECT, body=BODY, **TEMPLATE)
    assert {"basis", "measures", "overlap"} <= _parts(template)
    overlap = next(w for w in template if w.part == "overlap")
    assert "template" in overlap.message


def test_free_text_reply_parts_are_found_by_cue_phrases():
    full = (
        "经现场核查，该工地确有夜间施工。根据《中华人民共和国噪声污染防治法》第四十三条，"
        "我局已责令施工单位停止夜间施工，目前已停止。如对答复不满意，可在15日内申请复查。"
    )
    assert all(reply_parts(full).values())
    forwarded = "您好！您反映的问题已转交县住建局核实、办复。"
    assert not any(reply_parts(forwarded).values())


@pytest.fixture
def in_progress(cast):
    case = drive_to(cast, State.IN_PROGRESS)
    perform(case=case, action="plan", actor=cast.handler, note="三日内现场核查并约谈施工单位")
    return case


def test_handler_sees_warnings_and_can_submit_anyway(client, cast, in_progress):
    url = reverse("workbench:case-action", args=[in_progress.number, "submit_result"])
    client.force_login(cast.handler)

    shown = client.post(url, TEMPLATE)

    in_progress.refresh_from_db()
    assert shown.status_code == 200
    assert in_progress.state == State.IN_PROGRESS  # shown once more, with the warnings
    page = shown.content.decode()
    assert 'id="answer-check"' in page
    assert 'name="answer_check_ack"' in page

    sent = client.post(url, {**TEMPLATE, "answer_check_ack": "1"})

    in_progress.refresh_from_db()
    assert sent.status_code == 302
    assert in_progress.state == State.PENDING_APPROVAL
    assert in_progress.results.get().measures == "已处理"


def test_good_result_goes_straight_through(client, cast, in_progress):
    url = reverse("workbench:case-action", args=[in_progress.number, "submit_result"])
    client.force_login(cast.handler)

    response = client.post(url, GOOD, headers={"HX-Request": "true"})

    in_progress.refresh_from_db()
    assert in_progress.state == State.PENDING_APPROVAL
    assert 'id="answer-check"' not in response.content.decode()


def test_approver_sees_the_warnings_of_the_result(client, cast, in_progress):
    perform(case=in_progress, action="submit_result", actor=cast.handler, **TEMPLATE)
    client.force_login(cast.head)

    page = client.get(reverse("workbench:case-detail", args=[in_progress.number]))
    form = client.get(reverse("workbench:case-action", args=[in_progress.number, "approve"]))

    for response in (page, form):
        assert response.status_code == 200
        assert 'id="answer-check"' in response.content.decode()
        assert 'data-part="measures"' in response.content.decode()


def test_api_case_detail_lists_the_answer_check(cast, in_progress):
    perform(case=in_progress, action="submit_result", actor=cast.handler, **TEMPLATE)
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=cast.head)[0].key}"
    )

    found = api.get(f"/api/v1/cases/{in_progress.number}").json()["answer_check"]

    assert {"basis", "measures", "overlap"} <= {w["part"] for w in found}
    assert all(w["message"] for w in found)
