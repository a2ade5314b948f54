"""A mediation agreement followed up in a browser: the handler records on a phone who
signed the agreement and when its copies were issued; the supervisor, at a desk, finds it
overdue for follow-up on the list of agreements awaiting follow-up, records that it was
fulfilled on the case page, and the list is empty. A screenshot of every step."""

from minsheng.cases.models import MediationAgreement, State
from minsheng.cases.tests.factories import drive_to
from minsheng.cases.tests.test_mediation_records import agreement_on
from tests.browser.conftest import DESKTOP
from tests.browser.steps import expect

PHONE = {"width": 390, "height": 844}


def test_a_mediation_agreement_is_signed_and_its_fulfilment_followed_up(site, cast, staff, shot):
    case = drive_to(cast, State.IN_PROGRESS)
    agreement = agreement_on(case, follow_up_in_days=-1)  # follow-up already due yesterday
    section = f"#agreement-{agreement.pk}"

    handler = staff("handler", viewport=PHONE, is_mobile=True, has_touch=True)
    handler.goto(f"{site}/work/cases/{case.number}/")
    expect(handler.locator("#mediation-title")).to_have_text("调解协议书")
    handler.locator(f"{section} details summary").first.click()
    form = handler.locator(f"{section}-signatures")
    form.locator("textarea").fill("张伟；城东建筑工程公司（法定代表人 李强）")
    shot(handler, "signatures-form")
    form.locator("button[type=submit]").click()
    expect(handler.locator(".messages")).to_contain_text("签字已记录")
    expect(handler.locator(f"{section} .agreement-signed")).to_contain_text("李强")
    expect(handler.locator(f"{section}-fulfilment")).to_be_visible()  # open: overdue
    assert handler.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(handler, "signed")

    supervisor = staff("supervisor", viewport=DESKTOP)
    supervisor.click("nav a:has-text('调解跟踪')")
    supervisor.wait_for_url(f"{site}/work/mediation/")
    row = supervisor.locator("#mediation-follow-ups tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".overdue")).to_contain_text("已超期")
    shot(supervisor, "follow-ups-overdue")
    row.locator("a.number").click()
    supervisor.wait_for_url(f"**/work/cases/{case.number}/*")
    follow = supervisor.locator(f"{section}-fulfilment")
    follow.locator("input[value=fulfilled]").check()
    follow.locator("textarea").fill("回访双方，赔偿款二千元已于本周付清。")
    shot(supervisor, "fulfilment-form")
    follow.locator("button[type=submit]").click()
    expect(supervisor.locator(f"{section} .agreement-fulfilment")).to_contain_text("已履行")
    shot(supervisor, "fulfilled")

    supervisor.goto(f"{site}/work/mediation/")
    expect(supervisor.locator("#no-follow-ups")).to_be_visible()
    shot(supervisor, "follow-ups-empty")
    agreement.refresh_from_db()
    assert agreement.fulfilment == MediationAgreement.Fulfilment.FULFILLED
