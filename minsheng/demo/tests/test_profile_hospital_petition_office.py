"""The hospital petition office's profile: its reception days on the public pages (集中接待),
each clinical department's complaints with that department (对口受理) and passed on between
departments when they are not its own (内部流转), the petition office registering and
dispatching every one (归口办理), and the answer signed off by the department head first,
then the medical affairs division, then for a complex complaint the vice-president."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, State
from minsheng.deadlines.models import CaseClass
from minsheng.demo.tests.profile_support import act, api_as, load
from minsheng.routing.services import department_of

LOCAL = ZoneInfo("Asia/Shanghai")
# A Monday before the National Day holidays (1–7 October 2026; Saturday 10 October is worked).
NOW = datetime(2026, 9, 28, 9, 0, tzinfo=LOCAL)
RECEPTION_DAYS = "每周二、周四上午院领导集中接待日"
ANSWER = {
    "facts": "经科室调查核实，当晚急诊患者集中，候诊时间确实较长，分诊护士未及时解释。",
    "basis": "《医疗机构投诉管理办法》。",
    "measures": "科室已增派夜间急诊医师，并要求分诊护士每半小时告知候诊情况。",
    "outcome": "科室主任已向患者家属当面致歉。",
    "remedy": "如对处理意见不满意，可向市卫生健康委员会投诉，或申请医疗纠纷人民调解。",
    "remedy_days": 15,
}


def code_of(row: Department | CaseClass | None) -> str | None:
    """A department's or a class's code (None for none)."""
    return row.code if row is not None else None


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LOCAL)


def register(category: str, case_class: str = "general") -> str:
    body = {
        "kind": "complaint",
        "channel": "walk_in",
        "case_class": case_class,
        "category": Category.objects.get(name=category).pk,
        "subject": "就诊过程中的问题",
        "body": "孩子发烧来看急诊，候诊时间很长，也没有人解释。",
        "people": [{"name": "戴晓梅", "phone": "13858123456"}],
        "extra": {"record_number": "MZ20260928"},
    }
    answer = api_as("intake").post("/api/v1/cases", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["number"]


def post(username: str, number: str, action: str, **body: object):
    return api_as(username).post(f"/api/v1/cases/{number}/actions/{action}", body, format="json")


def due(number: str, step: str) -> datetime:
    clocks = api_as("supervisor").get(f"/api/v1/cases/{number}").json()["clocks"]
    [clock] = [c for c in clocks if c["step"] == step]
    return datetime.fromisoformat(clock["due_at"]).astimezone(LOCAL)


def test_reception_days_are_shown_on_the_public_pages(client, db):
    load("hospital_petition_office", demo=False)

    guide = client.get("/guide/").content.decode()
    office = client.get("/api/v1/office").json()

    assert RECEPTION_DAYS in guide
    assert "门诊楼一楼东侧患者服务中心" in guide
    assert office["reception"]["days"].startswith(RECEPTION_DAYS)
    assert office["reception"]["phone"] == "0571-87650000"


def test_each_department_s_complaints_go_to_it_and_are_passed_on_when_not_its_own(db):
    with time_machine.travel(NOW, tick=False):
        load("hospital_petition_office", demo=False)
        number = register("心血管内科")
        case = Case.objects.get(number=number)
        # 对口受理: the category is the clinical department.
        assert code_of(department_of(case.category)) == "hp-internal"
        # Only the petition office registers and dispatches (归口办理).
        assert post("handler", number, "accept").status_code in (403, 404)
        act("intake", number, "accept")
        assert post("intake", number, "assign", department="hp-internal").status_code == 403
        act("dispatcher", number, "assign", department="hp-internal")
        result_due = due(number, "result")
        assert result_due == end_of("2026-10-10")  # 5 working days

        # 内部流转: cardiology finds it is surgery's post-operative care and returns it.
        assert post("handler3", number, "sign").status_code in (403, 404)
        returned = act("handler", number, "return", note="属于普外科术后换药问题。")
        assert returned["case"]["state"] == "accepted"
        act("dispatcher", number, "assign", department="hp-surgery", note="转普外科办理。")
        # The complaint does not gain time by passing between departments.
        assert due(number, "result") == result_due
        # Cardiology no longer sees it; surgery takes it up, the medical affairs division
        # (over every clinical department) follows it.
        assert api_as("handler").get(f"/api/v1/cases/{number}").status_code == 404
        assert api_as("medical").get(f"/api/v1/cases/{number}").status_code == 200
        assert act("handler3", number, "sign")["case"]["state"] == "in_progress"
        # No handling plan in this office: the answer may be written at once.
        assert act("handler3", number, "submit_result", **ANSWER)["case"]["state"] == (
            "pending_approval"
        )


def test_department_head_then_medical_affairs_then_vice_president(db):
    with time_machine.travel(NOW, tick=False):
        load("hospital_petition_office", demo=False)
        number = register("心血管内科", case_class="complex")
        act("intake", number, "accept")
        act(
            "dispatcher",
            number,
            "assign",
            department="hp-internal",
            co_departments=["hp-radiology"],
        )
        assert due(number, "result") == end_of("2026-10-16")  # 10 working days
        act("head", number, "sign")
        act("head", number, "submit_result", **ANSWER)

        # The department head is first responsible: not another department's head, not
        # the vice-president before them.
        assert post("head2", number, "approve").status_code in (403, 404)
        assert post("leader", number, "approve").status_code == 403
        assert act("head", number, "approve")["case"]["state"] == "pending_leader_approval"
        assert due(number, "approval") == end_of("2026-09-30")  # 医务科: 2 working days
        act("medical", number, "leader_approve")
        case = Case.objects.get(number=number)
        assert (case.state, case.approval_level) == (State.PENDING_LEADER_APPROVAL, 3)
        # The third sign-off is the vice-president's alone.
        assert post("medical", number, "leader_approve").status_code == 403
        assert post("head", number, "leader_approve").status_code == 403
        assert act("leader", number, "leader_approve")["case"]["state"] == "replied"


def test_general_complaint_needs_the_head_and_medical_affairs_only(db):
    loaded = load("hospital_petition_office")
    waiting, passed_on, complex_ = (Case.objects.get(pk=c.pk) for c in loaded.cases)
    assert code_of(passed_on.department) == "hp-surgery"
    assert passed_on.return_count == 1
    assert complex_.state == State.PENDING_LEADER_APPROVAL

    number = waiting.number
    act("handler2", number, "submit_result", **ANSWER)
    act("head2", number, "approve")
    assert act("medical", number, "leader_approve")["case"]["state"] == "replied"
