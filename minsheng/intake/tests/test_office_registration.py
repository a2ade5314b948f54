"""Registration follows the office's configuration (`cases.office`): the kinds and channels
it takes, its admissibility rules, its case classes, its extra fields per category and the
regulator's reference of a transfer. Without configuration, nothing changes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from minsheng.cases import office
from minsheng.cases.models import Case, Category, Channel
from minsheng.cases.services import PersonInput, Submission
from minsheng.cases.tests.office_factories import (
    TWO_YEARS_TEXT,
    insurance_category,
    insurer_classes,
    office_takes,
    policy_number_field,
    two_year_limit,
)
from minsheng.deadlines.models import Kind, Severity
from minsheng.intake.services import submission_draft, submission_register


def matter(**changes) -> Submission:
    values = {
        "kind": Kind.COMPLAINT,
        "subject": "拖欠工资",
        "body": "公司拖欠三个月工资不发。",
        "channel": Channel.WEB,
        "people": [PersonInput(name="赵强", phone="13911112222")],
    }
    return Submission(**{**values, **changes})


def refusal(submission: Submission) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        submission_register(submission=submission, actor=None)
    return refused.value.message_dict


def test_a_matter_older_than_two_years_is_refused_with_its_legal_text(db):
    reason = two_year_limit()
    now = timezone.now()
    old = matter(occurred_at=now - timedelta(days=731))
    recent = matter(occurred_at=now - timedelta(days=700))

    errors = refusal(old)
    case = submission_register(submission=recent, actor=None).case

    assert errors == {"occurred_at": [office.reason_text(reason)]}
    assert "超过两年" in errors["occurred_at"][0]
    assert TWO_YEARS_TEXT in errors["occurred_at"][0]
    assert Case.objects.filter(pk=case.pk).exists()
    assert Case.objects.count() == 1  # the old matter left nothing behind


def test_the_bulk_load_counts_the_two_years_from_when_the_record_was_registered(db):
    two_year_limit()
    registered_at = timezone.now() - timedelta(days=400)
    old = matter(occurred_at=registered_at - timedelta(days=800))
    in_time = matter(occurred_at=registered_at - timedelta(days=100))

    with pytest.raises(ValidationError) as refused:
        submission_draft(submission=old, registered_at=registered_at)
    draft = submission_draft(submission=in_time, registered_at=registered_at)

    assert list(refused.value.message_dict) == ["occurred_at"]
    assert draft.case.occurred_at == in_time.occurred_at


def test_a_case_class_sets_the_severity_the_lifecycle_handles(db):
    classes = insurer_classes()

    class_a = submission_register(
        submission=matter(case_class=classes["A"], severity=Severity.GENERAL), actor=None
    ).case
    class_c = submission_register(submission=matter(case_class=classes["C"]), actor=None).case

    class_a.refresh_from_db()
    assert (class_a.case_class, class_a.severity) == (classes["A"], Severity.URGENT)
    assert (class_c.case_class_id, class_c.severity) == (classes["C"].pk, Severity.COMPLEX)


def test_the_extra_fields_of_a_category_are_checked_typed_and_kept(db):
    claims = insurance_category()
    car = Category.objects.get(name="车险理赔")
    policy_number_field(claims)
    office_rows_for_number_and_choice()

    missing = refusal(matter(category=car, extra={}))
    badly_formed = refusal(matter(category=car, extra={"policy_number": "12345"}))
    unknown = refusal(matter(category=car, extra={"policy_number": "P12345678", "colour": "红"}))
    case = submission_register(
        submission=matter(
            category=car,
            extra={"policy_number": " P12345678 ", "amount": "3000", "channel_used": "app"},
        ),
        actor=None,
    ).case

    assert "保单号" in missing["extra.policy_number"][0]
    assert "policy_number" in badly_formed["extra.policy_number"][0]
    assert list(unknown) == ["extra.colour"]
    case.refresh_from_db()
    assert case.extra == {"policy_number": "P12345678", "amount": 3000, "channel_used": "app"}


def office_rows_for_number_and_choice() -> None:
    from minsheng.cases import office
    from minsheng.cases.models import ExtraField

    claims = Category.objects.get(name="保险理赔")
    ExtraField.objects.create(
        category=claims, code="amount", label="索赔金额", type=ExtraField.Type.NUMBER, position=2
    )
    ExtraField.objects.create(
        category=claims,
        code="channel_used",
        label="投保渠道",
        type=ExtraField.Type.CHOICE,
        choices=[["app", "手机应用"], ["agent", "代理人"]],
        position=3,
    )
    office.office_changed()


def test_number_date_and_choice_fields_refuse_values_of_another_type(db):
    from minsheng.cases import office
    from minsheng.cases.models import ExtraField

    ExtraField.objects.create(code="visit_on", label="就诊日期", type=ExtraField.Type.DATE)
    ExtraField.objects.create(code="count", label="人数", type=ExtraField.Type.NUMBER)
    ExtraField.objects.create(
        code="ward", label="科室", type=ExtraField.Type.CHOICE, choices=["内科", "外科"]
    )
    office.office_changed()

    errors = refusal(matter(extra={"visit_on": "2026-02-30", "count": "三", "ward": "儿科"}))
    case = submission_register(
        submission=matter(extra={"visit_on": "2026-02-03", "count": 4, "ward": "外科"}),
        actor=None,
    ).case

    assert set(errors) == {"extra.visit_on", "extra.count", "extra.ward"}
    assert case.extra == {"visit_on": "2026-02-03", "count": 4, "ward": "外科"}


def test_kinds_and_channels_the_office_does_not_use_are_refused(db):
    office_takes(kinds=[Kind.COMPLAINT, Kind.REPORT], channels=[Channel.WEB, Channel.PHONE])

    errors = refusal(matter(kind=Kind.SUGGESTION, channel=Channel.EMAIL))
    case = submission_register(submission=matter(channel=Channel.PHONE), actor=None).case

    assert set(errors) == {"kind", "channel"}
    assert case.channel == Channel.PHONE


def test_a_regulator_transfer_needs_the_regulators_reference(db):
    errors = refusal(matter(channel=Channel.REGULATOR))
    case = submission_register(
        submission=matter(channel=Channel.REGULATOR, regulator_reference=" 银保监转〔2026〕17号 "),
        actor=None,
    ).case

    assert list(errors) == ["regulator_reference"]
    assert case.regulator_reference == "银保监转〔2026〕17号"


def test_a_matter_outside_the_category_does_not_get_its_fields(db):
    claims = insurance_category()
    policy_number_field(claims)
    other = Category.objects.create(name="医疗纠纷", level=1)

    case = submission_register(submission=matter(category=other), actor=None).case
    errors = refusal(matter(category=other, extra={"policy_number": "P12345678"}))

    assert case.extra == {}
    assert list(errors) == ["extra.policy_number"]


def test_without_configuration_registration_is_as_before(db, english):
    now = timezone.now()
    ancient = matter(occurred_at=now - timedelta(days=3650), severity=Severity.MAJOR)

    case = submission_register(submission=ancient, actor=None).case
    errors = refusal(matter(extra={"anything": "x"}))

    assert (case.severity, case.case_class_id, case.extra) == (Severity.MAJOR, None, {})
    assert errors == {
        "extra.anything": ["anything: there is no such further detail for this category."]
    }


def test_a_spreadsheet_row_of_a_kind_the_office_does_not_take_is_reported(db, cast):
    import typing

    from django.forms import ChoiceField

    Choices = list[tuple[str, str]]

    from minsheng.intake.forms import UploadForm
    from minsheng.intake.services import imports
    from minsheng.intake.tests.test_spreadsheet_import import ROWS, csv_upload

    office_takes(kinds=[Kind.COMPLAINT, Kind.SUGGESTION], channels=[Channel.PHONE, Channel.EMAIL])

    job = imports.import_job_create(upload=csv_upload(), actor=cast.intake)
    imports.import_job_start(job=job, actor=cast.intake)
    job = imports.import_job_run(job_id=job.pk)  # what the task worker does
    fields = UploadForm().fields
    default_kind, default_channel = fields["default_kind"], fields["default_channel"]
    assert isinstance(default_kind, ChoiceField)
    assert isinstance(default_channel, ChoiceField)

    inquiry_row = 2 + ROWS.index(next(r for r in ROWS if r[4] == "咨询"))  # after the header
    assert (inquiry_row, "kind") in {(p["row"], p["field"]) for p in job.problems}
    assert not Case.objects.filter(kind=Kind.INQUIRY).exists()
    assert [code for code, _label in typing.cast(Choices, default_kind.choices)] == [
        Kind.COMPLAINT,
        Kind.SUGGESTION,
    ]
    assert [code for code, _label in typing.cast(Choices, default_channel.choices)] == [
        Channel.PHONE,
        Channel.EMAIL,
    ]


def test_a_categorys_own_field_wins_over_one_of_the_same_code_for_every_case(db):
    from minsheng.cases.models import ExtraField

    claims = insurance_category()
    ExtraField.objects.create(code="policy_number", label="保单号（选填）", position=1)
    policy_number_field(claims)  # required, P and eight digits

    fields = office.extra_fields_for(Category.objects.get(name="车险理赔").pk)
    elsewhere = office.extra_fields_for(None)

    assert [(f.label, f.is_required) for f in fields] == [("保单号", True)]
    assert [(f.label, f.is_required) for f in elsewhere] == [("保单号（选填）", False)]
