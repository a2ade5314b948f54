"""The housing bureau's profile: a building-quality complaint names its project, goes to the
quality supervision station, and becomes a linked enforcement case (立案查处) whose
rectification runs 3 days from the date of service and whose re-inspection is due 5 working
days after the rectification deadline, on the official calendar."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, State
from minsheng.cases.tests.factories import RESULT
from minsheng.deadlines.models import CaseClass
from minsheng.demo.tests.profile_support import act, api_as, load

LOCAL = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 9, 21, 9, 0, tzinfo=LOCAL)
# Served on the Monday before the National Day holidays (1–7 October; Saturday 10 October is
# a make-up working day).
SERVED = datetime(2026, 9, 28, 15, 0, tzinfo=LOCAL)


def code_of(row: Department | CaseClass | None) -> str | None:
    """A department's or a class's code (None for none)."""
    return row.code if row is not None else None


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LOCAL)


def complaint(**extra: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "walk_in",
        "case_class": "general",
        "category": Category.objects.get(name="渗漏水").pk,
        "subject": "新房卫生间楼板渗水到楼下",
        "body": "我家卫生间防水没做好，水渗到楼下住户天花板，开发商一直推诿。",
        "respondent": "某置业有限公司",
        "people": [{"name": "钱文军", "phone": "13857112345"}],
        "extra": extra,
    }


def step(username: str, enforcement: int, name: str, **body: object):
    return api_as(username).post(
        f"/api/v1/enforcement/{enforcement}/steps", {"step": name, **body}, format="json"
    )


def taken(username: str, enforcement: int, name: str, **body: object) -> dict:
    answer = step(username, enforcement, name, **body)
    assert answer.status_code == 200, (name, answer.status_code, answer.content[:400])
    return answer.json()


def steps_of(detail: dict) -> dict[str, dict]:
    return {line["step"]: line for line in detail["steps"]}


def local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(LOCAL)


def test_a_quality_complaint_names_its_project_in_the_bureau_s_form(db):
    load("housing_bureau", demo=False)
    intake = api_as("intake")

    missing = intake.post("/api/v1/cases", complaint(), format="json")
    badly = intake.post(
        "/api/v1/cases",
        complaint(project="锦江苑", unit="十八楼", delivered_on="2026-13-01"),
        format="json",
    )
    taken_in = intake.post(
        "/api/v1/cases",
        complaint(project="锦江苑", unit="7幢602室", delivered_on="2026-06-30"),
        format="json",
    )

    assert missing.status_code == 400
    assert "项目名称" in missing.json()["errors"]["extra.project"][0]
    assert badly.status_code == 400
    assert set(badly.json()["errors"]) == {"extra.unit", "extra.delivered_on"}
    assert taken_in.status_code == 201, taken_in.content
    case = Case.objects.get(number=taken_in.json()["number"])
    assert case.extra == {"project": "锦江苑", "unit": "7幢602室", "delivered_on": "2026-06-30"}


def test_quality_complaint_becomes_an_enforcement_case_reinspected_5_working_days_after(db):
    with time_machine.travel(MONDAY, tick=False) as clock:
        load("housing_bureau", demo=False)
        created = api_as("intake").post(
            "/api/v1/cases", complaint(project="锦江苑", unit="7幢602室"), format="json"
        )
        number = created.json()["number"]
        act("intake", number, "accept")
        act("dispatcher", number, "assign", department="hb-quality")
        act("handler", number, "sign")
        act("handler", number, "plan", note="现场查看卫生间防水层，闭水试验。")

        opening = {"case": number, "respondent": "某置业有限公司", "findings": "闭水试验渗漏。"}
        # The property section does not open an enforcement case on the station's complaint:
        # to it the complaint does not exist (another department's case looks missing).
        other = api_as("handler2").post("/api/v1/enforcement", opening, format="json")
        assert other.status_code == 404
        opened = api_as("handler").post("/api/v1/enforcement", opening, format="json")
        assert opened.status_code == 201, opened.content
        enforcement = opened.json()["id"]
        timeline = api_as("handler").get(f"/api/v1/cases/{number}").json()["timeline"]
        assert "enforcement_opened" in [line["action"] for line in timeline]

        # The filing and the decision are the station head's.
        assert step("handler", enforcement, "filing_approval", note="同意立案").status_code == 403
        taken("head", enforcement, "filing_approval", note="同意立案查处。")
        taken("handler", enforcement, "notice", document="区住建责改〔2026〕15号")
        taken(
            "handler", enforcement, "statement", mode="waived", note="当事人书面表示放弃陈述申辩。"
        )
        clock.shift(timedelta(days=2))
        taken(
            "head",
            enforcement,
            "decision",
            document="区住建罚决〔2026〕8号",
            note="责令三日内完成卫生间防水层返工。",
        )
        clock.move_to(SERVED)
        served = taken(
            "handler", enforcement, "service", served_on="2026-09-28", receiver="开发商代表 李明"
        )

        lines = steps_of(served)
        # Rectification: 3 natural days from the date of service.
        assert local(lines["rectification"]["due_at"]) == end_of("2026-10-01")
        # Re-inspection: 5 working days after that deadline, the holidays skipped and the
        # make-up Saturday counted (8, 9, 10, 12, 13 October).
        assert local(lines["reinspection"]["started_at"]) == end_of("2026-10-01")
        assert local(lines["reinspection"]["due_at"]) == end_of("2026-10-13")
        assert served["step"] == "reinspection"

        clock.move_to(datetime(2026, 10, 12, 10, 0, tzinfo=LOCAL))
        taken("handler", enforcement, "reinspection", result="rectified", note="闭水试验合格。")
        taken("handler", enforcement, "publication", place="区住建局门户网站")
        closed = taken("head", enforcement, "close", note="整改到位，结案。")
        assert closed["state"] == "closed"

        act("handler", number, "submit_result", **RESULT)
        assert act("head", number, "approve")["case"]["state"] == "replied"


def test_demo_shows_the_station_s_cases_and_an_answered_property_complaint(db):
    leaking, cracks, lift = (Case.objects.get(pk=c.pk) for c in load("housing_bureau").cases)

    assert leaking.state == State.IN_PROGRESS
    assert code_of(leaking.department) == "hb-quality"
    assert leaking.extra["project"] == "锦江苑"
    assert cracks.state == State.ASSIGNED
    assert cracks.severity == "major"
    assert lift.state == State.REPLIED
    assert code_of(lift.department) == "hb-property"
