"""A demo manager looks for a customer from the search box in the navigation and opens the report
from the result. Seeds the demo (whose reports, feedback and comments name customers), so it takes
several seconds."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests import demo_data
from tests.browser.test_report_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_searches_for_a_customer_and_opens_the_report(live_server, browser, page: Page, screenshot):
    demo_data.seed()
    log_in(page, live_server, "liqiang")

    page.fill("#nav-search-q", "宁德时代")
    page.press("#nav-search-q", "Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    results = page.locator("#search-results > li[data-report]")
    expect(results.first).to_be_visible()
    expect(results.first.locator("mark").first).to_have_text("宁德时代")
    expect(page.locator("#nav-search-q")).to_have_value("宁德时代")
    screenshot("search-1-results")

    report_id = results.first.get_attribute("data-report")
    results.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/reports/{report_id}/$"))
    expect(page.locator("main")).to_contain_text("宁德时代")
    screenshot("search-2-report")
