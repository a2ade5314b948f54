"""Every channel registers through `intake.services.submission_register`."""

from rest_framework.test import APIClient

from minsheng.cases.models import Case, Channel
from minsheng.cases.services import PersonInput, Submission
from minsheng.deadlines.models import Kind, Severity
from minsheng.intake.services import submission_register


def test_an_emergency_sounding_matter_is_registered_urgent_on_any_channel(db):
    fire = Submission(
        kind=Kind.COMPLAINT,
        subject="楼道堆物",
        body="楼下仓库着火了，楼道里全是烟",
        channel=Channel.EMAIL,
        people=[PersonInput(name="王芳", email="wang@example.cn")],
    )
    quiet = Submission(
        kind=Kind.COMPLAINT,
        subject="楼道堆物",
        body="楼道里堆了很多纸箱",
        channel=Channel.EMAIL,
        people=[PersonInput(name="王芳", email="wang@example.cn")],
    )

    urgent = submission_register(submission=fire, actor=None).case
    general = submission_register(submission=quiet, actor=None).case

    assert urgent.severity == Severity.URGENT
    assert general.severity == Severity.GENERAL


def test_the_rest_api_submission_goes_through_intake(db):
    response = APIClient().post(
        "/api/v1/public/cases",
        {
            "kind": "complaint",
            "subject": "路口车祸",
            "body": "路口发生车祸，有人受伤",
            "people": [{"name": "李娜", "phone": "13900001111"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).severity == Severity.URGENT
