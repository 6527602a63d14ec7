"""The Today page's week and its blank entry form are drawn once and kept (customers.views:
_week_context, entry_fields) until something they show changes: each test opens the page (so
they are kept), changes one thing behind it, and checks that the next view shows the change
(with the change's transaction committed, as the versions are replaced on commit)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from customers import services
from customers.models import Activity
from pipeline import services as pipeline_services
from pipeline.models import Stage
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


def entry_form(client, **params) -> str:
    page = client.get(LOG, params).content.decode()
    return page.split('id="entry-form"')[1].split("</form>")[0]


def test_a_customer_added_on_the_customers_page_is_offered_at_once(client, rep, huawei, committed):
    client.force_login(rep)
    assert '<option value="美的集团">' not in entry_form(client)
    with committed(execute=True):
        services.create_customer(actor=rep, owner=rep, name="美的集团")
    assert '<option value="美的集团">' in entry_form(client)


def test_a_new_opportunity_and_a_stage_move_show_in_the_stage_move_at_once(client, rep, huawei, committed):
    pipeline_services.ensure_default_stages()
    client.force_login(rep)
    assert "核心网升级" not in entry_form(client)
    with committed(execute=True):
        deal = pipeline_services.create_opportunity(
            actor=rep,
            customer=huawei,
            name="核心网升级",
            amount=Decimal("200000"),
            stage=Stage.objects.get(name="需求确认"),
            expected_close_on=datetime.date(2026, 12, 15),
        )
    assert "华为技术有限公司 · 核心网升级 (需求确认)" in entry_form(client)
    with committed(execute=True):
        pipeline_services.move_stage(actor=rep, opportunity=deal, stage=Stage.objects.get(name="商务谈判"))
    assert "华为技术有限公司 · 核心网升级 (商务谈判)" in entry_form(client)


def test_the_blank_form_starts_on_today_and_on_the_customer_asked_for(client, rep, huawei, time_machine):
    client.force_login(rep)
    time_machine.move_to(at(WEDNESDAY, 23, 58))
    assert f'value="{WEDNESDAY:%Y-%m-%d}"' in entry_form(client)
    assert 'value="华为技术有限公司" maxlength' in entry_form(client, customer="华为技术有限公司")
    time_machine.move_to(at(WEDNESDAY + datetime.timedelta(days=1), 0, 2))
    form = entry_form(client)
    assert f'value="{WEDNESDAY + datetime.timedelta(days=1):%Y-%m-%d}"' in form
    assert 'name="customer" value=""' in form


def test_a_refused_line_comes_back_as_typed_not_as_the_kept_blank_form(client, rep, huawei):
    client.force_login(rep)
    entry_form(client)  # the blank form is kept
    for outcome in ("签约了", "又签了一单"):  # a contract without its amount is refused
        response = client.post(
            reverse("customers:activity_create"),
            {"occurred_on": f"{WEDNESDAY}", "customer": "华为技术有限公司", "kind": "contract", "outcome": outcome},
            HTTP_HX_REQUEST="true",
        )
        form = response.content.decode()
        assert f'value="{outcome}"' in form and "is-invalid" in form
