"""The complainant's timeline speaks their words (the table's `public_label`) and never
names the department handling the matter, on the tracking page and in the public API alike."""

from minsheng.cases.tests.factories import RESULT
from minsheng.cases.workflow import ACTIONS, EVENTS, perform

STAFF_WORDS = ("审核通过办理结果", "分拨至部门", "签收工单", "诉求已提交")


def test_every_line_the_complainant_sees_has_words_written_for_them():
    shown = {
        name: spec for name, spec in {**ACTIONS, **EVENTS}.items() if spec.is_public is not False
    }
    assert shown
    assert [name for name, spec in shown.items() if spec.public_label is None] == []


def test_the_tracking_page_and_the_public_api_tell_the_story_without_the_department(client, cast):
    registered = cast.submit()
    case, code = registered.case, registered.query_code
    perform(case=case, action="accept", actor=cast.intake)
    perform(case=case, action="assign", actor=cast.dispatcher, department=cast.housing)
    perform(case=case, action="sign", actor=cast.handler)
    perform(case=case, action="plan", actor=cast.handler, note="现场核查")
    perform(case=case, action="submit_result", actor=cast.handler, **RESULT)
    perform(case=case, action="approve", actor=cast.head)

    client.post("/track/", {"number": case.number, "code": code})
    page = client.get(f"/track/{case.number}/").text
    api = client.get(f"/api/v1/public/cases/{case.number}", HTTP_X_QUERY_CODE=code).json()
    lines = [line["action_label"] for line in api["timeline"]]
    assert lines == [
        "我们已收到您的诉求",
        "您的诉求已受理",
        "已交由承办单位办理",
        "承办单位已接手办理",
        "答复已审定",
    ]
    for line in lines:
        assert line in page
    for text in (page, str(api)):
        assert cast.housing.name not in text
        assert not any(words in text for words in STAFF_WORDS)
