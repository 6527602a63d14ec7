"""A demo salesperson writes and submits this week's report in a real browser.

The one place that checks the parts only a browser runs together: htmx autosave carrying the new
version back into the page, the live achievement rate and the added rows from report-form.js,
and the no-JavaScript submit underneath. The 3-second typing delay before an autosave runs on the
page's clock, fast-forwarded (Playwright's clock), so the tests do not wait it out.
"""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from reports import services
from reports.models import KPI, WeeklyReport
from teams.models import User
from teams.services import current_membership
from tests import demo_data
from tests.reports.test_services import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-2026"


@pytest.fixture
def salesperson(live_server):
    """zhangwei of the demo, whose last report planned items for this week, with a sales target
    of 50,000 this week."""
    demo_data.seed()
    member = User.objects.get(username="zhangwei")
    this_week = services.current_week_start(services.settings_for(current_membership(member).team))
    last = WeeklyReport.objects.filter(author=member, week_start__lt=this_week).order_by("-week_start").first()
    if last is None or not last.plan_items.exists():  # the demo may leave this one's last week out
        last = services.open_report(author=member, week_start=this_week - datetime.timedelta(days=7))
        services.save_draft(
            report=last,
            editor=member,
            base_version=last.version,
            data={
                "summary": "上周总结",
                "plan": [{"item": "拜访阿里巴巴杭州总部", "customer": "阿里巴巴", "due_on": None}],
            },
        )
    services.set_targets(
        actor=User.objects.get(username="liqiang"),
        member=member,
        week_start=this_week,
        values={KPI.objects.get(code="sales_amount"): Decimal(50000)},
    )
    return member


def log_in(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(live_server.url + "/")


def open_this_week(page: Page, live_server) -> WeeklyReport:
    page.goto(live_server.url + "/reports/this-week/")
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit/$"))
    return WeeklyReport.objects.get(pk=re.search(r"/reports/(\d+)/edit/$", page.url).group(1))


def test_salesperson_writes_autosaves_and_submits_this_weeks_report(live_server, salesperson, page, screenshot):
    log_in(page, live_server, "zhangwei")
    # Read everything needed up front: SQLite's test database refuses reads in this thread while
    # the live server writes an autosave ("table is locked").
    report = open_this_week(page, live_server)
    sales = KPI.objects.get(code="sales_amount")
    kpi_ids = list(report.kpi_values.values_list("kpi_id", flat=True))
    reviews = list(report.plan_reviews.all())
    edit_url = page.url
    status = page.locator("#autosave-status")

    # Last week's plan comes back to be answered.
    assert reviews
    for review in reviews:
        expect(page.locator("#section-review")).to_contain_text(review.item_text)
    screenshot("report-1-opened")

    # Typing is saved on its own once the 3-second typing delay is over (fast-forwarded on the
    # page's clock), and survives a reload.
    page.clock.install()
    page.fill("#id_summary", "本周拜访客户五家，签约一单。")
    page.clock.fast_forward(3000)
    expect(status).to_have_attribute("data-state", "saved")
    assert WeeklyReport.objects.get(pk=report.pk).summary == "本周拜访客户五家，签约一单。"
    screenshot("report-2-autosaved")
    page.reload()
    expect(page.locator("#id_summary")).to_have_value("本周拜访客户五家，签约一单。")

    # KPI actuals: the achievement rate follows the typing.
    for kpi_id in kpi_ids:
        page.fill(f"#id_kpi_{kpi_id}", "40000" if kpi_id == sales.pk else "3")
    expect(page.locator(f"tr:has(#id_kpi_{sales.pk}) [data-kpi-rate]")).to_have_text("80%")

    # The carried items are answered and next week's plan gets two rows.
    for review in reviews:
        page.check(f"#id_plan_review_{review.pk}_0")  # done
    page.fill("#id_plan-0-item", "签订阿里巴巴合同")
    page.fill("#id_plan-0-customer", "阿里巴巴")
    page.click("#section-plan [data-add-row]")
    page.fill("#id_plan-1-item", "回访网易")
    page.fill("#id_plan-1-due_on", "2030-01-10")
    screenshot("report-3-filled")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("report-4-phone")

    # Submitting waits for a save in flight, then the report is frozen.
    page.click("#submit-report")
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert [p.item for p in report.plan_items.all()] == ["签订阿里巴巴合同", "回访网易"]
    assert {r.outcome for r in report.plan_reviews.all()} == {"done"}
    assert report.kpi_values.get(kpi=sales).actual == Decimal(40000)
    screenshot("report-5-submitted")
    assert page.goto(edit_url).status == 403


def test_autosave_shows_errors_in_place_and_stops_at_a_conflict(live_server, salesperson, page, screenshot):
    # Leaving a field (Tab) saves at once; the check that autosave has stopped fast-forwards the
    # page's clock past the 3-second typing delay.
    log_in(page, live_server, "zhangwei")
    report = open_this_week(page, live_server)
    status = page.locator("#autosave-status")
    sales = KPI.objects.get(code="sales_amount")

    # A negative number is refused next to its field; the text typed stays.
    page.fill(f"#id_kpi_{sales.pk}", "-5")
    page.press(f"#id_kpi_{sales.pk}", "Tab")
    expect(status).to_have_attribute("data-state", "invalid")
    expect(page.locator(f"#id_kpi_{sales.pk}_errors")).not_to_be_empty()
    expect(page.locator(f"#id_kpi_{sales.pk}")).to_have_class(re.compile(r"\bis-invalid\b"))
    page.fill(f"#id_kpi_{sales.pk}", "5")
    page.press(f"#id_kpi_{sales.pk}", "Tab")
    expect(status).to_have_attribute("data-state", "saved")
    expect(page.locator(f"#id_kpi_{sales.pk}_errors")).to_be_empty()
    expect(page.locator(f"#id_kpi_{sales.pk}")).not_to_have_class(re.compile(r"\bis-invalid\b"))

    # Another tab saves meanwhile: this page's next save is refused and kept, and autosave stops.
    report.refresh_from_db()
    services.save_draft(
        report=report, editor=salesperson, base_version=report.version, data={"summary": "saved in another tab"}
    )
    page.fill("#id_summary", "typed here")
    page.press("#id_summary", "Tab")
    expect(status).to_have_attribute("data-state", "conflict")
    screenshot("report-5-conflict-warning")
    page.clock.install()
    page.fill("#id_summary", "typed here, and more")
    page.clock.fast_forward(3500)  # past the autosave delay on the page's clock: nothing more is sent
    page.wait_for_timeout(500)  # (what would have been sent has time to arrive)
    assert report.conflicts.count() == 1

    # Following the warning keeps even what was typed after the refusal.
    page.click("#autosave-status a")
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/conflicts/\d+/$"))
    expect(page.locator("#conflict-table")).to_contain_text("saved in another tab")
    expect(page.locator("#conflict-table")).to_contain_text("typed here, and more")
    screenshot("report-6-conflict")
    page.click("form[action$='/keep/'] button")
    expect(page.locator("#id_summary")).to_have_value("typed here, and more")


def test_a_kpi_of_nine_digits_fits_on_a_phone_and_shows_separators_once_left(live_server, salesperson, page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "zhangwei")
    report = open_this_week(page, live_server)
    sales = KPI.objects.get(code="sales_amount")
    field = page.locator(f"#id_kpi_{sales.pk}")
    field.fill("145000000")
    page.press(f"#id_kpi_{sales.pk}", "Tab")
    expect(field).to_have_value("145,000,000")
    # Every digit is visible: the text is no wider than the box.
    assert field.evaluate("input => input.scrollWidth <= input.clientWidth")
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    assert report.kpi_values.get(kpi=sales).actual == Decimal(145000000)  # stored as a plain number
    field.focus()
    expect(field).to_have_value("145000000")  # plain again while editing


@pytest.mark.parametrize("button", ["#submit-report", "#fill-from-log"])
def test_an_autosave_waiting_while_a_button_has_focus_only_saves(live_server, salesperson, page, button):
    # A save is slow to come back; meanwhile the text changes again and focus moves on to "Submit"
    # (or "Fill from my sales log"). The save that was waiting goes out then: it saves the text and
    # does nothing that button does.
    log_in(page, live_server, "zhangwei")
    report = fill(open_this_week(page, live_server))  # complete: it could be submitted
    page.reload()
    held = []

    def hold(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/autosave/", hold)
    page.fill("#id_summary", "第一稿")
    page.press("#id_summary", "Tab")  # the first save goes out and is held back
    page.wait_for_timeout(300)
    assert len(held) == 1
    page.fill("#id_summary", "第二稿")
    page.focus(button)  # the second save waits for the first
    held[0].continue_()
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    page.wait_for_timeout(300)  # (the second save has time to arrive)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.DRAFT
    assert report.summary == "第二稿"
    assert not report.kpi_values.filter(is_from_log=True).exists()
