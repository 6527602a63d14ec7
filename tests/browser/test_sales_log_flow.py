"""A demo salesperson logs the day's activities on the Today page in a real browser, then writes
this week's report from the log: the numbers and work-review lines come from the log, one number
is adjusted by hand, and the report is submitted.

Checks what only a browser runs together: htmx swapping in a fresh form with the cursor back in
the customer field after each entry (Enter saves), the week list refreshed beside it, and the
fill button posting the whole report form before filling it.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from customers.models import Activity
from reports.models import KpiValue, WeeklyReport
from teams.models import User
from tests import demo_data
from tests.browser.test_report_flow import log_in, open_this_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def salesperson(live_server):
    demo_data.seed()
    return User.objects.get(username="zhangwei")


def log_entry(page: Page, *, customer: str, kind: str, outcome: str, amount: str = "") -> None:
    """Type one line of the log the way a hurried user does: customer, type, outcome, Enter."""
    # Enter before htmx has loaded posts the whole page (saved all the same, with a message):
    # this test is about the htmx swap.
    page.wait_for_load_state()
    field = page.locator("#entry-form [name=customer]")
    expect(field).to_be_focused()
    field.fill(customer)
    page.select_option("#id_kind", kind)
    if amount:
        page.fill("#id_amount", amount)
    page.fill("#id_outcome", outcome)
    page.press("#id_outcome", "Enter")
    expect(page.locator("#logged")).to_contain_text(customer)
    expect(page.locator("#log-week")).to_contain_text(outcome)


def test_salesperson_logs_the_day_and_writes_the_report_from_the_log(live_server, salesperson, page, screenshot):
    log_in(page, live_server, "zhangwei")
    page.click("#nav-sales-log")
    expect(page.locator("h1")).to_have_text("销售日志")
    known = page.locator("#own-customers option").first.get_attribute("value")
    before = int(page.locator("#log-week [data-entry-count]").inner_text().split()[0])
    screenshot("log-1-today")

    log_entry(page, customer="杭州阿里巴巴网络技术有限公司", kind="visit", outcome="初次拜访，了解采购流程")
    log_entry(page, customer=known, kind="call", outcome="电话确认合同条款")
    log_entry(page, customer=known, kind="contract", outcome="签订年度合同", amount="88,000")
    expect(page.locator("#log-week [data-entry-count]")).to_contain_text(str(before + 3))
    # A bad line is refused in place and keeps what was typed.
    page.fill("#entry-form [name=customer]", known)
    page.select_option("#id_kind", "payment")
    page.fill("#id_outcome", "客户说下周付")
    page.press("#id_outcome", "Enter")
    expect(page.locator("#id_amount_errors")).to_contain_text("请填写签约或回款的金额")
    expect(page.locator("#id_outcome")).to_have_value("客户说下周付")
    screenshot("log-2-three-entries")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("log-3-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # From the log to this week's report.
    page.click("#open-report")
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit/$"))
    report = open_this_week(page, live_server)
    page.click("#fill-from-log")
    expect(page.locator(".alert-success")).to_contain_text("已从销售日志填写")
    visits = report.kpi_values.get(kpi__code="visits")
    calls = report.kpi_values.get(kpi__code="calls")
    logged_calls = Activity.objects.filter(author=salesperson, kind="call", occurred_on__gte=report.week_start).count()
    expect(page.locator(f"#id_kpi_{calls.kpi_id}")).to_have_value(str(logged_calls))
    expect(page.locator("#id_summary")).to_have_value(re.compile(r"杭州阿里巴巴网络技术有限公司\*\*：拜访（初次拜访"))
    expect(page.locator("[data-from-log]")).to_have_count(6)
    screenshot("log-4-filled-report")

    # One number adjusted by hand; the rest of the report completed and submitted.
    page.fill(f"#id_kpi_{calls.kpi_id}", str(logged_calls + 2))
    for radio in page.locator("#section-review input[type=radio][value=done]").all():
        radio.check()
    page.fill("#id_plan-0-item", "跟进阿里巴巴报价")
    page.click("#submit-report")
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    screenshot("log-5-submitted")

    report = WeeklyReport.objects.get(pk=report.pk)
    assert report.status == WeeklyReport.Status.SUBMITTED
    calls, visits = KpiValue.objects.get(pk=calls.pk), KpiValue.objects.get(pk=visits.pk)
    assert (calls.actual, calls.is_from_log) == (logged_calls + 2, False)
    assert visits.is_from_log
    assert report.kpi_values.get(kpi__code="sales_amount").actual >= 88000
    # The week's log is now fixed: the entry typed above can no longer be removed.
    page.goto(live_server.url + "/log/")
    expect(page.locator("#log-week")).to_contain_text("本周周报已提交")


def test_removing_an_entry_asks_first_and_cancel_keeps_it(live_server, salesperson, page):
    """Every row's Remove button submits the page's one removal form: the question comes from the
    button, and the week kept in the cache follows the removal at once."""
    log_in(page, live_server, "zhangwei")
    page.click("#nav-sales-log")
    known = page.locator("#own-customers option").first.get_attribute("value")
    log_entry(page, customer=known, kind="call", outcome="记错了的电话")
    row = page.locator("[data-activity]", has_text="记错了的电话")
    count = page.locator("#log-week [data-entry-count]")
    before = int(count.inner_text().split()[0])

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name=re.compile("删除")).click()
    expect(row).to_be_visible()
    assert questions == ["要从销售日志中删除这条记录吗？"]

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("删除")).click()
    expect(page.locator(".alert-success")).to_contain_text("已删除：")
    expect(row).to_have_count(0)
    expect(count).to_contain_text(str(before - 1))
    assert not Activity.objects.filter(author=salesperson, outcome="记错了的电话").exists()
