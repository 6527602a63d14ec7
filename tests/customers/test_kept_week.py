"""The Today page's week is drawn once and kept (customers.views._week_context) until something it
shows changes: each test opens the page (so the week is kept), changes one thing behind it, and
checks that the next view shows the change (with the change's transaction committed, as the
versions are replaced on commit)."""

import datetime
import re

import pytest
from django.urls import reverse

from customers import services
from customers.models import Activity
from reports import services as report_services
from teams import services as team_services
from teams.models import Membership
from tests.customers.conftest import MONDAY, WEDNESDAY, visit
from tests.reports.test_services import at, fill

pytestmark = pytest.mark.usefixtures("wednesday")
LOG = reverse("customers:log")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def week_of(client) -> str:
    """The week's section of the Today page."""
    page = client.get(LOG).content.decode()
    return page.split('id="log-week"')[1].split('id="follow-ups"')[0]


def entry_count(week: str) -> int:
    """The number in the week's heading badge."""
    return int(re.search(r"data-entry-count>\s*(\d+)", week).group(1))


def test_an_entry_logged_edited_and_removed_shows_at_once(client, rep, huawei, committed):
    client.force_login(rep)
    week = week_of(client)
    assert "data-activity>" not in week and entry_count(week) == 0
    with committed(execute=True):
        activity = visit(rep, huawei, WEDNESDAY, outcome="确认预算")
    week = week_of(client)
    assert "确认预算" in week and entry_count(week) == 1

    with committed(execute=True):
        services.update_activity(actor=rep, activity=activity, data={"outcome": "预算已批"})
    week = week_of(client)
    assert "预算已批" in week and "确认预算" not in week

    with committed(execute=True):
        services.delete_activity(actor=rep, activity=activity)
    week = week_of(client)
    assert f"activity-{activity.pk}" not in week and entry_count(week) == 0


def test_the_count_per_type_follows_the_entries(client, rep, huawei, committed):
    client.force_login(rep)
    visit(rep, huawei, MONDAY)
    week_of(client)
    with committed(execute=True):
        visit(rep, huawei, WEDNESDAY, kind=Activity.Kind.CALL)
    week = week_of(client)
    assert week.count("data-activity>") == 2 and entry_count(week) == 2
    assert re.search(r"\b1</strong>.*\b1</strong>", week, re.S)  # one visit, one call


def test_a_renamed_customer_shows_its_new_name_even_when_someone_else_in_another_team_owns_it(
    client, rep, huawei, admin, outsider, committed
):
    visit(rep, huawei, MONDAY, outcome="初次拜访")
    services.update_customer(actor=admin, customer=huawei, data={"owner": outsider})  # handed over, far away
    client.force_login(rep)
    assert "华为技术有限公司" in week_of(client)
    with committed(execute=True):
        services.update_customer(actor=outsider, customer=huawei, data={"name": "华为终端有限公司"})
    week = week_of(client)
    assert "华为终端有限公司" in week and "华为技术有限公司" not in week


def test_an_entry_from_before_a_move_edited_after_it_shows_at_once(client, rep, huawei, other_team, committed):
    activity = visit(rep, huawei, MONDAY, outcome="移动前的拜访")
    team_services.move_member(actor=None, member=rep, team=other_team, role=Membership.Role.SALESPERSON, on=WEDNESDAY)
    client.force_login(rep)
    assert "移动前的拜访" in week_of(client)  # the week is now kept under the new team's version
    with committed(execute=True):
        services.update_activity(actor=rep, activity=activity, data={"outcome": "移动后改的"})
    assert "移动后改的" in week_of(client)


def test_at_midnight_the_today_heading_moves_on(client, rep, huawei, time_machine):
    """Minutes apart (well within the cache's ten-minute expiry), on either side of midnight."""
    visit(rep, huawei, MONDAY)
    client.force_login(rep)
    time_machine.move_to(at(WEDNESDAY, 23, 58))
    assert f"{WEDNESDAY:%m-%d}" in today_heading(week_of(client))
    time_machine.move_to(at(WEDNESDAY + datetime.timedelta(days=1), 0, 2))
    assert f"{WEDNESDAY + datetime.timedelta(days=1):%m-%d}" in today_heading(week_of(client))


def today_heading(week: str) -> str:
    return week.split("text-primary")[1].split("</h3>")[0]


def test_once_the_weeks_report_is_submitted_the_buttons_go(client, rep, huawei, committed):
    activity = visit(rep, huawei, MONDAY)
    client.force_login(rep)
    assert reverse("customers:activity_delete", args=[activity.pk]) in week_of(client)
    with committed(execute=True):
        report_services.submit_report(report=fill(report_services.open_report(author=rep, week_start=MONDAY)), by=rep)
    week = week_of(client)
    assert reverse("customers:activity_delete", args=[activity.pk]) not in week
    assert reverse("customers:activity_edit", args=[activity.pk]) not in week
    assert 'id="activity-remove"' not in week


def test_the_remove_button_posts_the_pages_form_with_its_token(client, rep, huawei):
    activity = visit(rep, huawei, MONDAY)
    client.force_login(rep)
    week = week_of(client)
    assert '<form id="activity-remove" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken"' in week
    button = week.split(f'formaction="{reverse("customers:activity_delete", args=[activity.pk])}"')
    assert len(button) == 2 and 'form="activity-remove"' in button[0].rsplit("<button", 1)[1]


def test_a_manager_reading_a_movers_week_counts_only_the_entries_they_may_see(
    client, rep, huawei, other_team, other_lead
):
    visit(rep, huawei, MONDAY, outcome="在原团队")
    team_services.move_member(actor=None, member=rep, team=other_team, role=Membership.Role.SALESPERSON, on=WEDNESDAY)
    visit(rep, huawei, WEDNESDAY, outcome="在新团队")
    client.force_login(other_lead)
    page = client.get(reverse("customers:member_log", args=[rep.pk])).content.decode()
    assert "在新团队" in page and "在原团队" not in page
    assert page.count("data-activity>") == 1 and entry_count(page) == 1
