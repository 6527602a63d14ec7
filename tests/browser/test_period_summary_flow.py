"""A demo salesperson writes and submits this month's summary in a real browser, and their
manager reviews it with four-part feedback from the summaries queue.

Checks what only a browser runs together: the weekly report's autosave script on the summary
form (the saved version carried back into the page), the added plan row, and the loop from
submission through review to the feedback on the author's page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from notifications.models import Notification
from periodsummaries.models import PeriodSummary
from tests import demo_data
from tests.browser.test_report_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_submits_a_monthly_summary_and_the_manager_reviews_it(live_server, new_tab):
    demo_data.seed()
    page: Page = new_tab()
    log_in(page, live_server, "zhangwei")
    page.click("#nav-period-summaries")
    page.select_option("#id_level", "member")
    page.select_option("#id_period", "month")
    page.fill("#id_day", timezone.localdate().isoformat())
    page.click("#start-summary button[type=submit]")
    expect(page).to_have_url(re.compile(r"/period-summaries/\d+/edit/$"))
    summary = PeriodSummary.objects.get(pk=re.search(r"/(\d+)/edit/$", page.url).group(1))
    expect(page.locator("[data-prefilled-value]").first).to_be_visible()

    # Autosave stores the overview and carries the new version back into the form (the 3-second
    # typing delay fast-forwarded on the page's clock).
    page.wait_for_load_state()  # the form's script counts typing once it has loaded
    page.clock.install()
    page.fill("#id_overview", "本月重点推进华为项目，销售额接近目标。")
    page.clock.fast_forward(3000)
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    summary.refresh_from_db()
    assert summary.overview == "本月重点推进华为项目，销售额接近目标。"
    assert page.input_value("#id_base_version") == str(summary.version)

    # Every figure gets a value and a cause; the plan gets one action with owner, date, measure.
    for actual in page.locator("input[data-kpi-actual]").all():
        if not actual.input_value():
            actual.fill("0")
    for cause in page.locator("input[id^=id_cause_]").all():
        cause.fill("华为项目延期到下月")
    # Last month's plan (from the demo's summary) comes back as a checklist to answer.
    checklist = page.locator("#section-checklist fieldset")
    expect(checklist.first).to_be_visible()
    for item in checklist.all():
        item.locator("input[value=partly]").check()
        item.locator("input[type=text]").fill("二期方案已交，待客户确认")
    page.fill("#id_lessons", "先约技术交流再报价，成交更快。")
    page.fill("#id_plan-0-item", "拿下华为二期项目")
    page.fill("#id_plan-0-owner", "张伟")
    page.fill("#id_plan-0-measure", "签约50万")
    page.click("#submit-summary")
    expect(page).to_have_url(re.compile(rf"/period-summaries/{summary.pk}/$"))
    expect(page.locator("#section-plan")).to_contain_text("拿下华为二期项目")
    summary.refresh_from_db()
    assert summary.status == PeriodSummary.Status.SUBMITTED

    # The manager finds it in the summaries queue and gives feedback in four parts.
    manager = new_tab()
    log_in(manager, live_server, "liqiang")
    manager.goto(live_server.url + "/period-summaries/review/")
    manager.locator("#group-awaiting li", has_text="张伟").get_by_role("link").first.click()
    expect(manager).to_have_url(re.compile(rf"/period-summaries/{summary.pk}/review/$"))
    manager.fill("#id_praise", "数据和原因都写清楚了。")
    manager.fill("#id_problems", "新客户开发偏少。")
    manager.fill("#id_suggestions", "华为二期提前准备商务方案。")
    manager.fill("#id_goals", "下月新增三家客户")
    manager.click("#feedback-form button[type=submit]")
    expect(manager).to_have_url(re.compile(r"/period-summaries/review/$"))
    summary.refresh_from_db()
    assert summary.status == PeriodSummary.Status.REVIEWED

    # The salesperson is told and reads the feedback on the summary's page.
    assert Notification.objects.filter(recipient=summary.author, kind=Notification.Kind.PERIOD_FEEDBACK).exists()
    page.goto(live_server.url + summary.get_absolute_url())
    expect(page.locator("#summary-feedback")).to_contain_text("数据和原因都写清楚了。")
    expect(page.locator("#summary-feedback")).to_contain_text("下月新增三家客户")
