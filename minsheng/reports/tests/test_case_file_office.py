"""The case file (案卷) prints what the office's configuration added to a case: its class,
its further details with their labels, the regulator's reference."""

from django.urls import reverse

from minsheng.cases.models import Category, Channel
from minsheng.cases.services import PersonInput, Submission
from minsheng.cases.tests.office_factories import (
    insurance_category,
    insurer_classes,
    policy_number_field,
)
from minsheng.intake.services import submission_register
from minsheng.reports.tests.pdfs import needs_noto_cjk, pages_text


@needs_noto_cjk
def test_case_file_prints_the_class_further_details_and_regulator_reference(client, cast):
    classes = insurer_classes()
    claims = insurance_category()
    policy_number_field(claims)
    case = submission_register(
        submission=Submission(
            kind="complaint",
            subject="车险理赔迟迟不到账",
            body="车险理赔申请一个月了还没有到账。",
            channel=Channel.REGULATOR,
            category=Category.objects.get(name="车险理赔"),
            case_class=classes["B"],
            extra={"policy_number": "P20261206"},
            regulator_reference="监管转〔2026〕88号",
            people=[PersonInput(name="钱敏", phone="13712345678")],
        ),
        actor=cast.intake,
    ).case
    client.force_login(cast.supervisor)

    response = client.get(reverse("reports:case-file", args=[case.number]))

    assert response.status_code == 200
    text = "\n".join(pages_text(response.content))
    for expected in ("B类", "保单号", "P20261206", "监管转〔2026〕88号"):
        assert expected in text
