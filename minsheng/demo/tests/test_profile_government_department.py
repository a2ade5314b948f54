"""The government department's profile: the office's director approves each acceptance, the
matter goes to the competent division, which signs and writes a plan before it answers; the
division chief signs the answer off, and for a complex matter the leader in charge after
them. General and complex matters are counted in natural days (15 to accept, 60 to handle),
urgent ones in hours."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, State
from minsheng.cases.tests.factories import RESULT
from minsheng.deadlines.models import CaseClass
from minsheng.demo.tests.profile_support import act, api_as, load

LOCAL = ZoneInfo("Asia/Shanghai")
# A Monday before the National Day holidays (1–7 October 2026): natural days run through them.
NOW = datetime(2026, 9, 28, 10, 0, tzinfo=LOCAL)


def code_of(row: Department | CaseClass | None) -> str | None:
    """A department's or a class's code (None for none)."""
    return row.code if row is not None else None


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LOCAL)


def register(case_class: str, category: str) -> str:
    body = {
        "kind": "complaint",
        "channel": "phone",
        "case_class": case_class,
        "category": Category.objects.get(name=category).pk,
        "subject": "公交站台候车亭破损",
        "body": "解放路公交站候车亭顶棚破损，下雨天乘客无处避雨。",
        "people": [{"name": "孙丽", "phone": "13812345678"}],
    }
    answer = api_as("intake").post("/api/v1/cases", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["number"]


def post(username: str, number: str, action: str, **body: object):
    return api_as(username).post(f"/api/v1/cases/{number}/actions/{action}", body, format="json")


def due(number: str, step: str) -> datetime:
    """The due time of the case's running clock of `step`, as the API shows it."""
    clocks = api_as("supervisor").get(f"/api/v1/cases/{number}").json()["clocks"]
    [clock] = [c for c in clocks if c["step"] == step]
    return datetime.fromisoformat(clock["due_at"]).astimezone(LOCAL)


def test_general_matter_goes_through_acceptance_division_plan_and_the_chief(db):
    with time_machine.travel(NOW, tick=False):
        load("government_department", demo=False)
        number = register("general", "公交线路与站点")
        # Accepted or not within 15 natural days, the holidays counted.
        assert due(number, "review") == end_of("2026-10-13")

        assert act("intake", number, "accept")["case"]["state"] == "pending_acceptance"
        assert due(number, "acceptance") == end_of("2026-10-01")
        # Only the office's director approves an acceptance.
        assert post("intake", number, "approve_acceptance").status_code == 403
        assert post("dispatcher", number, "approve_acceptance").status_code == 403
        assert act("supervisor", number, "approve_acceptance")["case"]["state"] == "accepted"
        # Handled within 60 days of acceptance.
        assert due(number, "result") == end_of("2026-11-27")
        assert due(number, "dispatch") == end_of("2026-10-01")

        act("dispatcher", number, "assign", department="gd-transit")
        # The roads division does not sign for the public transport division's case.
        assert post("handler2", number, "sign").status_code in (403, 404)
        act("handler", number, "sign")
        assert due(number, "plan") == end_of("2026-10-03")
        # No answer before a handling plan.
        without_plan = post("handler", number, "submit_result", **RESULT)
        assert without_plan.status_code == 409
        act("handler", number, "plan", note="约谈公交公司，核实候车亭维修计划。")
        act("handler", number, "submit_result", **RESULT)
        # The division chief has 3 days to sign it off; a handler may not.
        assert due(number, "approval") == end_of("2026-10-01")
        assert post("handler", number, "approve").status_code == 403
        answered = act("head", number, "approve")["case"]
    assert answered["state"] == "replied"  # a general matter needs no leader


def test_urgent_matter_is_counted_in_hours(db):
    with time_machine.travel(NOW, tick=False) as clock:
        load("government_department", demo=False)
        number = register("urgent", "公路养护")
        assert Case.objects.get(number=number).severity == "urgent"
        assert due(number, "review") == NOW + timedelta(hours=2)

        clock.shift(timedelta(minutes=30))
        act("intake", number, "accept")
        assert due(number, "acceptance") == NOW + timedelta(minutes=30, hours=2)
        clock.shift(timedelta(minutes=30))
        act("supervisor", number, "approve_acceptance")
        # 48 hours from the acceptance, through the night and the weekend alike.
        assert due(number, "result") == NOW + timedelta(hours=49)
        assert due(number, "dispatch") == NOW + timedelta(hours=3)

        act("dispatcher", number, "assign", department="gd-roads")
        act("handler2", number, "sign")
        act("handler2", number, "plan", note="立即设置警示标志，安排养护班组连夜抢修。")
        clock.shift(timedelta(hours=5))
        act("handler2", number, "submit_result", **RESULT)
        # The chief's own four hours for the sign-off.
        assert due(number, "approval") == NOW + timedelta(hours=10)
        assert post("head", number, "approve").status_code in (403, 404)  # another division
        assert act("head2", number, "approve")["case"]["state"] == "replied"


def test_complex_matter_needs_the_leader_after_the_division_chief(db):
    with time_machine.travel(NOW, tick=False):
        loaded = load("government_department")
        general, urgent, complex_ = (Case.objects.get(pk=c.pk) for c in loaded.cases)
        assert (general.state, urgent.state) == (State.IN_PROGRESS, State.ASSIGNED)
        assert code_of(urgent.case_class) == "urgent"
        assert complex_.state == State.PENDING_LEADER_APPROVAL
        # The leader in charge has 5 days of their own for the second sign-off.
        assert due(complex_.number, "approval") == end_of("2026-10-03")

        # The division chief has signed the first level; the second is the leader's.
        assert post("head", complex_.number, "leader_approve").status_code == 403
        assert post("supervisor", complex_.number, "leader_approve").status_code == 403
        answered = act("leader", complex_.number, "leader_approve")["case"]
    assert answered["state"] == "replied"
