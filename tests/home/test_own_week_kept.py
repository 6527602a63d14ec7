"""A writer's own week on their home (this week's report, what came back, goals to answer, unread
feedback) is kept under their team's data version and their own token (home.selectors.own_week):
each test opens the home (so the week is kept), changes something it shows, and checks the next
view, with the change's transaction committed (the versions are replaced on commit)."""

import datetime

import pytest
from django.urls import reverse

from customers import services as customer_services
from customers.models import Activity, Customer
from reports import services as report_services
from reviews import services as review_services
from teams import services as team_services
from teams.models import Membership
from tests.home.test_home import home
from tests.reports.test_services import at, fill
from tests.reviews.test_pages import FRIDAY, MONDAY, submitted

NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def week_of(client, user):
    return home(client, user).context["salesperson"]


def test_opening_submitting_and_returning_the_weeks_report_show_at_once(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    assert week_of(client, rep).report is None
    assert 'data-state="none"' in home(client, rep).content.decode()

    with committed(execute=True):
        report = report_services.open_report(author=rep, week_start=MONDAY)
    assert week_of(client, rep).report.status == "draft"

    with committed(execute=True):
        report = report_services.submit_report(report=fill(report), by=rep)
    assert week_of(client, rep).report.status == "submitted"

    with committed(execute=True):
        review_services.return_for_revision(report=report, reviewer=lead, reason="请补充华为的报价")
    mine = week_of(client, rep)
    assert mine.report.status == "returned"
    assert [r.returns[0].reason for r in mine.returned] == ["请补充华为的报价"]

    report.refresh_from_db()
    with committed(execute=True):
        report_services.submit_report(report=fill(report), by=rep)
    mine = week_of(client, rep)
    assert mine.report.status == "submitted" and mine.returned == []


def test_goals_and_feedback_show_when_given_and_go_when_answered_and_read(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(FRIDAY, 9))
    with committed(execute=True):
        last_week = submitted(rep)
    time_machine.move_to(at(NEXT_MONDAY + datetime.timedelta(days=1), 9))
    with committed(execute=True):
        this_week = report_services.open_report(author=rep, week_start=NEXT_MONDAY)
    mine = week_of(client, rep)
    assert mine.open_goals == [] and mine.unread_feedback == []

    with committed(execute=True):
        review_services.mark_reviewed(report=last_week, reviewer=lead, praise="好", goals=["拿下宁德时代"])
    mine = week_of(client, rep)
    assert [goal.text for goal in mine.open_goals] == ["拿下宁德时代"]
    assert [item.praise for item in mine.unread_feedback] == ["好"]

    # The goal is answered in this week's draft (an autosave: the team's figures do not change).
    this_week.refresh_from_db()
    answers = {r.pk: {"outcome": "done", "note": "签了框架协议"} for r in this_week.plan_reviews.all()}
    with committed(execute=True):
        report_services.save_draft(
            report=this_week, editor=rep, base_version=this_week.version, data={"plan_reviews": answers}
        )
    assert week_of(client, rep).open_goals == []

    client.force_login(rep)
    with committed(execute=True):
        client.get(reverse("reports:detail", args=[last_week.pk]))  # reading the report reads its feedback
    assert week_of(client, rep).unread_feedback == []


def test_a_report_returned_by_the_old_team_after_a_move_shows_at_once(
    client, rep, lead, other_team, time_machine, committed
):
    time_machine.move_to(at(FRIDAY, 9))
    with committed(execute=True):
        report = submitted(rep)
        team_services.move_member(actor=None, member=rep, team=other_team, role=Membership.Role.SALESPERSON)
    assert week_of(client, rep).returned == []
    with committed(execute=True):  # replaces the old team's version, not the new one's
        review_services.return_for_revision(report=report, reviewer=lead, reason="再核对一下拜访数")
    assert [r.pk for r in week_of(client, rep).returned] == [report.pk]


def follow_ups(client, user) -> tuple[int, int]:
    """The home's count of follow-ups due and the number the sales log lists."""
    count = week_of(client, user).follow_ups_due
    return count, len(client.get(reverse("customers:log")).context["follow_ups"])


def overdue_visit(author, name: str) -> tuple[Customer, Activity]:
    """A new customer of `author`'s with Monday's visit, whose next step was due on Tuesday."""
    customer = customer_services.create_customer(actor=author, owner=author, name=name, status="active")
    activity = customer_services.log_activity(
        author=author,
        customer=customer,
        occurred_on=MONDAY,
        kind=Activity.Kind.VISIT,
        next_step="回访报价",
        next_step_on=MONDAY + datetime.timedelta(days=1),
    )
    return customer, activity


def test_a_follow_up_settled_by_the_customers_next_owner_goes_at_once(
    client, rep, outsider, admin, time_machine, committed
):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))  # Wednesday
    with committed(execute=True):
        huawei, _visit = overdue_visit(rep, "华为技术有限公司")
    assert follow_ups(client, rep) == (1, 1)

    with committed(execute=True):
        customer_services.update_customer(actor=admin, customer=huawei, data={"owner": outsider})
    assert follow_ups(client, rep) == (1, 1)
    huawei.refresh_from_db()
    # The new owner, in another team, logs a visit: rep's follow-up is settled.
    with committed(execute=True):
        customer_services.log_activity(
            author=outsider, customer=huawei, occurred_on=MONDAY + datetime.timedelta(days=2), kind=Activity.Kind.VISIT
        )
    assert follow_ups(client, rep) == (0, 0)


def test_a_customer_lost_takes_its_follow_ups_off_the_home_at_once(client, rep, time_machine, committed):
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=2), 10))
    with committed(execute=True):
        huawei, activity = overdue_visit(rep, "华为技术有限公司")
    assert follow_ups(client, rep) == (1, 1)
    with committed(execute=True):
        customer_services.update_activity(actor=rep, activity=activity, data={"next_step_on": None, "next_step": ""})
    assert follow_ups(client, rep) == (0, 0)
    with committed(execute=True):
        customer_services.update_activity(
            actor=rep,
            activity=activity,
            data={"next_step_on": MONDAY + datetime.timedelta(days=1), "next_step": "回访"},
        )
    assert follow_ups(client, rep) == (1, 1)
    with committed(execute=True):
        customer_services.update_customer(
            actor=rep, customer=huawei, data={"status": Customer.Status.LOST, "lost_reason": "选了竞品"}
        )
    assert follow_ups(client, rep) == (0, 0)
