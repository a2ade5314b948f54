"""Browser journeys: a real Chromium against pytest-django's live server.

Needs the `playwright` Python package and a system Chromium at /usr/bin/chromium
(`apt-get install -y chromium`); the tests skip, saying so, when either is missing. The
Playwright browser downloads are never used. Screenshots of every step go to
artifacts/screenshots/.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minsheng.cases.tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000
PHONE = {"width": 375, "height": 740}  # the default: every journey also proves the phone layout
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("No Chromium at /usr/bin/chromium: run `apt-get install -y chromium`.")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an event loop on this thread; Django would then refuse the
    # tests' own (synchronous) ORM calls. They are synchronous, so the check does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Generous waits: CI runs these beside the rest of the suite on two cores.
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, settings, tmp_path) -> str:
    """The live server's address, with uploads kept in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server.url


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (one per person), closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**{"locale": "zh-CN", "viewport": PHONE, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request) -> Callable[[Any, str], None]:
    """Save a full-page screenshot named after the test and the step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^\w-]", "_", request.node.name)
    steps = iter(range(1, 1000))

    def take(page: Any, step: str) -> None:
        path = SCREENSHOTS / f"{test}-{next(steps):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)

    return take


@pytest.fixture
def staff(new_page, site) -> Callable[[str], Any]:
    """A logged-in workbench page for one of the cast (see `cases.tests.factories`)."""

    def login(username: str, **options: Any) -> Any:
        page = new_page(**options)
        page.goto(f"{site}/work/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/work/")
        return page

    return login
