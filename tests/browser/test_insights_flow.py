"""The demo director compares the teams, drills into one team and one member, and takes the
numbers into Excel, in a real browser. Seeds the demo, so it takes several seconds."""

import datetime
import io
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import demo_data
from tests.browser.test_report_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_compares_teams_drills_down_and_downloads_the_xlsx(live_server, page: Page, screenshot):
    demo_data.seed()
    today = timezone.localdate()
    # The demo's last weeks, whatever day the test runs on.
    period = f"period=custom&start={today - datetime.timedelta(days=35):%Y-%m-%d}&end={today:%Y-%m-%d}"
    log_in(page, live_server, "zhaoming")

    page.click("text=数据看板")
    expect(page.locator("h1")).to_contain_text("数据看板")
    page.goto(page.url.split("?")[0] + "?" + period)
    page.click("text=对比下属团队")
    expect(page.locator("#comparison")).to_be_visible()
    expect(page.locator("#comparison thead")).to_contain_text("华东大区")
    screenshot("insights-1-compare")

    # Into one region, then its teams, then one team's dashboard.
    page.click("#comparison thead a:has-text('华东大区')")
    page.click("text=对比下属团队")
    page.click("#comparison thead a:has-text('上海一组')")
    expect(page.locator("h1")).to_contain_text("上海一组")
    expect(page.locator("#totals")).to_contain_text("销售额")
    members = page.locator("#members tbody tr")
    expect(members.first).to_be_visible()
    screenshot("insights-2-team")

    # Into one member.
    name = members.first.locator("th a").inner_text()
    members.first.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("#submissions")).to_be_visible()
    screenshot("insights-3-member")

    # Back to the team and into Excel.
    page.go_back()
    page.select_option("#export-form select[name=file_format]", "xlsx")
    page.click("#export-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/documents/\d+/$"))
    with page.expect_download() as download:
        page.click("#download")
    content = open(download.value.path(), "rb").read()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("成员", "用户名", "团队")
    assert len(rows) > 10 and all(row[2] == "上海一组" for row in rows[1:])
    assert any(isinstance(row[10], (int, float)) for row in rows[1:])
