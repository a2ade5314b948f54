"""Supervision in a browser: a supervisor opens the dashboard, clicks a figure, sees its
cases, issues a supervision notice (督办单) to the department; the department head
acknowledges and answers it; the supervisor closes it. A screenshot of every step."""

from minsheng.reports.tests.fixtures import month_build
from tests.browser.steps import expect

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_a_supervisor_supervises_a_case_found_on_the_dashboard(site, cast, staff, shot):
    month = month_build(cast)
    late = month.cases["C"]  # extended, still unanswered, with housing

    supervisor = staff("supervisor", viewport=DESKTOP)
    supervisor.goto(f"{site}/work/stats/?month=2026-11")
    shot(supervisor, "dashboard")
    supervisor.click("[data-figure=extended]")
    supervisor.wait_for_url("**/work/cases/?*outcome=extended*")
    expect(supervisor.locator("table.cases")).to_contain_text(late.number)
    supervisor.check(f"#pick-{late.number}")
    shot(supervisor, "case-selected")
    supervisor.click("button[name=select_for_notice]")
    expect(supervisor.locator("#id_cases")).to_have_value(late.number)
    supervisor.fill("#id_reason", "延期后仍未答复，群众多次来电催问。")
    supervisor.fill("#id_demand", "两个工作日内办结，并书面说明延误原因。")
    shot(supervisor, "notice-form")
    supervisor.click("main form button.primary")
    supervisor.wait_for_url("**/work/supervision/notices/*/")
    expect(supervisor.locator("h1")).to_contain_text("督办单")
    expect(supervisor.locator("main")).to_contain_text("市住房和城乡建设局")
    shot(supervisor, "notice-issued")
    notice_url = supervisor.url

    head = staff("head", viewport=PHONE, is_mobile=True, has_touch=True)
    expect(head.locator("main")).to_contain_text("待签收的督办单")
    head.click("ul.tabs a:has-text('待签收的督办单')")
    head.wait_for_url("**/work/supervision/notices/?tab=notices_to_acknowledge")
    shot(head, "head-notices")
    head.click("table.notices a.number")
    shot(head, "notice-to-acknowledge")
    head.click("#notice-acknowledge button[type=submit]")
    expect(head.locator(".state.notice-acknowledged")).to_be_visible()
    head.fill("#note-answer", "已约谈施工单位，承诺本周内整改完毕。")
    head.click("#notice-answer button[type=submit]")
    expect(head.locator("main")).to_contain_text("已约谈施工单位")
    assert head.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(head, "notice-answered")

    supervisor.goto(notice_url)
    supervisor.click("#notice-close button[type=submit]")
    expect(supervisor.locator(".state.notice-closed")).to_be_visible()
    shot(supervisor, "notice-closed")
    supervisor.goto(f"{site}/work/cases/{late.number}/")
    expect(supervisor.locator("#notices-title + ul")).to_contain_text("已办结")
    shot(supervisor, "case-page-with-notice")
