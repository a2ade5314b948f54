"""The community office's profile: a matter for the property management company or the
environmental authority is transferred only with the resident's consent (or assigned to the
estate's property service centre), what the community cannot settle goes up to the street
office, seen from the district above it, and is pressed by supervision notices escalating
to the leaders; an answered matter gets a return visit."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, State
from minsheng.cases.tests.factories import RESULT
from minsheng.deadlines.models import CaseClass
from minsheng.demo.tests.profile_support import act, api_as, load
from minsheng.supervision.models import ReturnVisit, SupervisionNotice
from minsheng.supervision.services import return_visits_open

LOCAL = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 28, 9, 0, tzinfo=LOCAL)


def code_of(row: Department | CaseClass | None) -> str | None:
    """A department's or a class's code (None for none)."""
    return row.code if row is not None else None


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LOCAL)


def register(**changes: object) -> str:
    body = {
        "kind": "complaint",
        "channel": "wechat",
        "subject": "小区垃圾清运不及时",
        "body": "小区垃圾桶满了两天没人清运，气味很大。",
        "people": [{"name": "蒋秀英", "phone": "13957112345", "contact_by": "phone"}],
        **changes,
    }
    answer = api_as("intake").post("/api/v1/cases", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["number"]


def post(username: str, number: str, action: str, **body: object):
    return api_as(username).post(f"/api/v1/cases/{number}/actions/{action}", body, format="json")


def notice_act(username: str, notice: int, action: str, note: str = "") -> dict:
    answer = api_as(username).post(
        f"/api/v1/notices/{notice}/actions/{action}", {"note": note}, format="json"
    )
    assert answer.status_code == 200, (action, answer.status_code, answer.content[:400])
    return answer.json()


def test_transfer_out_needs_the_resident_s_consent_and_the_estate_s_own_is_assigned(db):
    load("community_office", demo=False)
    fumes = register(subject="楼下饭店油烟直排", body="饭店油烟直排到居民楼。")

    refused = post("intake", fumes, "transfer", body="区生态环境分局", consent=False)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["consent"]
    assert Case.objects.get(number=fumes).state == State.SUBMITTED
    act("intake", fumes, "transfer", body="区生态环境分局", consent=True)
    case = Case.objects.get(number=fumes)
    assert (case.state, case.transferred_to) == (State.TRANSFERRED, "区生态环境分局")

    # The estate's own matter goes to its property service centre, a unit under the
    # community, which answers it; the community's head sees it from above.
    rubbish = register(category=Category.objects.get(name="小区环境卫生").pk)
    act("intake", rubbish, "accept")
    act("dispatcher", rubbish, "assign", department="cm-property")
    assert api_as("head").get(f"/api/v1/cases/{rubbish}").status_code == 200
    act("estate", rubbish, "sign")
    act("estate", rubbish, "submit_result", **RESULT)
    assert act("estate_head", rubbish, "approve")["case"]["state"] == "replied"


def test_what_the_community_cannot_settle_goes_up_and_is_pressed_by_escalating_notices(db):
    with time_machine.travel(NOW, tick=False):
        load("community_office", demo=False)
        number = register(
            kind="help",
            case_class="complex",
            category=Category.objects.get(name="社区服务", parent=None).pk,
            extra={"building": "5幢"},
        )
        act("intake", number, "accept")
        act("dispatcher", number, "assign", department="cm-community")
        # A matter needing the street's coordination: 15 working days, holidays skipped.
        assert Case.objects.get(number=number).clocks.get(
            step="result", stopped_at__isnull=True
        ).due_at == end_of("2026-10-23")

        # Community → street: the community hands it up, the street office takes it.
        act("handler", number, "return", note="需街道协调老旧小区维修资金。")
        act("dispatcher", number, "assign", department="cm-street", note="社区上报街道协调。")
        assert api_as("handler").get(f"/api/v1/cases/{number}").status_code == 404
        # The district above the street sees it, and so may press it.
        assert api_as("head3").get(f"/api/v1/cases/{number}").status_code == 200
        act("handler2", number, "sign")

        # Street → district: a reminder, then a supervision notice, then the leaders' own.
        issued = api_as("supervisor").post(
            "/api/v1/notices",
            {
                "cases": [number],
                "level": "reminder",
                "reason": "居民多次来电催问屋面维修进度。",
                "demand": "三个工作日内明确维修资金来源和施工时间。",
                "due_days": 3,
            },
            format="json",
        )
        assert issued.status_code == 201, issued.content
        reminder = issued.json()
        assert reminder["department"] == "cm-street"
        assert post("handler", number, "note", note="x").status_code == 404
        notice_act("supervisor", reminder["id"], "escalate", note="逾期未明确维修方案，升级督办。")
        supervision = SupervisionNotice.objects.get(escalated_from=reminder["id"])
        notice_act("supervisor", supervision.pk, "escalate", note="提请区领导督办。")
        leaders = SupervisionNotice.objects.get(escalated_from=supervision.pk)
        assert [reminder["level"], supervision.level, leaders.level] == [
            "reminder",
            "supervision",
            "leader",
        ]
        # The leaders' notice is answered by the street office, not by the community.
        assert api_as("handler").post(
            f"/api/v1/notices/{leaders.pk}/actions/acknowledge", {}, format="json"
        ).status_code in (403, 404)
        notice_act("head2", leaders.pk, "acknowledge")
        answered = notice_act("head2", leaders.pk, "answer", note="已申请街道专项资金，下周施工。")
        assert answered["state"] == "answered"

        # The street's head signs the answer off first, then the street's leader.
        act("handler2", number, "submit_result", **RESULT)
        act("head2", number, "approve")
        assert post("head2", number, "leader_approve").status_code == 403
        assert act("leader", number, "leader_approve")["case"]["state"] == "replied"


def test_an_answered_matter_gets_a_return_visit_that_closes_it(client, db):
    estate_case, transferred, escalated = (
        Case.objects.get(pk=c.pk) for c in load("community_office").cases
    )
    assert estate_case.state == State.REPLIED
    assert transferred.state == State.TRANSFERRED
    assert (escalated.state, code_of(escalated.department)) == (State.ASSIGNED, "cm-street")

    assert return_visits_open(now=timezone.now()) == 1  # the answered one only
    visit = ReturnVisit.objects.get()
    assert visit.case_id == estate_case.pk

    client.login(username="estate", password="minsheng-demo")
    call = {"outcome": "reached", "rating": "satisfied", "is_explained": "true"}
    call |= {"is_timely": "true", "note": "居民表示门禁已修好，满意。"}
    assert client.post(f"/work/supervision/visits/{visit.pk}/", call).status_code in (403, 404)
    client.login(username="intake", password="minsheng-demo")
    answer = client.post(f"/work/supervision/visits/{visit.pk}/", call)

    assert answer.status_code == 302
    estate_case.refresh_from_db()
    assert (estate_case.state, estate_case.rating) == (State.CLOSED, "satisfied")
    assert estate_case.events.filter(action="return_visit").exists()
