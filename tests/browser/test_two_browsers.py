"""Two browsers (a laptop and a phone, say) edit the same draft: the second save is refused and
shown side by side with what was saved, and nothing either of them typed is lost."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import WeeklyReport
from tests.browser.test_report_flow import log_in, open_this_week, salesperson  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_two_browsers_on_one_draft_end_at_the_conflict_screen_with_both_texts(
    live_server,
    salesperson,  # noqa: F811
    new_tab,
):
    # Two logged-in browsers and autosaves: several seconds.
    laptop, phone = new_tab(), new_tab()
    for tab in (laptop, phone):
        log_in(tab, live_server, "zhangwei")
    report = open_this_week(laptop, live_server)
    open_this_week(phone, live_server)

    laptop.fill("#id_summary", "笔记本上写的：拜访了华为")
    laptop.press("#id_summary", "Tab")
    expect(laptop.locator("#autosave-status")).to_have_attribute("data-state", "saved")

    phone.fill("#id_summary", "手机上写的：签下阿里")
    phone.press("#id_summary", "Tab")
    expect(phone.locator("#autosave-status")).to_have_attribute("data-state", "conflict")
    phone.click("#autosave-status a")
    expect(phone).to_have_url(re.compile(rf"/reports/{report.pk}/conflicts/\d+/$"))
    table = phone.locator("#conflict-table")
    expect(table).to_contain_text("笔记本上写的：拜访了华为")
    expect(table).to_contain_text("手机上写的：签下阿里")

    # The phone keeps its text; the laptop, still open on the older version, is refused in turn.
    phone.click("form[action$='/keep/'] button")
    expect(phone.locator("#id_summary")).to_have_value("手机上写的：签下阿里")
    assert WeeklyReport.objects.get(pk=report.pk).summary == "手机上写的：签下阿里"
    laptop.fill("#id_summary", "笔记本上写的：拜访了华为，又补了一句")
    laptop.press("#id_summary", "Tab")
    expect(laptop.locator("#autosave-status")).to_have_attribute("data-state", "conflict")
    refused = report.conflicts.order_by("-created_at").first()
    assert refused.data["summary"] == "笔记本上写的：拜访了华为，又补了一句"
