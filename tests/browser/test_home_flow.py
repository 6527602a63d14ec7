"""A salesperson's home shows their week and a report that came back; a manager narrows the
review queue to one member by name. Real browser, the test cast (no demo seed: faster)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reports import services as report_services
from reviews import services as review_services
from teams.services import current_membership
from tests.browser import test_report_flow as report_flow
from tests.reviews.test_pages import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's


def log_in(page: Page, live_server, username: str) -> None:
    report_flow.log_in(page, live_server, username, PASSWORD)


@pytest.fixture
def last_week(rep, other_rep, lead):
    team_settings = report_services.settings_for(current_membership(rep).team)
    week = report_services.current_week_start(team_settings) - datetime.timedelta(days=7)
    now = timezone.now()
    returned = submitted(rep, now, week=week)
    submitted(other_rep, now, week=week)
    review_services.return_for_revision(report=returned, reviewer=lead, reason="请补充宁德时代的报价")
    report_services.open_report(author=rep, week_start=week + datetime.timedelta(days=7))
    return week


def test_a_salesperson_sees_their_week_and_a_returned_report(live_server, last_week, page: Page, screenshot):
    log_in(page, live_server, "rep")
    expect(page.locator("#home-week [data-state]")).to_have_attribute("data-state", "draft")
    expect(page.locator("#home-week")).to_contain_text("Asia/Shanghai")
    expect(page.locator('#home-returned [data-count="returned"]')).to_have_text("1")
    expect(page.locator("#home-returned [data-return-reason]")).to_contain_text("请补充宁德时代的报价")
    screenshot("home-salesperson")
    page.locator("#home-returned a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit/$"))
    expect(page.locator("main")).to_contain_text("请补充宁德时代的报价")


def test_a_manager_filters_the_queue_by_member_name(live_server, last_week, page: Page, screenshot):
    log_in(page, live_server, "lead")
    expect(page.locator('#home-waiting [data-count="waiting"]')).to_have_text("1")
    page.locator(f'#home-waiting a[data-week="{last_week:%Y-%m-%d}"]').click()
    expect(page.locator("#group-awaiting tbody tr")).to_have_count(1)
    page.fill("#id_member", "王芳")
    page.click("#queue-filter button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/reviews/?week={last_week:%Y-%m-%d}&member=%E7%8E%8B%E8%8A%B3&state=")
    expect(page.locator("#group-awaiting")).to_contain_text("王芳")
    expect(page.locator("#group-returned")).not_to_contain_text("张伟")
    screenshot("home-manager-queue-filtered")
