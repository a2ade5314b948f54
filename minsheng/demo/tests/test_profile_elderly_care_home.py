"""The elderly-care home's profile: complaints in person, by phone or by letter only; the
first feedback is due 3 days after receipt and the decision 7 days after (natural days, a
weekend counts); a major complaint goes up to the director before the answer goes out, and
the answer names the civil-affairs bureau and the court; a family not satisfied appeals to
the director, whose decision names them again; a failed mediation closes with the advice
where to go next."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.cases.models import Case, Category, State
from minsheng.demo.tests.profile_support import act, api_as, load

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
FAMILY = {"name": "陈志强", "phone": "13800138001", "contact_by": "phone"}
# Friday 6 November 2026, 10:00 in Beijing: 3 natural days run to Monday the 9th, where 3
# working days would run to Wednesday the 11th.
RECEIVED = "2026-11-06 10:00 +08:00"

ANSWER = {
    "facts": "经调取监控和巡房记录，夜班护理员凌晨未按规定巡房，老人摔倒约三小时后才被发现。",
    "basis": "《养老机构服务安全基本规范》（GB 38600-2019）及本院《夜间巡查制度》。",
    "measures": "当班护理员停岗培训；三号楼夜间增配一名护理员，卫生间加装紧急呼叫器。",
    "outcome": "院方书面致歉，承担老人骨折治疗及康复期间的全部医疗费用。",
    "remedy": "如对处理结果不满意，可向市民政局养老服务处投诉，或依法向人民法院提起诉讼。",
    "remedy_days": 15,
}


def complaint(**changes: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "walk_in",
        "case_class": "general",
        "category": Category.objects.get(name="护理服务").pk,
        "subject": "母亲夜间摔倒护理员未及时发现",
        "body": "母亲夜里在卫生间摔倒，直到早上交班才被发现，事后也没有通知家属。",
        "respondent": "护理部三号楼护理组",
        "people": [FAMILY],
        **changes,
    }


def due_on(number: str, step: str) -> str:
    """The local due moment of the case's running clock of `step`, as the API shows it."""
    clocks = api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]
    [clock] = [c for c in clocks if c["step"] == step]
    return datetime.fromisoformat(clock["due_at"]).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def running_steps(number: str) -> set[str]:
    return {c["step"] for c in api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]}


def test_feedback_is_due_three_days_and_the_decision_seven_days_after_receipt():
    with time_machine.travel(RECEIVED, tick=False):
        load("elderly_care_home", demo=False)
        by_email = api_as("intake").post("/api/v1/cases", complaint(channel="email"), format="json")
        registered = api_as("intake").post("/api/v1/cases", complaint(), format="json")
        assert by_email.status_code == 400, (
            "the home takes complaints in person, by phone, by letter"
        )
        assert list(by_email.json()["errors"]) == ["channel"]
        assert registered.status_code == 201, registered.content
        number = registered.json()["number"]

        assert due_on(number, "feedback") == "2026-11-09 23:59:59"
        act("intake", number, "accept")
        assert due_on(number, "result") == "2026-11-13 23:59:59"
        assert due_on(number, "feedback") == "2026-11-09 23:59:59", "accepting keeps its time"

    with time_machine.travel("2026-11-08 16:00 +08:00", tick=False):
        note = "陈先生您好，护理部正在调取夜班巡房记录和监控，13日前给您书面处理意见。"
        act("intake", number, "feedback", note=note)
        again = api_as("intake").post(
            f"/api/v1/cases/{number}/actions/feedback", {"note": "再次反馈"}, format="json"
        )
    assert again.status_code == 409, "the first feedback is given once"
    assert "feedback" not in running_steps(number)
    assert "result" in running_steps(number), "the decision is still owed"
    case = Case.objects.get(number=number)
    assert case.feedback_at is not None
    code = registered.json()["query_code"]
    public = api_as("intake").get(f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=code)
    assert note in [line["note"] for line in public.json()["timeline"]]


def test_a_major_complaint_goes_to_the_director_and_the_answer_names_bureau_and_court():
    load("elderly_care_home", demo=False)
    registered = (
        api_as("intake")
        .post("/api/v1/cases", complaint(case_class="major", channel="phone"), format="json")
        .json()
    )
    number = registered["number"]
    act("intake", number, "accept")
    act("dispatcher", number, "assign", department="ec-nursing")
    act("handler", number, "sign")
    # No handling plan in this home: the answer is written straight away.
    act("handler", number, "submit_result", **ANSWER)

    by_handler = api_as("handler").post(
        f"/api/v1/cases/{number}/actions/approve", {}, format="json"
    )
    assert by_handler.status_code == 403
    head = act("head", number, "approve", note="情况属实，报院长审批。")
    assert head["case"]["state"] == State.PENDING_LEADER_APPROVAL
    assert Case.objects.get(number=number).replied_at is None, "not answered before the director"
    by_head = api_as("head").post(
        f"/api/v1/cases/{number}/actions/leader_approve", {}, format="json"
    )
    assert by_head.status_code == 403, "the department head cannot sign for the director"
    director = act("leader", number, "leader_approve", note="同意。")
    assert director["case"]["state"] == State.REPLIED

    public = api_as("intake").get(
        f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=registered["query_code"]
    )
    remedy = public.json()["result"]["remedy"]
    assert "民政局" in remedy
    assert "人民法院" in remedy


def test_a_family_not_satisfied_appeals_to_the_director_who_names_bureau_and_court():
    load("elderly_care_home", demo=False)
    registered = api_as("intake").post("/api/v1/cases", complaint(), format="json").json()
    number, code = registered["number"], registered["query_code"]
    act("intake", number, "accept")
    act("dispatcher", number, "assign", department="ec-nursing")
    act("handler", number, "sign")
    act("handler", number, "submit_result", **ANSWER)
    # A general complaint: the department head's sign-off sends the answer.
    assert act("head", number, "approve")["case"]["state"] == State.REPLIED

    family = api_as("intake")  # the family, with the query code (no login)
    family.credentials()
    for action, body in (
        ("rate", {"rating": "poor", "note": "只处理了护理员，没有赔偿康复期间的护工费。"}),
        ("appeal", {"note": "要求院长重新处理，承担康复期间的护工费。"}),
    ):
        answer = family.post(
            f"/api/v1/public/cases/{number}/actions/{action}",
            body,
            format="json",
            HTTP_X_QUERY_CODE=code,
        )
        assert answer.status_code == 200, (action, answer.content)
    assert Case.objects.get(number=number).state == State.UNDER_REVIEW

    by_head = api_as("head").post(
        f"/api/v1/cases/{number}/actions/review_uphold", {"note": "维持"}, format="json"
    )
    assert by_head.status_code in (403, 404), "the department does not review its own answer"
    decision = (
        "经院长复核，维持原处理意见，护工费不在赔偿范围内。如仍不满意，可向市民政局"
        "养老服务处投诉（电话 020-83331234），或依法向人民法院提起诉讼。"
    )
    assert act("leader", number, "review_uphold", note=decision)["case"]["state"] == State.CLOSED
    public = family.get(f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=code).json()
    assert decision in [line["note"] for line in public["timeline"]]


def test_a_failed_mediation_closes_with_the_advice_to_go_to_court():
    loaded = load("elderly_care_home")
    fall, meals, fees = (Case.objects.get(pk=c.pk) for c in loaded.cases)
    assert fall.state == State.PENDING_LEADER_APPROVAL
    assert fall.feedback_at is not None
    assert meals.state == State.IN_PROGRESS
    assert fees.events.get(action="mediate").data["outcome"] == "advised_court"

    advice = "协商未成。可向市民政局养老服务处申请协调处理，也可依据服务合同向人民法院提起诉讼。"
    refused = api_as("handler").post(
        f"/api/v1/cases/{meals.number}/actions/mediate",
        {"outcome": "advised_court", "note": advice},
        format="json",
    )
    done = act("handler2", meals.number, "mediate", outcome="advised_court", note=advice)
    assert refused.status_code in (403, 404), "another department's handler may not mediate"
    assert done["event"]["data"]["outcome"] == "advised_court"
    detail = api_as("handler2").get(f"/api/v1/cases/{meals.number}").json()
    assert detail["case"]["state"] == State.IN_PROGRESS
    assert "submit_result" in detail["allowed_actions"], "the decision is still written"
