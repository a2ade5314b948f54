"""The statistics dashboard in a browser: a supervisor opens it on a desktop and on a
phone, in Chinese and in English, clicks a figure and sees exactly its cases."""

from minsheng.reports.tests.fixtures import month_build
from tests.browser.conftest import SCREENSHOTS
from tests.browser.steps import expect

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_supervisor_clicks_a_figure_and_sees_its_cases(
    site, cast, staff, new_page, shot, reseed, settings
):
    reseed("minsheng.reports.migrations.0002_seed_evaluation_weights")
    month = month_build(cast)
    extended, others = month.cases["C"].number, month.numbers(*"ABDEFGH")

    desk = staff("supervisor", viewport=DESKTOP)
    desk.goto(f"{site}/work/stats/?month=2026-11")
    expect(desk.locator("#figure-volume .value a")).to_have_text("8")
    expect(desk.locator("#chart-kind svg")).to_be_visible()  # ECharts drew it
    expect(desk.locator("#chart-period svg")).to_be_visible()
    shot(desk, "dashboard-1366-zh")
    desk.screenshot(path=str(SCREENSHOTS / "statistics-dashboard-1366-zh-first-screen.png"))
    desk.click("[data-figure=extended]")
    desk.wait_for_url("**/work/cases/?*outcome=extended*")
    expect(desk.locator("table.cases")).to_contain_text(extended)
    for number in others:
        expect(desk.locator("table.cases")).not_to_contain_text(number)
    shot(desk, "extended-cases-1366-zh")
    desk.goto(f"{site}/work/stats/evaluation/?month=2026-11")
    expect(desk.locator("#ranking tbody tr").first).to_contain_text("市住房和城乡建设局")
    shot(desk, "evaluation-1366-zh")
    # The monthly report is made in the background (here the task runs at once).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    desk.goto(f"{site}/work/stats/?month=2026-11")
    desk.click("#monthly-report-pdf")
    desk.wait_for_url("**/work/exports/*/")
    expect(desk.locator("h1")).to_have_text("月报 2026-11")
    expect(desk.locator("#export-download")).to_have_text("下载 PDF")
    shot(desk, "monthly-report-ready-1366-zh")

    phone = staff("supervisor", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.select_option("#language-choice", "en")  # changes at once with JavaScript
    phone.wait_for_load_state()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.goto(f"{site}/work/stats/?month=2026-11")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#breakdown-kind")).to_have_text("By kind")
    expect(phone.locator("#chart-channel svg")).to_be_visible()
    assert overflow(phone) <= 0
    shot(phone, "dashboard-390-en")
    phone.screenshot(path=str(SCREENSHOTS / "statistics-dashboard-390-en-first-screen.png"))
    # The table beside the "by kind" chart: the inquiries of November.
    kinds = phone.locator("section.breakdown", has=phone.locator("#chart-kind"))
    kinds.locator("tr", has_text="Inquiry").locator("td a").first.click()
    phone.wait_for_url("**/work/cases/?*kind=inquiry*")
    expect(phone.locator("table.cases")).to_contain_text(month.cases["F"].number)
    expect(phone.locator("table.cases")).not_to_contain_text(month.cases["A"].number)
    assert overflow(phone) <= 0
    shot(phone, "inquiry-cases-390-en")

    public = new_page(viewport=PHONE)
    public.goto(f"{site}/open/?month=2026-11")
    expect(public.locator("#open-total")).to_have_text("8")
    assert overflow(public) <= 0
    shot(public, "open-figures-390-zh")

    handler = staff("handler", viewport=DESKTOP)
    response = handler.goto(f"{site}/work/stats/")
    assert response.status == 403
