"""The pages on a phone-sized screen, and the language switcher."""

import re

from minsheng.cases.models import State
from minsheng.cases.tests.factories import drive_to
from tests.browser.conftest import PHONE
from tests.browser.steps import expect, track

MOBILE = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (it should scroll only down)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_pages_fit_a_phone_screen(site, cast, new_page, staff, shot):
    registered = cast.submit(subject="公交站台破损" * 5, body="站台玻璃碎了，" * 40)
    case = drive_to(cast, State.IN_PROGRESS)
    citizen = new_page(**MOBILE)
    for path in ("/", "/submit/", "/guide/", "/track/"):
        citizen.goto(f"{site}{path}")
        assert overflow(citizen) <= 0, path
    citizen.goto(f"{site}/submit/")
    expect(citizen.locator("#submission-form button[type=submit]")).to_be_visible()
    shot(citizen, "submit-on-phone")
    track(citizen, site, registered.case.number, registered.query_code)
    assert overflow(citizen) <= 0
    shot(citizen, "tracked-on-phone")

    handler = staff("handler", **MOBILE)
    for path in ("/work/", "/work/cases/", f"/work/cases/{case.number}/"):
        handler.goto(f"{site}{path}")
        assert overflow(handler) <= 0, path
    handler.click("[data-action=progress]")  # actions come first on a phone
    expect(handler.locator("#action-progress textarea")).to_be_in_viewport()
    shot(handler, "case-page-on-phone")


def test_language_switch_between_chinese_and_english(site, db, new_page, shot):
    page = new_page()
    page.goto(f"{site}/guide/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("#language-choice", "en")  # changes at once with JavaScript
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("How it works")
    assert page.url == f"{site}/guide/"
    shot(page, "english")

    plain = new_page(java_script_enabled=False)  # without it, the button next to the list
    plain.goto(f"{site}/submit/")
    plain.select_option("#language-choice", "en")
    plain.click("form.language button")
    plain.wait_for_url(re.compile(r"/submit/$"))
    expect(plain.locator("html")).to_have_attribute("lang", "en")
    expect(plain.locator("h1")).to_have_text("Submit a matter")
