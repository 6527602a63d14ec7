"""Issue 20's "done when", in a real browser: the demo salesperson moves an opportunity through
two stages this week from the Today page's one-line entry, the weekly report shows the pipeline
changes (and autosaves the comment on them), the manager sees them beside the KPIs on the review
page, and the director sees the quarter's forecast against target."""

import re

import pytest
from playwright.sync_api import Page, expect

from pipeline.models import Opportunity, Stage
from reports import services as report_services
from reports.models import WeeklyReport
from teams.models import User
from tests import demo_data
from tests.browser.test_report_flow import log_in, open_this_week
from tests.reports.test_services import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def salesperson(live_server):
    demo_data.seed()
    return User.objects.get(username="zhangwei")


def log_move(page: Page, *, customer: str, kind: str, opportunity: int, stage: Stage) -> None:
    page.fill("#entry-form [name=customer]", customer)
    page.select_option("#id_kind", kind)
    page.fill("#id_outcome", "推进商机")
    page.select_option("#id_opportunity", str(opportunity))
    page.select_option("#id_stage", str(stage.pk))
    page.click("#log-submit")
    # The fresh form lists the opportunity at its new stage.
    expect(page.locator(f"#id_opportunity option[value='{opportunity}']")).to_contain_text(f"({stage.name})")


def test_a_deal_moves_twice_and_the_report_the_review_and_the_forecast_show_it(
    live_server, salesperson, new_tab, screenshot
):
    deal = (
        Opportunity.objects.filter(customer__owner=salesperson, stage__name="需求确认")
        .select_related("customer")
        .first()
    )
    quote, negotiation = Stage.objects.get(name="方案报价"), Stage.objects.get(name="商务谈判")
    page = new_tab()
    log_in(page, live_server, "zhangwei")
    page.click("#nav-sales-log")
    log_move(page, customer=deal.customer.name, kind="quote", opportunity=deal.pk, stage=quote)
    log_move(page, customer=deal.customer.name, kind="meeting", opportunity=deal.pk, stage=negotiation)
    deal.refresh_from_db()
    assert deal.stage == negotiation

    # The weekly report is pre-filled with the week's changes; the comment on them autosaves.
    report = open_this_week(page, live_server)
    section = page.locator("#section-pipeline")
    expect(section).to_contain_text("需求确认 → 方案报价")
    expect(section).to_contain_text("方案报价 → 商务谈判")
    page.clock.install()  # the 3-second typing delay, fast-forwarded on the page's clock
    page.fill("#id_section_pipeline", "核心项目进入商务谈判，月底前争取签约")
    page.clock.fast_forward(3000)
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    screenshot("pipeline-1-report-section")
    report.refresh_from_db()
    assert report.section_comments["pipeline"] == "核心项目进入商务谈判，月底前争取签约"
    report_services.submit_report(report=fill(report), by=salesperson)
    assert WeeklyReport.objects.get(pk=report.pk).section_comments["pipeline"]

    # The manager reads the changes and the comment beside the KPIs.
    manager = new_tab()
    log_in(manager, live_server, "liqiang")
    manager.goto(f"{live_server.url}/reviews/{report.pk}/")
    expect(manager.locator("#section-kpis + #section-pipeline")).to_contain_text("方案报价 → 商务谈判")
    expect(manager.locator("#section-pipeline")).to_contain_text("月底前争取签约")

    # The director sees the quarter's forecast against target.
    director = new_tab()
    log_in(director, live_server, "zhaoming")
    director.click("#nav-pipeline")
    expect(director).to_have_url(re.compile(r"/teams/\d+/pipeline/$"))
    forecast = director.locator("#forecast")
    expect(forecast).to_contain_text("目标")
    expect(director.locator(f"[data-forecast-member='{salesperson.pk}']")).to_be_visible()
    expect(director.locator("[data-forecast-total]")).to_be_visible()
    expect(director.locator("form[action*='/pipeline/forecast/']")).to_have_count(0)  # directors read
