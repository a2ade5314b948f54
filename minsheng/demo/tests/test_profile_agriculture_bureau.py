"""The agriculture bureau's profile: each product line (seed, pesticide, fertiliser,
machinery) goes to its competent station, a seed complaint names its variety, and a
complaint is settled by a mediation agreement in triplicate, signed and followed up, or
closed with the advice to go to arbitration."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from minsheng.accounts.models import Department
from minsheng.cases.models import Case, Category, MediationAgreement, State
from minsheng.cases.tests.factories import RESULT
from minsheng.deadlines.models import CaseClass
from minsheng.demo.tests.profile_support import act, api_as, load
from minsheng.routing.services import department_of

LOCAL = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 28, 9, 0, tzinfo=LOCAL)
PARTIES = "李长贵；青山镇丰收农资经营部（负责人 王德林）"
TERMS = "经营部赔偿种子款及补种费用共计一万二千元，于30日内付清。"


def code_of(row: Department | CaseClass | None) -> str | None:
    """A department's or a class's code (None for none)."""
    return row.code if row is not None else None


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LOCAL)


def seed_complaint(**extra: object) -> dict:
    return {
        "kind": "complaint",
        "channel": "walk_in",
        "case_class": "general",
        "category": Category.objects.get(name="发芽率低").pk,
        "subject": "玉米种子出苗率低",
        "body": "买的玉米种子种下去出苗不到一半。",
        "respondent": "青山镇丰收农资经营部",
        "people": [{"name": "李长贵", "phone": "13907311234"}],
        "extra": extra,
    }


def post(username: str, number: str, action: str, **body: object):
    return api_as(username).post(f"/api/v1/cases/{number}/actions/{action}", body, format="json")


def agreements(username: str, number: str) -> list[dict]:
    answer = api_as(username).get(f"/api/v1/cases/{number}/mediation-agreements")
    assert answer.status_code == 200, answer.content
    return answer.json()


def signed_seed_case() -> str:
    """A seed complaint with the seed station, signed for and planned."""
    created = api_as("intake").post(
        "/api/v1/cases", seed_complaint(variety="丰禾10号", crop="maize", area_mu=30), format="json"
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    act("intake", number, "accept")
    act("dispatcher", number, "assign", department="ag-seed")
    act("handler", number, "sign")
    act("handler", number, "plan", note="田间查看出苗情况，封存同批次种子送检。")
    return number


def test_each_product_line_goes_to_its_station_and_a_seed_complaint_names_its_variety(db):
    load("agriculture_bureau", demo=False)
    stations = {
        line: code_of(department_of(Category.objects.get(name=line, parent=None)))
        for line in ("种子", "农药", "肥料", "农机")
    }
    assert stations == {
        "种子": "ag-seed",
        "农药": "ag-pesticide",
        "肥料": "ag-fertiliser",
        "农机": "ag-machinery",
    }
    assert code_of(department_of(Category.objects.get(name="药害"))) == "ag-pesticide"

    nameless = api_as("intake").post("/api/v1/cases", seed_complaint(), format="json")
    wrong_crop = api_as("intake").post(
        "/api/v1/cases", seed_complaint(variety="丰禾10号", crop="cotton"), format="json"
    )
    assert nameless.status_code == 400
    assert "品种名称" in nameless.json()["errors"]["extra.variety"][0]
    assert wrong_crop.status_code == 400
    assert list(wrong_crop.json()["errors"]) == ["extra.crop"]

    number = signed_seed_case()
    case = Case.objects.get(number=number)
    assert code_of(case.department) == "ag-seed"
    assert case.extra == {"variety": "丰禾10号", "crop": "maize", "area_mu": 30}
    # The other stations do not work the seed station's complaint.
    assert post("handler4", number, "mediate", outcome="failed", note="x").status_code in (
        403,
        404,
    )


def test_mediation_agreement_in_triplicate_is_signed_once_and_followed_up(db):
    with time_machine.travel(NOW, tick=False) as clock:
        load("agriculture_bureau", demo=False)
        number = signed_seed_case()

        without_parties = post("handler", number, "mediate", outcome="agreement", note=TERMS)
        assert without_parties.status_code == 400
        assert list(without_parties.json()["errors"]) == ["parties"]
        act(
            "handler",
            number,
            "mediate",
            outcome="agreement",
            parties=PARTIES,
            copies=3,
            follow_up_days=30,
            note=TERMS,
        )
        [agreement] = agreements("handler", number)
        assert agreement["copies"] == 3
        assert agreement["parties"] == PARTIES
        assert agreement["terms"] == TERMS
        # Followed up 30 natural days on.
        assert datetime.fromisoformat(agreement["follow_up_by"]) == end_of("2026-10-28")

        # Fulfilment is followed up only once the parties have signed.
        url = f"/api/v1/cases/{number}/mediation-agreements/{agreement['id']}"
        early = api_as("handler").post(
            f"{url}/fulfilment", {"fulfilment": "fulfilled", "note": ""}, format="json"
        )
        assert early.status_code == 409
        clock.shift(timedelta(hours=2))
        signatures = {
            "signed_by": "李长贵、王德林、调解员 汪海涛",
            "signed_at": (NOW + timedelta(hours=1)).isoformat(),
            "copies_issued_at": (NOW + timedelta(hours=2)).isoformat(),
        }
        signed = api_as("handler").post(f"{url}/signatures", signatures, format="json")
        assert signed.status_code == 200, signed.content
        assert signed.json()["signed_by"] == "李长贵、王德林、调解员 汪海涛"
        again = api_as("handler").post(f"{url}/signatures", signatures, format="json")
        assert again.status_code == 409

        clock.move_to(datetime(2026, 10, 28, 10, 0, tzinfo=LOCAL))
        followed = api_as("handler").post(
            f"{url}/fulfilment",
            {"fulfilment": "fulfilled", "note": "款项已全部付清。"},
            format="json",
        )
        assert followed.status_code == 200, followed.content
        row = MediationAgreement.objects.get(pk=agreement["id"])
        assert row.fulfilment == MediationAgreement.Fulfilment.FULFILLED
        assert row.copies == 3

        act("handler", number, "submit_result", **RESULT)
        assert act("head", number, "approve")["case"]["state"] == "replied"


def test_failed_mediation_closes_with_the_advice_to_arbitrate(db):
    loaded = load("agriculture_bureau")
    seed, harvester, pesticide = (Case.objects.get(pk=c.pk) for c in loaded.cases)
    assert seed.mediation_agreements.get().copies == 3
    assert pesticide.state == State.ASSIGNED
    assert code_of(pesticide.department) == "ag-pesticide"

    assert code_of(harvester.department) == "ag-machinery"
    assert agreements("handler4", harvester.number) == []
    detail = api_as("handler4").get(f"/api/v1/cases/{harvester.number}").json()
    [mediation] = [line for line in detail["timeline"] if line["action"] == "mediate"]
    assert mediation["data"]["outcome"] == "advised_arbitration"
    # The farmer reads the advice: the mediation's note is told to the complainant.
    assert mediation["is_public"]
    assert "仲裁委员会申请仲裁" in mediation["note"]
    assert harvester.state == State.IN_PROGRESS
    done = act("handler4", harvester.number, "submit_result", **RESULT)
    assert done["case"]["state"] == "pending_approval"
    assert post("head", harvester.number, "approve").status_code in (403, 404)
    assert act("head4", harvester.number, "approve")["case"]["state"] == "replied"
