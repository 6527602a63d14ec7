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


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; its last screen is saved to test-artifacts/<test>.png for failures."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


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
