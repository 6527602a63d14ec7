"""A real Chromium driven through Playwright, shared by the browser tests.

Playwright's sync API keeps an asyncio event loop in the test thread, so Django would refuse
database access from tests and fixtures unless told that this is deliberate.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests import data_migrations

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 800}
# As a person who asked their system for less motion: Bootstrap then scrolls and fades at once
# instead of animating, so an element does not move between the moment Playwright finds where to
# click and the click (a radio missed that way during a smooth scroll is the flake in
# docs/testing.md).
CONTEXT = {"locale": "zh-CN", "reduced_motion": "reduce"}


@pytest.fixture(scope="session")
def _allow_db_beside_event_loop():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_allow_db_beside_event_loop):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        yield chromium
        chromium.close()


def watch_for_csp_violations(tab) -> list[str]:
    """The browser's reports of anything our Content-Security-Policy blocked on this tab."""
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{tab.url} ({message.location.get('url')}): {message.text[:160]}")

    tab.on("console", on_console)
    return violations


@pytest.fixture
def new_tab(browser, request):
    """Opens tabs in fresh browser contexts (separate cookies, like separate devices). Each tab's
    last screen is saved to test-artifacts/; anything the Content-Security-Policy blocked fails the
    test, since it means part of a page did not work."""
    opened = []

    def open_tab():
        context = browser.new_context(viewport=VIEWPORT, **CONTEXT)
        context.set_default_timeout(10_000)
        tab = context.new_page()
        opened.append((context, tab, watch_for_csp_violations(tab)))
        return tab

    yield open_tab
    ARTIFACTS.mkdir(exist_ok=True)
    for i, (context, tab, _) in enumerate(opened):
        suffix = f"-{i + 1}" if i else ""
        tab.screenshot(path=ARTIFACTS / f"{request.node.name}{suffix}.png", full_page=True)
        context.close()
    blocked = [text for _, _, violations in opened for text in violations]
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def page(new_tab):
    """A fresh browser tab (see new_tab)."""
    return new_tab()


@pytest.fixture
def screenshot(page):
    """Save the tab's current page as test-artifacts/<name>.png."""

    def save(name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    return save


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """Transactional tests flush the database after each test, taking with it the rows that the
    data migration created (default KPIs and template); put them back before each browser test."""
    data_migrations.restore()
