"""The aesthetic clinic's profile: a complaint is answered the same day it came in (a
Saturday too), it carries the customer number and the procedure, checked at registration;
the reply goes out only after the third sign-off (each of the first two leaves it waiting
and the customer unanswered); the return visit asks 满意/较满意/一般/较差."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from minsheng.accounts.models import User
from minsheng.cases.models import Case, Category, Rating, State
from minsheng.demo.tests.profile_support import act, api_as, load
from minsheng.supervision.models import ReturnVisit
from minsheng.supervision.services import return_visits_open

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
CUSTOMER = {"name": "吴佳琪", "phone": "13500135002", "contact_by": "phone"}
ANSWER = {
    "facts": "经主诊医生复诊，术后双侧重睑宽度相差约1毫米，尚处于恢复期。",
    "basis": "《医疗美容服务管理办法》及本诊所《术后修复服务承诺》。",
    "measures": "安排术后3个月复诊评估，如仍不对称由原主诊医生免费修复。",
    "outcome": "同意在恢复期满后免费修复。",
    "remedy": "如对答复不满意，可在7日内向本诊所院长办公室申请复核，也可向区卫生健康委员会投诉。",
    "remedy_days": 7,
}


def complaint(**changes: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "wechat",
        "case_class": "complaint",
        "category": Category.objects.get(name="手术效果").pk,
        "subject": "双眼皮术后两侧不对称",
        "body": "一个多月前做的双眼皮手术，现在两只眼睛宽窄明显不一样，要求免费修复。",
        "extra": {"customer_number": "C20260221", "procedure": "double_eyelid"},
        "people": [CUSTOMER],
        **changes,
    }


def register(**changes: object) -> dict:
    answer = api_as("intake").post("/api/v1/cases", complaint(**changes), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def seen_by_customer(registered: dict) -> dict:
    number, code = registered["number"], registered["query_code"]
    answer = api_as("intake").get(f"/api/v1/public/cases/{number}", HTTP_X_QUERY_CODE=code)
    assert answer.status_code == 200
    return answer.json()


def test_a_complaint_is_answered_the_same_day_with_its_customer_number_and_procedure():
    # Saturday 7 November 2026, 15:30: the clinic answers by the end of that Saturday.
    with time_machine.travel("2026-11-07 15:30 +08:00", tick=False):
        load("aesthetic_clinic", demo=False)
        without = api_as("intake").post(
            "/api/v1/cases", complaint(extra={"procedure": "double_eyelid"}), format="json"
        )
        malformed = api_as("intake").post(
            "/api/v1/cases",
            complaint(extra={"customer_number": "20260221", "procedure": "laser_hair"}),
            format="json",
        )
        registered = register()
        number = registered["number"]
        act("intake", number, "accept")
        clocks = api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]

    assert without.status_code == 400
    assert list(without.json()["errors"]) == ["extra.customer_number"]
    assert "客户编号" in without.json()["errors"]["extra.customer_number"][0]
    assert malformed.status_code == 400
    # The number must be C and eight digits; laser hair removal is no surgical procedure.
    assert set(malformed.json()["errors"]) == {"extra.customer_number", "extra.procedure"}
    [result] = [c for c in clocks if c["step"] == "result"]
    due = datetime.fromisoformat(result["due_at"]).astimezone(BEIJING)
    assert due.strftime("%Y-%m-%d %H:%M:%S") == "2026-11-07 23:59:59"
    details = api_as("handler").get(f"/api/v1/cases/{number}")
    assert details.status_code == 404, "not the surgery department's case before it is assigned"
    shown = {
        d["code"]: d["value"]
        for d in api_as("intake").get(f"/api/v1/cases/{number}").json()["case"]["extra_details"]
    }
    assert shown == {"customer_number": "C20260221", "procedure": "重睑术（双眼皮）"}


def test_the_reply_goes_out_only_after_the_third_sign_off():
    load("aesthetic_clinic", demo=False)
    registered = register()
    number = registered["number"]
    act("intake", number, "accept")
    act("dispatcher", number, "assign", department="am-surgery")
    act("handler", number, "sign")
    act("handler", number, "submit_result", **ANSWER)

    first = act("head", number, "approve", note="同意，报医务主任。")
    assert first["case"]["state"] == State.PENDING_LEADER_APPROVAL
    assert seen_by_customer(registered)["result"] is None
    assert seen_by_customer(registered)["state"] != State.REPLIED
    for who in ("handler", "head"):
        refused = api_as(who).post(
            f"/api/v1/cases/{number}/actions/leader_approve", {}, format="json"
        )
        assert refused.status_code == 403, who

    second = act("leader", number, "leader_approve", note="处理得当，报院长签发。")
    assert second["case"]["state"] == State.PENDING_LEADER_APPROVAL
    case = Case.objects.get(number=number)
    assert case.approval_level == 3
    assert case.replied_at is None
    assert seen_by_customer(registered)["result"] is None

    third = act("director", number, "leader_approve", note="同意签发。")
    assert third["case"]["state"] == State.REPLIED
    public = seen_by_customer(registered)
    assert public["state"] == State.REPLIED
    assert public["result"]["outcome"] == ANSWER["outcome"]
    levels = [
        (e.data["level"], e.data["level_label"])
        for e in Case.objects.get(number=number).events.filter(
            action__in=["approve", "leader_approve"]
        )
    ]
    assert levels == [(1, "科室主任审核"), (2, "医务主任审核"), (3, "院长签发")]


def test_the_return_visit_asks_the_four_grades(client):
    loaded = load("aesthetic_clinic")
    answered = Case.objects.get(pk=loaded.cases[0].pk)
    assert answered.state == State.REPLIED
    assert Case.objects.get(pk=loaded.cases[1].pk).state == State.PENDING_LEADER_APPROVAL
    assert return_visits_open(now=timezone.now()) == 1
    visit = ReturnVisit.objects.get(case=answered)

    client.force_login(User.objects.get(username="intake"))
    page = client.get(f"/work/supervision/visits/{visit.pk}/")
    assert page.status_code == 200
    grades = [str(label) for _value, label in page.context["form"].fields["rating"].choices][1:]
    assert grades == ["满意", "较满意", "一般", "较差"]
    for grade in grades:
        assert grade in page.text
    client.post(
        f"/work/supervision/visits/{visit.pk}/",
        {
            "outcome": "reached",
            "rating": "fairly_satisfied",
            "is_explained": "true",
            "is_timely": "true",
            "note": "红斑已基本消退，对处理较满意。",
        },
    )
    visit.refresh_from_db()
    answered.refresh_from_db()
    assert visit.status == ReturnVisit.Status.REACHED
    assert answered.rating == Rating.FAIRLY_SATISFIED
    assert answered.state == State.CLOSED
