"""What the report's pages keep of its review (reviews.selectors.review_record_context, the side
panel's last feedback and customers going cold): each test opens a page (so the value is kept),
changes what it shows, and checks the next view, with the change's transaction committed (the
versions are replaced on commit)."""

import datetime

import pytest
from django.urls import reverse

from customers import services as customer_services
from customers.models import Customer
from reports import services as report_services
from reviews import services
from tests.home.test_own_week_kept import overdue_visit
from tests.reports.test_services import at, fill
from tests.reviews.test_pages import FRIDAY, MONDAY, side, submitted

NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def detail(client, user, report) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_managers_view_shows_the_feedback_and_then_the_authors_reading_at_once(
    client, rep, lead, time_machine, committed
):
    time_machine.move_to(at(FRIDAY, 15))
    with committed(execute=True):
        report = submitted(rep)
    assert 'id="review-history"' not in detail(client, lead, report)
    with committed(execute=True):
        services.mark_reviewed(report=report, reviewer=lead, praise="拜访量很好")
    report.refresh_from_db()
    page = detail(client, lead, report)
    assert "拜访量很好" in page and 'data-feedback-read="0"' in page
    with committed(execute=True):
        assert 'data-feedback-read="1"' in detail(client, rep, report)  # the author reads it
    assert 'data-feedback-read="1"' in detail(client, lead, report)


def test_the_side_panel_shows_last_weeks_feedback_given_after_it_was_kept(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(FRIDAY, 15))
    with committed(execute=True):
        last_week = submitted(rep)
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=4), 15))
    with committed(execute=True):
        this_week = submitted(rep, at(NEXT_MONDAY + datetime.timedelta(days=4), 12), week=NEXT_MONDAY)
    client.force_login(lead)
    assert "签下华为" not in side(client, this_week)
    with committed(execute=True):
        services.mark_reviewed(report=last_week, reviewer=lead, praise="好", goals=["签下华为"])
    assert "签下华为" in side(client, this_week)


def test_customers_going_cold_follow_a_loss_and_a_new_name_at_once(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))  # Wednesday
    with committed(execute=True):
        names = ["华为技术有限公司", "美的集团"]
        customers = [overdue_visit(rep, name)[0] for name in names]
        report = report_services.submit_report(report=fill(report_services.open_report(author=rep)), by=rep)
    client.force_login(lead)

    def going_cold() -> str:
        return side(client, report).split('id="going-cold"')[1]

    assert all(name in going_cold() for name in names)
    huawei, midea = customers
    with committed(execute=True):
        customer_services.update_customer(
            actor=rep, customer=huawei, data={"status": Customer.Status.LOST, "lost_reason": "选了竞品"}
        )
    assert "华为技术有限公司" not in going_cold() and "美的集团" in going_cold()
    with committed(execute=True):
        customer_services.update_customer(actor=rep, customer=midea, data={"name": "美的集团股份有限公司"})
    assert "美的集团股份有限公司" in going_cold()


def test_the_thread_shows_a_comment_added_edited_and_removed_at_once(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(FRIDAY, 15))
    with committed(execute=True):
        report = submitted(rep)
    client.force_login(lead)

    def thread() -> str:
        return client.get(reverse("reviews:thread", args=[report.pk]), headers={"HX-Request": "true"}).content.decode()

    assert "请补充华为的报价" not in thread()
    with committed(execute=True):
        comment, _mentions = services.add_comment(report=report, author=rep, body="请补充华为的报价")
    assert "请补充华为的报价" in thread()
    with committed(execute=True):
        services.edit_comment(comment=comment, editor=rep, body="华为的报价已补充")
    page = thread()
    assert "华为的报价已补充" in page and "请补充华为的报价" not in page
    with committed(execute=True):
        services.delete_comment(comment=comment, by=rep)
    assert "华为的报价已补充" not in thread()
