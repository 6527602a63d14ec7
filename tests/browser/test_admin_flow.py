"""The demo admin builds a team and staffs it in a real browser, then switches languages.

Each test seeds the demo and drives Chromium, so each takes a few seconds: this is the one place
that checks login, navigation, forms and the language switch together as a person uses them.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from teams.models import Team
from tests import demo_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-2026"


@pytest.fixture
def demo(live_server):
    demo_data.seed()
    return live_server


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")


def test_admin_creates_a_team_adds_a_member_and_switches_language(demo, page, screenshot):
    log_in(page, demo, "admin")
    screenshot("admin-1-home")

    page.click('nav a.nav-link[href="/teams/"]')
    expect(page.locator("main")).to_contain_text("上海一组")
    page.click('main a[href="/teams/new/"]')
    region = Team.objects.get(name="上海一组").parent
    page.fill("#id_name", "上海二组")
    page.select_option("#id_kind", "team")
    page.select_option("#id_parent", str(region.pk))
    screenshot("admin-2-new-team")
    page.click("main form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/teams/\d+/$"))
    team = Team.objects.get(name="上海二组", parent=region)
    expect(page.locator("h1")).to_contain_text("上海二组")
    page.click(f'main a[href="/members/new/?team={team.pk}"]')
    page.fill("#id_display_name", "钱多多")
    page.fill("#id_email", "qianduoduo@demo.example.com")
    page.fill("#id_username", "qianduoduo")
    page.fill("#id_position", "销售代表")
    page.uncheck("#id_send_invitation")
    screenshot("admin-3-add-member")
    page.click("main form button[type=submit]")

    expect(page).to_have_url(re.compile(r"/members/\d+/$"))
    page.goto(demo.url + team.get_absolute_url())
    expect(page.locator("#current-members")).to_contain_text("钱多多")
    screenshot("admin-4-team-with-member")

    teams_link = page.locator('nav a.nav-link[href="/teams/"]')
    page.click('#language-switch button[value="en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(teams_link).to_have_text("Teams")
    screenshot("admin-5-english")

    page.click('#language-switch button[value="zh-hans"]')
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    if list(Path(settings.BASE_DIR, "locale").glob("zh_Hans/LC_MESSAGES/django.mo")):
        expect(teams_link).not_to_have_text("Teams")
    expect(page.locator("#current-members")).to_contain_text("钱多多")
    screenshot("admin-6-chinese")


def test_manager_home_page_leads_to_the_team_and_its_targets(demo, page, screenshot):
    log_in(page, demo, "liqiang")
    expect(page.locator("main")).to_contain_text("上海一组")
    screenshot("manager-home")
    page.click(".page-header a:has-text('上海一组')")
    expect(page.locator("#current-members")).to_contain_text("张伟")
    page.click("a[href$='/targets/']")
    expect(page.locator("h1")).to_contain_text("上海一组")
