"""Steps the browser journeys share: submit on the portal, act on the case page, track."""

import re

import pytest

from minsheng.deadlines.models import Kind

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

SCRIPT = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def submit_matter(page, site, *, subject, body, files=(), anonymous=False, emergency="", shot=None):
    """Fill in and send the public form; returns (number, query code) from the receipt.
    With `emergency`, wait for the notice with that number to appear while typing."""
    page.goto(f"{site}/submit/")
    page.select_option("#id_kind", Kind.COMPLAINT)
    page.fill("#id_subject", subject)
    page.fill("#id_body", body)
    page.fill("#id_location", "幸福路12号")
    if emergency:
        expect(page.locator(f"#emergency a[href='tel:{emergency}']")).to_be_visible()
    if anonymous:
        page.check("input[name=identity][value=anonymous]")
        expect(page.locator("#id_name")).to_be_hidden()
    else:
        page.fill("#id_name", "张伟")
        page.fill("#id_phone", "13812345678")
    if files:
        page.set_input_files("#id_evidence", list(files))
    page.check("#id_consent")
    if shot is not None:
        shot(page, "form-filled")
    page.click("#submission-form button[type=submit]")
    page.wait_for_url(re.compile(r"/receipt/$"))
    return page.inner_text("#case-number"), page.inner_text("#query-code")


def take_action(page, action, fields=None, *, state, open_form=True):
    """Open an action's form on the case page, fill it, confirm, and wait for the new state."""
    if open_form:
        page.click(f"[data-action={action}]")
    form = page.locator(f"#action-{action}")
    for selector, value in (fields or {}).items():
        if selector.startswith("select:"):
            form.locator(selector.removeprefix("select:")).select_option(value)
        else:
            form.locator(selector).fill(value)
    form.locator("button.primary").click()
    expect(form).to_have_count(0)  # the refreshed case panel replaced the form
    expect(page.locator(f"#case-state.state-{state}")).to_be_visible()


def track(page, site, number, code):
    page.goto(f"{site}/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/track/{number}/")


def knowledge_clear():
    """Start without the reply templates and answers the migrations seed (a transactional
    test may run before or after the database is flushed, so they may or may not be there)."""
    from minsheng.knowledge.models import PolicyEntry, ReplyTemplate

    PolicyEntry.objects.all().delete()
    ReplyTemplate.objects.all().delete()
