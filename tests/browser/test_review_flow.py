"""A demo manager clears part of the week's queue in a real browser, and the salesperson whose
report came back answers, fixes and resubmits it.

Checks the parts only a browser runs together: the "j" shortcut to the next report, the htmx
comment thread, the notification bell, and the loop from return to resubmission. Seeds the demo,
so it takes several seconds.
"""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from notifications.models import Notification
from reports import services
from reports.models import ReportRevision, WeeklyReport
from reviews import services as review_services
from reviews.models import Comment, Feedback
from teams.models import Membership, User
from teams.services import current_membership
from tests import demo_data
from tests.browser.conftest import CONTEXT
from tests.browser.test_report_flow import log_in
from tests.reports.test_services import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def week_to_review(live_server):
    """The demo with last week in 李强's queue, zhangwei's report among the awaiting ones."""
    demo_data.seed()
    member = User.objects.get(username="zhangwei")
    team_settings = services.settings_for(current_membership(member).team)
    this_week = services.current_week_start(team_settings)
    week = this_week
    if team_settings.deadline_for(week) > datetime.datetime.now(datetime.UTC):
        week -= datetime.timedelta(days=7)
    if week == this_week:
        # The demo leaves last week in the queue. From this week's deadline to the end of the week
        # (Friday evening to Sunday) the queue shows this week instead: the manager has reviewed
        # zhangwei's last week, and a few teammates submit this one.
        last_week = WeeklyReport.objects.get(author=member, week_start=week - datetime.timedelta(days=7))
        if last_week.status == WeeklyReport.Status.SUBMITTED:
            review_services.mark_reviewed(
                report=last_week, reviewer=User.objects.get(username="liqiang"), praise="上周的客户拜访很扎实。"
            )
    report = _submitted(member, week)
    awaiting = WeeklyReport.objects.filter(team=report.team, week_start=week, status=WeeklyReport.Status.SUBMITTED)
    teammates = report.team.memberships.filter(role=Membership.Role.SALESPERSON, ended_on=None, user__status="active")
    for teammate in teammates.exclude(user=member).order_by("user__username"):
        if awaiting.count() >= 3:
            break
        _submitted(teammate.user, week)
    assert awaiting.count() >= 3, "the demo should leave several reports in the queue"
    return report


def _submitted(member: User, week: datetime.date) -> WeeklyReport:
    report = WeeklyReport.objects.filter(author=member, week_start=week).first()
    if report is not None and report.status == WeeklyReport.Status.SUBMITTED:
        return report
    return services.submit_report(report=fill(services.open_report(author=member, week_start=week)), by=member)


def test_manager_reviews_and_returns_and_the_salesperson_resubmits(
    live_server, week_to_review, browser, page: Page, screenshot
):
    report = week_to_review
    manager = User.objects.get(username="liqiang")

    # The manager opens the queue on review day; the badge counts what waits.
    log_in(page, live_server, "liqiang")
    expect(page.locator('[data-badge="awaiting"]')).to_be_visible()
    page.click("#nav-review-queue")
    expect(page.locator("#group-awaiting")).to_be_visible()
    screenshot("review-1-queue")

    # The first report, then "j" for the next one without going back to the list.
    page.locator("#group-awaiting a.btn-primary").first.click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+/$"))
    first_url = page.url
    page.wait_for_load_state("load")  # review.js, at the end of the page, listens for the key
    page.keyboard.press("j")
    expect(page).not_to_have_url(first_url)
    second_pk = int(re.search(r"/reviews/(\d+)/$", page.url).group(1))

    # Feedback in four parts marks it reviewed and moves on to the next report.
    page.fill("#id_praise", "拜访量达标，客户跟进及时。")
    page.fill("#id_suggestions", "华为项目尽快约技术交流。")
    page.fill("#id_goals", "确认华为的采购预算")
    page.click("#feedback-form button[type=submit]")
    expect(page).not_to_have_url(re.compile(rf"/reviews/{second_pk}/$"))
    screenshot("review-2-next-after-feedback")

    # zhangwei's report: a comment with a mention, then back for revision with a reason.
    page.goto(f"{live_server.url}/reviews/{report.pk}/")
    page.fill("#comment-form textarea[name=body]", "@张伟 华为项目的拜访记录请补充一下。")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments")).to_contain_text("华为项目的拜访记录请补充一下")
    page.fill("#id_reason", "请补充本周华为项目的拜访明细。")
    page.click("#return-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot("review-3-returned")

    reviewed = WeeklyReport.objects.get(pk=second_pk)
    assert reviewed.status == WeeklyReport.Status.REVIEWED
    assert Feedback.objects.get(report=reviewed).goals.get().text == "确认华为的采购预算"
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.RETURNED
    kinds = set(Notification.objects.filter(recipient=report.author, report=report).values_list("kind", flat=True))
    assert kinds == {Notification.Kind.RETURNED, Notification.Kind.MENTION}

    # The salesperson sees the bell, opens the notification and reads why the report came back.
    other = browser.new_context(viewport={"width": 390, "height": 844}, **CONTEXT)
    phone = other.new_page()
    log_in(phone, live_server, "zhangwei")
    expect(phone.locator('[data-badge="unread"]')).to_be_visible()
    phone.goto(f"{live_server.url}/notifications/")
    phone.locator(f'[data-notification]:has-text("{manager.display_name}") a').filter(has_text="退回").click()
    expect(phone).to_have_url(re.compile(rf"/reports/{report.pk}/edit/$"))
    expect(phone.locator("#return-reason")).to_contain_text("请补充本周华为项目的拜访明细")
    phone.screenshot(path="test-artifacts/review-4-salesperson-returned.png", full_page=True)

    # Replies in the thread on the report page, where the feedback history is too.
    phone.goto(f"{live_server.url}/reports/{report.pk}/")
    comment = Comment.objects.get(report=report)
    phone.click(f'details[data-reply-to="{comment.pk}"] summary')
    phone.fill(f"#reply-{comment.pk}", "好的，已补充华为的拜访明细。")
    phone.click(f'details[data-reply-to="{comment.pk}"] button[type=submit]')
    expect(phone.locator("#comments")).to_contain_text("好的，已补充华为的拜访明细。")

    # Fixes the report and resubmits it.
    phone.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    summary = phone.locator("#id_summary")
    summary.fill(summary.input_value() + "\n- 11/18 拜访华为采购部，确认预算流程")
    phone.click("#submit-report")
    expect(phone).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    phone.screenshot(path="test-artifacts/review-5-resubmitted.png", full_page=True)
    other.close()

    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert "拜访华为采购部" in report.summary
    assert report.revisions.filter(kind=ReportRevision.Kind.RESUBMITTED).count() == 1
    reply = Comment.objects.get(report=report, parent=comment)
    assert reply.author == report.author
    assert (
        Notification.objects.filter(recipient=manager, report=report, kind=Notification.Kind.RESUBMITTED).count() == 1
    )
    assert Notification.objects.filter(recipient=manager, event=f"comment:{reply.pk}").count() == 1

    # Back in the manager's browser: the bell rings, the reply and the resubmission are there.
    page.goto(f"{live_server.url}/reviews/{report.pk}/")
    expect(page.locator('[data-badge="unread"]')).to_be_visible()
    expect(page.locator("#comments")).to_contain_text("好的，已补充华为的拜访明细。")
    expect(page.locator("#feedback-form")).to_be_visible()
    screenshot("review-6-back-to-manager")

    # The thread arrives after the page; an address pointing at a comment still scrolls to it,
    # and the side panel brings the review record and the read receipts.
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(f"{live_server.url}/reviews/{report.pk}/#comment-{reply.pk}")
    expect(page.locator(f"#comment-{reply.pk}")).to_be_in_viewport()
    expect(page.locator("#review-history")).to_contain_text("请补充本周华为项目的拜访明细")
    expect(page.locator("#going-cold")).to_be_visible()
    # Last week's feedback arrives with the side panel and htmx puts it above the report.
    previous = WeeklyReport.objects.filter(author=report.author, week_start__lt=report.week_start).latest("week_start")
    praise = Feedback.objects.filter(report=previous).values_list("praise", flat=True).first()
    assert praise, "the demo reviews every report of the weeks before"
    expect(page.locator("#section-last-feedback")).to_contain_text(praise[:20])
    assert page.locator("#section-last-feedback").evaluate("e => e.closest('.col-lg-8') !== null")
