"""An intake agent registers a matter for an office with extra fields per category (the
insurer's policy number): choosing the category brings its fields into the form (htmx),
switching category and back keeps what was typed, a badly formed number is refused beside
the field, and the case page shows the further details. At phone width."""

from minsheng.cases.models import Case, Category
from minsheng.cases.tests.office_factories import insurance_category, policy_number_field
from minsheng.deadlines.models import Kind
from tests.browser.steps import expect


def test_intake_registers_with_the_categorys_extra_field(site, cast, staff, shot):
    claims = insurance_category()
    other = Category.objects.create(name="医疗纠纷", level=1)
    policy_number_field(claims)
    intake = staff("intake")
    intake.goto(f"{site}/work/register/")
    intake.select_option("#id_kind", Kind.COMPLAINT)
    intake.fill("#id_subject", "车险理赔迟迟不到账")
    intake.fill("#id_body", "车险理赔申请一个月了还没有到账，客服一直说在处理。")
    expect(intake.locator("#id_extra__policy_number")).to_have_count(0)

    intake.select_option("#id_category", str(claims.pk))
    expect(intake.locator("#id_extra__policy_number")).to_be_visible()
    intake.fill("#id_extra__policy_number", "12345")
    intake.select_option("#id_category", str(other.pk))
    expect(intake.locator("#id_extra__policy_number")).to_have_count(0)
    intake.select_option("#id_category", str(claims.pk))
    expect(intake.locator("#id_extra__policy_number")).to_have_value("12345")  # kept
    intake.fill("#id_name", "钱敏")
    intake.fill("#id_phone", "13712345678")
    intake.check("#id_consent")
    shot(intake, "extra-field")
    intake.click("main button.primary")

    field = intake.locator(".field.invalid:has(#id_extra__policy_number)")
    expect(field).to_contain_text("policy_number")
    expect(intake.locator("#id_extra__policy_number")).to_have_value("12345")
    shot(intake, "refused-beside-the-field")
    intake.fill("#id_extra__policy_number", "P20261206")
    intake.check("#id_consent")
    intake.click("main button.primary")

    expect(intake.locator("#further-details")).to_contain_text("P20261206")
    expect(intake.locator("#further-details")).to_contain_text("保单号")
    shot(intake, "case-page")
    assert Case.objects.get().extra == {"policy_number": "P20261206"}
