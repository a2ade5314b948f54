"""The Content-Security-Policy in a real browser: every page's scripts and styles come from
our static files, so the strict policy (no 'unsafe-inline') blocks nothing we need: the
login page, the submission form, a case page, the statistics dashboard with its ECharts
charts (hovered, so their tooltips draw), the second-factor enrolment page and the admin."""

from minsheng.cases.tests.factories import PASSWORD
from minsheng.reports.tests.fixtures import month_build
from tests.browser.steps import expect

DESKTOP = {"width": 1366, "height": 900}

# Collects every violation the page reports (added by the browser, not by the page, so the
# policy does not apply to it).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def _watched(page):
    messages: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return messages


def _violations(page, messages) -> list[str]:
    return [*page.evaluate("window.__cspViolations || []"), *messages]


def test_pages_raise_no_csp_violation(site, cast, new_page, reseed):
    reseed("minsheng.reports.migrations.0002_seed_evaluation_weights")
    month = month_build(cast)
    number = month.cases["A"].number

    public = new_page(viewport=DESKTOP)
    public_messages = _watched(public)
    response = public.goto(f"{site}/work/login/")
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy
    public.goto(f"{site}/submit/")
    public.fill("#id_subject", "着火了")  # htmx asks for the emergency notice
    public.goto(f"{site}/track/")
    assert _violations(public, public_messages) == []

    page = new_page(viewport=DESKTOP)
    messages = _watched(page)
    page.goto(f"{site}/work/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/work/")
    page.goto(f"{site}/work/cases/{number}/")
    expect(page.locator("h1")).to_contain_text(number)
    page.goto(f"{site}/work/stats/?month=2026-11")
    expect(page.locator("#chart-kind svg")).to_be_visible()  # ECharts drew it
    # Hover along the chart until ECharts shows its tooltip (HTML it builds at run time).
    box = page.locator("#chart-kind").bounding_box()
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] / 2)
        page.wait_for_timeout(100)
    tooltip_text = page.evaluate(
        "[...document.querySelectorAll('#chart-kind div')].map(d => d.innerText).join(' ')"
    )
    assert tooltip_text.strip(), "the chart's tooltip was shown"
    page.goto(f"{site}/work/account/second-factor/")
    expect(page.locator(".qr-code svg")).to_be_visible()
    assert _violations(page, messages) == []

    admin = new_page(viewport=DESKTOP)
    admin_messages = _watched(admin)
    admin.goto(f"{site}/admin/login/")
    admin.fill("#id_username", "admin")
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.wait_for_url(f"{site}/admin/")
    admin.goto(f"{site}/admin/cases/case/")
    admin.goto(f"{site}/admin/accounts/user/{cast.handler.pk}/change/")
    assert _violations(admin, admin_messages) == []
