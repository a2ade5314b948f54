"""The public-demands office's profile: it takes inquiries, complaints, suggestions,
requests for help and other matters (not reports), each kind with its own time to the
answer; an inquiry is answered at once; a case running late gets a supervision notice
(督办单) that its department acknowledges and answers and the supervision office closes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minsheng.cases.models import Case, Category, State
from minsheng.demo.tests.profile_support import act, api_as, load

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
PERSON = {"name": "王秀兰", "phone": "13603710001", "contact_by": "phone"}
# Monday 2 November 2026, 9:00 (no holiday in November).
RECEIVED = "2026-11-02 09:00 +08:00"


def matter(kind: str, **changes: object) -> dict:
    return {
        "kind": kind,
        "channel": "walk_in",
        "category": Category.objects.get(name="职工食堂").pk,
        "subject": "职工食堂晚餐问题",
        "body": "职工食堂五点半就关门了，加班职工吃不上晚饭。",
        "people": [PERSON],
        **changes,
    }


def register(kind: str, **changes: object) -> dict:
    answer = api_as("intake").post("/api/v1/cases", matter(kind, **changes), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def result_due(number: str) -> str:
    clocks = api_as("intake").get(f"/api/v1/cases/{number}").json()["clocks"]
    [result] = [c for c in clocks if c["step"] == "result"]
    return datetime.fromisoformat(result["due_at"]).astimezone(BEIJING).date().isoformat()


def test_each_kind_of_matter_has_its_own_time_and_an_inquiry_is_answered_at_once():
    with time_machine.travel(RECEIVED, tick=False):
        load("public_demands", demo=False)
        report = api_as("intake").post("/api/v1/cases", matter("report"), format="json")
        numbers = {kind: register(kind)["number"] for kind in ("help", "inquiry", "complaint")}
        numbers |= {kind: register(kind)["number"] for kind in ("suggestion", "other")}
        for number in numbers.values():
            act("intake", number, "accept")
        asked = register("inquiry", subject="退休人员取暖补贴什么时候发放")
        note = "今年取暖补贴按每人每月200元标准，12月10日前随养老金发放。"
        answered = act("intake", asked["number"], "answer", note=note)

    assert report.status_code == 400
    assert list(report.json()["errors"]) == ["kind"]
    dues = {kind: result_due(number) for kind, number in numbers.items()}
    assert dues == {
        "help": "2026-11-05",  # 求助: 3 working days
        "inquiry": "2026-11-09",  # 咨询: 5
        "complaint": "2026-11-23",  # 投诉: 15
        "other": "2026-11-23",  # 其他: 15
        "suggestion": "2026-11-30",  # 建议: 20
    }
    assert answered["case"]["state"] == State.REPLIED
    public = api_as("intake").get(
        f"/api/v1/public/cases/{asked['number']}", HTTP_X_QUERY_CODE=asked["query_code"]
    )
    assert public.json()["answer"] == note


def test_a_slow_case_gets_a_supervision_notice_answered_by_its_department():
    with time_machine.travel(RECEIVED, tick=False):
        load("public_demands", demo=False)
        number = register("complaint")["number"]
        act("intake", number, "accept")
        act("dispatcher", number, "assign", department="pd-logistics")
        act("handler", number, "sign")
        act("handler", number, "plan", note="约谈食堂承包方，核算增加晚餐供应的成本。")

    # Wednesday 25 November: the answer was due on the 23rd.
    with time_machine.travel("2026-11-25 10:00 +08:00", tick=False):
        clocks = api_as("supervisor").get(f"/api/v1/cases/{number}").json()["clocks"]
        [result] = [c for c in clocks if c["step"] == "result"]
        assert result["is_overdue"] is True
        order = {
            "cases": [number],
            "level": "supervision",
            "reason": "该诉求已超过15个工作日办理时限，诉求人多次来电催问。",
            "demand": "请于3个工作日内办结并书面报告办理结果。",
            "due_days": 3,
        }
        by_handler = api_as("handler").post("/api/v1/notices", order, format="json")
        issued = api_as("supervisor").post("/api/v1/notices", order, format="json")
    assert by_handler.status_code == 403, "only the supervision office and leaders issue"
    assert issued.status_code == 201, issued.content
    notice = issued.json()
    assert notice["department"] == "pd-logistics"
    due = datetime.fromisoformat(notice["due_at"]).astimezone(BEIJING)
    assert due.date().isoformat() == "2026-11-30"  # 3 working days from a Wednesday
    url = f"/api/v1/notices/{notice['id']}"

    assert api_as("handler2").get(url).status_code == 404, "another department's notice"
    assert act_on(url, "head", "acknowledge").status_code == 200
    answer = act_on(url, "handler", "answer", note="已与承包方签订补充协议，12月1日起供应晚餐。")
    assert answer.status_code == 200
    assert act_on(url, "head", "close").status_code == 403, "the department cannot close it"
    closed = act_on(url, "supervisor", "close", note="办理结果已核实。")
    assert closed.json()["state"] == "closed"

    case = Case.objects.get(number=number)
    assert case.state == State.IN_PROGRESS, "a notice never moves the case"
    lines = list(case.events.filter(action__startswith="notice_").values_list("action", flat=True))
    assert lines == ["notice_issued", "notice_acknowledged", "notice_answered", "notice_closed"]


def act_on(url: str, username: str, action: str, **body: object):
    return api_as(username).post(f"{url}/actions/{action}", body, format="json")


def test_the_demo_shows_a_slow_complaint_an_answered_inquiry_and_a_request_for_help():
    loaded = load("public_demands")
    states = [Case.objects.get(pk=case.pk).state for case in loaded.cases]
    kinds = [case.kind for case in loaded.cases]
    assert states == [State.IN_PROGRESS, State.REPLIED, State.ASSIGNED, State.SUBMITTED]
    assert kinds == ["complaint", "inquiry", "help", "suggestion"]
