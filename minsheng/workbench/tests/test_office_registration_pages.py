"""The staff registration page and the case page follow the office's configuration: the
kinds and channels it takes, its classes, the extra fields of the chosen category (asked
for again when the category changes, keeping what was typed), the two-year limit and the
regulator's reference; the case page shows the class, the further details and the
reference."""

from datetime import timedelta

from django.utils import timezone

from minsheng.cases import office
from minsheng.cases.models import Case, Category, Channel
from minsheng.cases.tests.office_factories import (
    TWO_YEARS_TEXT,
    insurance_category,
    insurer_classes,
    office_takes,
    policy_number_field,
    two_year_limit,
)
from minsheng.deadlines.models import Kind, Severity

REGISTRATION = {
    "channel": "phone",
    "kind": "complaint",
    "subject": "车险理赔迟迟不到账",
    "body": "车险理赔申请一个月了还没有到账。",
    "identity": "named",
    "name": "钱敏",
    "phone": "13712345678",
    "contact_by": "sms",
    "consent": "on",
}


def test_the_extra_field_of_the_category_is_asked_for_checked_and_shown(client, cast):
    insurer_classes()
    claims = insurance_category()
    car = Category.objects.get(name="车险理赔")
    policy_number_field(claims)
    client.force_login(cast.intake)
    data = {**REGISTRATION, "category": car.pk, "case_class": "a"}

    missing = client.post("/work/register/", data)
    badly_formed = client.post("/work/register/", {**data, "extra__policy_number": "12345"})
    done = client.post("/work/register/", {**data, "extra__policy_number": "P20261206"})

    assert "extra__policy_number" in missing.context["form"].errors
    assert 'name="extra__policy_number"' in missing.text
    errors = badly_formed.context["form"].errors["extra__policy_number"]
    assert "保单号" in errors[0]
    assert "12345" in badly_formed.text  # what was typed stays
    case = Case.objects.get()
    assert done["Location"] == f"/work/cases/{case.number}/"
    assert (case.extra, case.severity) == ({"policy_number": "P20261206"}, Severity.URGENT)
    page = client.get(done["Location"])
    assert "保单号" in page.text
    assert "P20261206" in page.text
    assert 'id="case-class">A类<' in page.text


def test_the_extra_fields_follow_the_category_and_keep_what_was_typed(client, cast):
    claims = insurance_category()
    other = Category.objects.create(name="医疗纠纷", level=1)
    policy_number_field(claims)
    client.force_login(cast.intake)

    none_chosen = client.get("/work/register/")
    claims_chosen = client.post("/work/register/extra/", {**REGISTRATION, "category": claims.pk})
    typed = {**REGISTRATION, "extra__policy_number": "P12345678"}
    other_chosen = client.post("/work/register/extra/", {**typed, "category": other.pk})
    back_again = client.post("/work/register/extra/", {**typed, "category": claims.pk})

    assert 'name="extra__policy_number"' not in none_chosen.text
    assert 'id="extra-fields"' in none_chosen.text
    assert 'name="extra__policy_number"' in claims_chosen.text
    assert 'type="hidden" name="extra__policy_number" value="P12345678"' in other_chosen.text
    assert 'value="P12345678"' in back_again.text
    assert 'type="hidden"' not in back_again.text

    client.force_login(cast.handler)
    assert client.post("/work/register/extra/", typed).status_code == 403


def test_the_two_year_limit_is_shown_beside_the_date_with_its_legal_text(client, cast):
    reason = two_year_limit()
    client.force_login(cast.intake)
    long_ago = timezone.localtime() - timedelta(days=800)

    refused = client.post(
        "/work/register/", {**REGISTRATION, "occurred_at": long_ago.strftime("%Y-%m-%dT%H:%M")}
    )

    assert refused.context["form"].errors["occurred_at"] == [office.reason_text(reason)]
    assert TWO_YEARS_TEXT in refused.text
    assert not Case.objects.exists()


def test_choices_are_the_kinds_channels_and_classes_the_office_uses(client, cast):
    client.force_login(cast.intake)
    before = client.get("/work/register/").context["form"]
    office_takes(kinds=[Kind.COMPLAINT, Kind.REPORT], channels=[Channel.PHONE, Channel.REGULATOR])
    insurer_classes()

    after = client.get("/work/register/").context["form"]
    by_letter = client.post("/work/register/", {**REGISTRATION, "channel": "letter"})

    assert "case_class" not in before.fields
    assert [c for c, _label in before.fields["channel"].choices] == [
        "phone",
        "letter",
        "walk_in",
        "email",
        "wechat",
        "weibo",
        "regulator",
    ]
    assert [c for c, _label in after.fields["kind"].choices] == ["", "complaint", "report"]
    assert [c for c, _label in after.fields["channel"].choices] == ["phone", "regulator"]
    assert [c for c, _label in after.fields["case_class"].choices][1:] == ["a", "b", "c"]
    assert "channel" in by_letter.context["form"].errors


def test_a_regulator_transfer_is_registered_with_its_reference_and_shows_it(client, cast):
    client.force_login(cast.intake)
    data = {**REGISTRATION, "channel": "regulator"}

    missing = client.post("/work/register/", data)
    done = client.post("/work/register/", {**data, "regulator_reference": "监管转〔2026〕9号"})

    assert "regulator_reference" in missing.context["form"].errors
    page = client.get(done["Location"])
    assert 'id="regulator-reference">监管转〔2026〕9号<' in page.text
