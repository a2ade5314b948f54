"""The government service window's profile: complaints about conduct, service quality and
integrity; a general complaint is answered within 3 working days and a major one within 7,
counted across the National Day holiday and its make-up working Saturday; a major
complaint needs the centre's leader after the head."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.cases.models import Case, Category, State
from minsheng.cases.tests.factories import RESULT
from minsheng.demo.tests.profile_support import act, api_as, load

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
PERSON = {"name": "赵桂芝", "phone": "13512340001", "contact_by": "phone"}
# Tuesday 29 September 2026, 10:00. Working days after it: Wed 30 Sep; 1–7 October is the
# National Day holiday; Thu 8, Fri 9; Sat 10 October is a make-up working day (调休); then
# Mon 12, Tue 13, Wed 14.
RECEIVED = "2026-09-29 10:00 +08:00"


def complaint(category: str, **changes: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "walk_in",
        "category": Category.objects.get(name=category).pk,
        "subject": "窗口工作人员态度生硬",
        "body": "在社保窗口办理认证时，工作人员说话很冲，问两遍就不耐烦。",
        "respondent": "社会保障服务区3号窗口",
        "people": [PERSON],
        **changes,
    }


def register(category: str, **changes: object) -> str:
    answer = api_as("intake").post("/api/v1/cases", complaint(category, **changes), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["number"]


def result_clock(number: str) -> dict:
    clocks = api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]
    [result] = [c for c in clocks if c["step"] == "result"]
    return result


def local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def test_general_in_three_working_days_and_major_in_seven_across_national_day():
    with time_machine.travel(RECEIVED, tick=False):
        load("service_window", demo=False)
        conduct = register("态度生硬", case_class="general")
        quality = register("未一次性告知")  # no class given: counted as general
        integrity = register("吃拿卡要", case_class="major", kind="report")
        for number in (conduct, quality, integrity):
            act("intake", number, "accept")

    general = result_clock(conduct)
    assert local(general["due_at"]) == "2026-10-09 23:59:59"
    assert any("国庆" in line for line in general["explanation"]), general["explanation"]
    assert local(result_clock(quality)["due_at"]) == "2026-10-09 23:59:59"
    major = result_clock(integrity)
    assert local(major["due_at"]) == "2026-10-14 23:59:59"
    made_up = [line for line in major["explanation"] if "2026-10-10" in line]
    assert made_up, major["explanation"]
    assert "调休" in made_up[0]
    assert Case.objects.get(number=integrity).severity == "major"


def test_a_major_integrity_complaint_needs_the_leader_and_a_general_one_the_head():
    load("service_window", demo=False)
    conduct = register("态度生硬", case_class="general")
    integrity = register("吃拿卡要", case_class="major", kind="report")
    for number, department, handler in (
        (conduct, "sw-supervision", "handler"),
        (integrity, "sw-discipline", "handler2"),
    ):
        act("intake", number, "accept")
        act("dispatcher", number, "assign", department=department)
        act(handler, number, "sign")
        act(handler, number, "plan", note="调取窗口监控录音，约谈当事工作人员。")
        act(handler, number, "submit_result", **RESULT)

    assert act("head", conduct, "approve")["case"]["state"] == State.REPLIED
    wrong_head = api_as("head").post(
        f"/api/v1/cases/{integrity}/actions/approve", {}, format="json"
    )
    assert wrong_head.status_code in (403, 404), "another section's head"
    assert act("head2", integrity, "approve")["case"]["state"] == State.PENDING_LEADER_APPROVAL
    assert Case.objects.get(number=integrity).replied_at is None
    assert act("leader", integrity, "leader_approve")["case"]["state"] == State.REPLIED


def test_the_demo_has_the_three_kinds_of_complaint():
    loaded = load("service_window")
    cases = Case.objects.filter(pk__in=[case.pk for case in loaded.cases]).order_by("pk")
    rows = cases.values_list("category__parent__name", "state", "department__code")
    assert list(rows) == [
        ("工作作风", State.REPLIED, "sw-supervision"),
        ("廉洁自律", State.IN_PROGRESS, "sw-discipline"),
        ("服务质量", State.ACCEPTED, None),
    ]
