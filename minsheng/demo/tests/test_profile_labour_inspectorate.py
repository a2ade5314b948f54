"""The labour inspectorate's profile: a matter older than two years is refused with the
legal reason, an anonymous complaint becomes a report, five workers with representatives
make a collective complaint, and a request for further evidence pauses the result clock."""

from datetime import timedelta

from django.utils import timezone

from minsheng.cases.models import Case, State
from minsheng.cases.tests.factories import RESULT
from minsheng.deadlines.models import Kind, Step
from minsheng.demo.tests.profile_support import act, api_as, load, running

PERSON = {"name": "陈立", "phone": "13612345678"}


def matter(**changes):
    return {
        "kind": "complaint",
        "subject": "公司拖欠加班费",
        "body": "公司拖欠我的加班费约八千元。",
        "respondent": "某物流有限公司",
        "people": [PERSON],
        **changes,
    }


def test_a_matter_older_than_two_years_is_refused_with_article_20(db):
    load("labour_inspectorate", demo=False)
    old = (timezone.now() - timedelta(days=800)).isoformat()
    recent = (timezone.now() - timedelta(days=100)).isoformat()

    refused = api_as("intake").post("/api/v1/cases", matter(occurred_at=old), format="json")
    public = api_as("intake").post("/api/v1/public/cases", matter(occurred_at=old), format="json")
    taken = api_as("intake").post("/api/v1/cases", matter(occurred_at=recent), format="json")

    assert refused.status_code == 400
    [message] = refused.json()["errors"]["occurred_at"]
    assert "违法行为发生已超过两年" in message
    assert "《劳动保障监察条例》第二十条" in message
    assert public.status_code == 400
    assert "occurred_at" in public.json()["errors"]
    assert taken.status_code == 201, taken.content
    assert Case.objects.count() == 1


def test_rejection_grounds_come_from_the_list_with_their_law(db):
    load("labour_inspectorate", demo=False)
    number = api_as("intake").post("/api/v1/cases", matter(), format="json").json()["number"]

    without = api_as("intake").post(
        f"/api/v1/cases/{number}/actions/reject", {"note": "请申请仲裁"}, format="json"
    )
    done = act("intake", number, "reject", reason="dispute-arbitration", note="请申请仲裁")

    assert without.status_code == 400
    assert list(without.json()["errors"]) == ["reason"]
    case = Case.objects.get(number=number)
    assert case.state == State.REJECTED
    assert case.rejection_ground is not None
    assert case.rejection_ground.code == "dispute-arbitration"
    assert "《劳动保障监察条例》第二十一条" in case.rejection_reason
    public = api_as("intake").get(f"/api/v1/cases/{number}").json()["case"]
    assert public["state"] == "rejected"
    assert done["event"]["action"] == "reject"


def test_anonymous_complaint_is_a_report_and_five_workers_are_collective(db):
    loaded = load("labour_inspectorate")
    collective, anonymous, rejected = loaded.cases

    assert Case.objects.get(pk=anonymous.pk).kind == Kind.REPORT
    collective = Case.objects.get(pk=collective.pk)
    assert collective.is_collective
    assert collective.complainants.filter(is_representative=True).count() == 2
    assert collective.complainants.count() == 5
    assert Case.objects.get(pk=rejected.pk).state == State.REJECTED


def test_further_evidence_pauses_the_result_clock_until_it_is_supplied(db):
    collective = load("labour_inspectorate").cases[0]
    case = Case.objects.get(pk=collective.pk)
    assert case.state == State.AWAITING_EVIDENCE
    assert running(case, Step.RESULT).due_at is None  # paused: nothing is due meanwhile

    act("handler", case.number, "evidence_supply", note="已收到工资条和考勤记录复印件。")
    case.refresh_from_db()
    result = running(case, Step.RESULT)
    assert case.state == State.IN_PROGRESS
    assert result.due_at is not None
    assert len(result.pauses) == 1
    assert result.pauses[0][1] is not None

    # A major case: the squad head, then the inspectorate's leader.
    act("handler", case.number, "submit_result", **RESULT)
    head = act("head", case.number, "approve")
    assert head["case"]["state"] == "pending_leader_approval"
    refused = api_as("head").post(
        f"/api/v1/cases/{case.number}/actions/leader_approve", {}, format="json"
    )
    assert refused.status_code == 403
    assert act("leader", case.number, "leader_approve")["case"]["state"] == "replied"
