"""Accessibility of the main pages: axe-core finds no serious or critical problem (labels,
contrast, landmarks, language), and the pages work with the keyboard alone."""

import re

import pytest

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.deadlines.models import Kind
from minsheng.knowledge.models import PolicyEntry, ReplyTemplate
from tests.browser.conftest import DESKTOP
from tests.browser.steps import expect, knowledge_clear, submit_matter, track

AXE_SCRIPT = pytest.importorskip("axe_playwright_python.base", reason="no axe").AXE_SCRIPT

# WCAG 2.1 A and AA, and axe's best practices (landmarks, one main, headings).
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    }
}
BLOCKING = {"serious", "critical"}


def problems(page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    if not page.evaluate("'axe' in window"):
        page.evaluate(AXE_SCRIPT)
    found = page.evaluate("rules => axe.run(document, rules)", RULES)["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


def test_main_pages_have_no_serious_accessibility_problems(
    site, cast, new_page, staff, shot, tmp_path
):
    knowledge_clear()
    PolicyEntry.objects.create(question="供暖补贴怎么申请？", answer="到社区申请。", is_public=True)
    ReplyTemplate.objects.create(title="致谢", text="感谢您的反映。")
    found: list[str] = []
    citizen = new_page(viewport=DESKTOP)
    for path in ("/", "/submit/", "/track/", "/guide/"):
        citizen.goto(f"{site}{path}")
        found += problems(citizen)
    citizen.goto(f"{site}/submit/")
    citizen.evaluate("document.getElementById('submission-form').noValidate = true")
    citizen.click("#submission-form button[type=submit]")  # the server's errors beside the fields
    expect(citizen.locator(".form-errors")).to_be_visible()
    found += problems(citizen)
    number, code = submit_matter(citizen, site, subject="路灯不亮", body="幸福路路灯坏了一周。")
    found += problems(citizen)  # the receipt
    track(citizen, site, number, code)
    found += problems(citizen)
    shot(citizen, "tracked")

    login = new_page(viewport=DESKTOP)
    login.goto(f"{site}/work/login/")
    found += problems(login)
    intake = staff("intake", viewport=DESKTOP)
    found += problems(intake)  # My work
    for path in ("/work/cases/", "/work/register/", "/work/knowledge/?q=供暖"):
        intake.goto(f"{site}{path}")
        found += problems(intake)
    inquiry = cast.submit(kind=Kind.INQUIRY, subject="供暖补贴", body="怎么申请？").case
    intake.goto(f"{site}/work/cases/{inquiry.number}/")
    intake.click("[data-action=answer]")
    # The form is in place (and the page settled) once its first field has the focus.
    expect(intake.locator("#action-answer textarea[name=note]")).to_be_focused()
    intake.fill("#knowledge-q", "供暖")
    intake.press("#knowledge-q", "Enter")
    expect(intake.locator("#knowledge-results .entry")).to_have_count(1)
    found += problems(intake)  # case page with an action form and the knowledge panel
    shot(intake, "case-page")

    handler = staff("handler", viewport=DESKTOP)
    handler.goto(f"{site}/work/cases/{drive_to(cast, State.IN_PROGRESS).number}/")
    handler.click(".add-files summary")
    found += problems(handler)
    assert found == [], "\n".join(found)


def test_a_citizen_follows_a_case_with_the_keyboard_alone(site, cast, new_page, shot):
    case = cast.submit(subject="井盖缺失", body="人民路井盖丢了。")
    page = new_page()
    page.goto(f"{site}/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()  # the first stop skips the navigation
    page.keyboard.press("Enter")
    for _ in range(30):  # on through the page to the tracking form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_number":
            break
    expect(page.locator("#id_number")).to_be_focused()
    page.keyboard.type(case.case.number)
    page.keyboard.press("Tab")
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type(case.query_code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/track/{case.case.number}/$"))
    shot(page, "tracked-by-keyboard")


def test_staff_take_an_action_with_the_keyboard_alone(site, cast, staff):
    knowledge_clear()
    ReplyTemplate.objects.create(title="补充材料", text="请在五个工作日内补充。")
    case = cast.submit().case
    intake = staff("intake", viewport=DESKTOP)
    intake.goto(f"{site}/work/cases/{case.number}/")
    intake.locator("[data-action=request_info]").focus()
    intake.keyboard.press("Enter")
    expect(intake.locator("#action-request_info #id_note")).to_be_focused()  # form opened
    intake.keyboard.type("请补充照片")
    intake.keyboard.press("Tab")
    expect(intake.locator("#template-note")).to_be_focused()  # the reply template picker
    intake.keyboard.press("ArrowDown")  # choosing with the keyboard inserts the template
    expect(intake.locator("#action-request_info #id_note")).to_have_value(
        "请补充照片\n请在五个工作日内补充。"
    )
    intake.locator("#action-request_info button.primary").focus()
    intake.keyboard.press("Enter")
    expect(intake.locator(f"#case-state.state-{State.NEEDS_INFO}")).to_be_visible()
