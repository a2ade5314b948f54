"""The insurer's profile: a class-A complaint gets its own (shorter) deadline and two
sign-offs, every complaint names its policy number; a complaint the regulator transferred
carries the regulator's reference, its answer to the regulator is recorded and that clock
stops; the head office sees its branches' cases and a branch not another's; the customer
signs the result."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, State
from minsheng.demo.tests.profile_support import act, api_as, load

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
CUSTOMER = {"name": "高建明", "phone": "13910001234", "contact_by": "phone"}
ANSWER = {
    "facts": "经调取投保双录资料，业务员在健康告知环节有引导客户不如实填写的表述。",
    "basis": "《中华人民共和国保险法》第十六条。",
    "measures": "撤销原拒赔决定，按合同约定给付重大疾病保险金。",
    "outcome": "给付重大疾病保险金30万元。",
    "remedy": "如对处理结果不满意，可向国家金融监督管理总局派出机构投诉，或向人民法院提起诉讼。",
    "remedy_days": 15,
}
REFERENCE = "沪金管投〔2026〕第1187号"


def complaint(**changes: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "phone",
        "case_class": "b",
        "category": Category.objects.get(name="理赔纠纷").pk,
        "subject": "重疾险理赔被拒",
        "body": "申请重大疾病保险理赔被拒，理由是投保时未如实告知高血压，业务员当时说不用填。",
        "extra": {"policy_number": "P110120240003587"},
        "people": [CUSTOMER],
        **changes,
    }


def register(**changes: object) -> dict:
    answer = api_as("intake").post("/api/v1/cases", complaint(**changes), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def clocks_of(number: str) -> dict[str, dict]:
    clocks = api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]
    return {clock["step"]: clock for clock in clocks}


def local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def handled_to_the_answer(number: str, *, department: str, handler: str, head: str) -> None:
    act("intake", number, "accept")
    act("dispatcher", number, "assign", department=department)
    act(handler, number, "sign")
    act(handler, number, "plan", note="调取投保双录资料和健康告知书。")
    act(handler, number, "submit_result", **ANSWER)
    act(head, number, "approve")


def test_a_class_a_complaint_gets_its_deadline_and_the_head_office_signs_it_off():
    # Monday 9 November 2026, 9:00; natural days.
    with time_machine.travel("2026-11-09 09:00 +08:00", tick=False):
        load("insurer", demo=False)
        without_policy = api_as("intake").post("/api/v1/cases", complaint(extra={}), format="json")
        class_a = register(case_class="a")["number"]
        class_b = register(case_class="b")["number"]
        act("intake", class_a, "accept")
        act("intake", class_b, "accept")

    assert without_policy.status_code == 400
    assert list(without_policy.json()["errors"]) == ["extra.policy_number"]
    assert "保单号" in without_policy.json()["errors"]["extra.policy_number"][0]
    a_result = clocks_of(class_a)["result"]
    assert local(a_result["due_at"]) == "2026-11-16 23:59:59"  # class A: 7 days
    # The clock remembers the policy it came from (the API's explanation does not say it).
    assert "A类" in Case.objects.get(number=class_a).clocks.get(step="result").policy
    assert local(clocks_of(class_b)["result"]["due_at"]) == "2026-11-24 23:59:59"  # 15 days
    assert Case.objects.get(number=class_a).severity == "major"

    act("dispatcher", class_a, "assign", department="ins-bj")
    act("handler", class_a, "sign")
    act("handler", class_a, "plan", note="调取投保双录资料。")
    act("handler", class_a, "submit_result", **ANSWER)
    branch = act("head", class_a, "approve")
    assert branch["case"]["state"] == State.PENDING_LEADER_APPROVAL, "the head office signs too"
    refused = api_as("head").post(
        f"/api/v1/cases/{class_a}/actions/leader_approve", {}, format="json"
    )
    assert refused.status_code == 403
    assert act("leader", class_a, "leader_approve")["case"]["state"] == State.REPLIED


def test_the_answer_to_the_regulator_is_recorded_and_its_clock_stops():
    with time_machine.travel("2026-11-09 09:00 +08:00", tick=False):
        load("insurer", demo=False)
        unreferenced = api_as("intake").post(
            "/api/v1/cases", complaint(channel="regulator", case_class="t"), format="json"
        )
        number = register(channel="regulator", case_class="t", regulator_reference=REFERENCE)[
            "number"
        ]
    assert unreferenced.status_code == 400
    assert list(unreferenced.json()["errors"]) == ["regulator_reference"]
    detail = api_as("intake").get(f"/api/v1/cases/{number}").json()
    assert detail["case"]["regulator_reference"] == REFERENCE
    assert local(clocks_of(number)["regulator"]["due_at"]) == "2026-11-29 23:59:59"  # 20 days

    handled_to_the_answer(number, department="ins-sh", handler="handler2", head="head2")
    act("leader", number, "leader_approve")
    assert Case.objects.get(number=number).state == State.REPLIED
    assert "regulator" in clocks_of(number), "the regulator is still owed its answer"
    by_handler = api_as("handler2").post(
        f"/api/v1/cases/{number}/actions/regulator_answer", {"note": "已答复"}, format="json"
    )
    assert by_handler.status_code == 403

    answer = "已于11月20日书面答复上海监管局：经核实存在误导销售，已全额退还保费并处理相关人员。"
    done = act("head2", number, "regulator_answer", note=answer)
    assert done["event"]["data"]["reference"] == REFERENCE
    case = Case.objects.get(number=number)
    assert case.regulator_answered_at is not None
    assert "regulator" not in clocks_of(number)
    assert case.clocks.get(step="regulator").stopped_at == case.regulator_answered_at
    again = api_as("head2").post(
        f"/api/v1/cases/{number}/actions/regulator_answer", {"note": answer}, format="json"
    )
    assert again.status_code == 409
    plain = register()["number"]
    not_transferred = api_as("intake").post(
        f"/api/v1/cases/{plain}/actions/regulator_answer", {"note": answer}, format="json"
    )
    assert not_transferred.status_code == 409


def test_the_head_office_sees_branch_cases_and_a_branch_not_anothers():
    loaded = load("insurer")
    beijing, shanghai, waiting = (Case.objects.get(pk=c.pk) for c in loaded.cases)
    assert (beijing.department_id, shanghai.department_id) == tuple(
        Department.objects.get(code=code).pk for code in ("ins-bj", "ins-sh")
    )
    assert waiting.state == State.ACCEPTED

    def sees(username: str, case: Case) -> bool:
        return api_as(username).get(f"/api/v1/cases/{case.number}").status_code == 200

    def listed(username: str) -> set[str]:
        answer = api_as(username).get("/api/v1/cases")
        assert answer.status_code == 200
        return {row["number"] for row in answer.json()["results"]}

    assert sees("handler", beijing)
    assert not sees("handler", shanghai)
    assert not sees("handler2", beijing)
    assert sees("hqhead", beijing)
    assert sees("hqhead", shanghai)
    assert {beijing.number, shanghai.number} <= listed("hqhead")
    assert shanghai.number not in listed("handler")
    # The head office may act on a branch's case: a progress message to the customer.
    act("hqhead", shanghai.number, "progress", note="总公司已督促上海分公司加快核实。")


def test_the_customer_signs_the_result():
    load("insurer", demo=False)
    number = register()["number"]
    url = f"/api/v1/cases/{number}/result-signature"
    handled_to_the_answer(number, department="ins-bj", handler="handler", head="head")
    # Class B has one sign-off: the branch head's approval answered the customer.
    assert Case.objects.get(number=number).state == State.REPLIED
    signed_at = timezone.now().isoformat()

    other_branch = api_as("handler2").post(
        url, {"name": "高建明", "signed_at": signed_at}, format="json"
    )
    nameless = api_as("handler").post(url, {"name": " ", "signed_at": signed_at}, format="json")
    signed = api_as("handler").post(url, {"name": "高建明", "signed_at": signed_at}, format="json")
    again = api_as("handler").post(url, {"name": "高建明", "signed_at": signed_at}, format="json")

    assert other_branch.status_code == 404
    assert nameless.status_code == 400
    assert "name" in nameless.json()["errors"]
    assert signed.status_code == 200, signed.content
    assert again.status_code == 409
    result = api_as("handler").get(f"/api/v1/cases/{number}").json()["result"]
    assert result["customer_signed_name"] == "高建明"
    assert result["customer_signed_at"] is not None
    assert Case.objects.get(number=number).events.filter(action="result_signed").count() == 1
