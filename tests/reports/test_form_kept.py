"""The report form's fields are drawn once per version of the report and kept
(reports.views._form_fields): each test opens the form (so its fields are kept), changes one thing
the form shows without the author saving, and checks the next view, in English (the test
people's language), with the change's transaction committed (the team versions are replaced on
commit)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from customers import services as customer_services
from reports import services, settings_services
from reports.models import KPI, WeeklyReport
from reviews import services as review_services
from teams import services as team_services
from teams.models import Membership
from tests.reports.test_services import MONDAY, at, fill


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def draft(client, rep, time_machine):
    """Rep's report of the week of 16 November 2026, on the Thursday of that week, its form seen
    once by rep (who is logged in)."""
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=3), 10))
    report = services.open_report(author=rep, week_start=MONDAY)
    client.force_login(rep)
    form(client, report)
    return report


def form(client, report) -> str:
    page = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    return page.split('id="report-form"')[1].split("</form>")[0]


def section(html: str, name: str) -> str:
    return html.split(f'id="section-{name}"')[1].split("</section>")[0]


def test_what_the_author_saved_shows_at_once(client, draft):
    fill(draft, summary="拜访了宁德时代")
    assert "拜访了宁德时代" in form(client, draft)


def test_a_form_with_errors_is_not_kept(client, rep, draft):
    """What was typed shows next to its error, and the next visit shows the saved report again."""
    visits = KPI.objects.get(code="visits")
    posted = {"base_version": draft.version, "summary": "草稿", f"kpi_{visits.pk}": "不是数字"}
    refused = client.post(reverse("reports:edit", args=[draft.pk]), posted).content.decode()
    assert "不是数字" in refused and "草稿" in refused
    assert "不是数字" not in form(client, draft) and "草稿" not in form(client, draft)


def test_a_new_target_shows(client, lead, rep, draft, committed):
    visits = KPI.objects.get(code="visits")
    with committed(execute=True):
        services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={visits: Decimal(12)})
    assert 'data-target="12.0000"' in section(form(client, draft), "kpis")


def test_a_renamed_kpi_shows_its_new_name(client, admin, draft, committed):
    visits = KPI.objects.get(code="visits")
    data = {field: getattr(visits, field) for field in settings_services.KPI_FIELDS} | {"name_en": "Visits on site"}
    with committed(execute=True):
        settings_services.save_kpi(actor=admin, kpi=visits, data=data)
    assert "Visits on site" in section(form(client, draft), "kpis")


def test_a_new_problem_category_is_offered(client, admin, draft, committed):
    data = {"name_zh": "账期", "name_en": "Payment terms", "position": 9, "is_active": True}
    with committed(execute=True):
        settings_services.save_problem_category(actor=admin, category=None, data=data)
    assert "Payment terms" in section(form(client, draft), "problems")


def test_what_the_sales_log_shows_differs_from_what_was_typed(client, rep, draft, committed):
    visits = KPI.objects.get(code="visits")
    fill(draft, kpis={visits.pk: "5"})
    draft.refresh_from_db()
    assert "the log shows" not in form(client, draft)
    with committed(execute=True):
        customer_services.log_activity(author=rep, new_customer="宁德时代", occurred_on=MONDAY, kind="visit")
    assert "the log shows 1" in section(form(client, draft), "kpis")


def test_the_own_customers_offered_follow_new_renamed_and_handed_over_customers(
    client, rep, other_rep, draft, committed
):
    with committed(execute=True):
        customer = customer_services.create_customer(actor=rep, owner=rep, name="宁德时代")
    assert '<option value="宁德时代">' in form(client, draft)
    with committed(execute=True):
        customer_services.update_customer(actor=rep, customer=customer, data={"name": "宁德时代新能源"})
    assert '<option value="宁德时代新能源">' in form(client, draft)
    with committed(execute=True):
        customer_services.update_customer(actor=rep, customer=customer, data={"owner": other_rep})
    assert "宁德时代新能源" not in form(client, draft)


def test_a_goal_given_on_last_weeks_report_is_asked_for(client, rep, lead, other_team, time_machine, committed):
    """The manager reviews last week's report with a goal while this week's is open, written in
    the team rep moved to since."""
    time_machine.move_to(at(MONDAY + datetime.timedelta(days=1), 10))
    last = services.submit_report(
        report=fill(services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))), by=rep
    )
    team_services.move_member(actor=None, member=rep, team=other_team, role=Membership.Role.SALESPERSON, on=MONDAY)
    draft = services.open_report(author=rep, week_start=MONDAY)
    assert draft.team == other_team
    client.force_login(rep)
    assert "回款 20 万" not in form(client, draft)
    with committed(execute=True):
        review_services.mark_reviewed(report=last, reviewer=lead, praise="很好", goals=["回款 20 万"])
    assert "回款 20 万" in section(form(client, draft), "review")


def test_a_returned_reports_plan_locks_when_next_weeks_report_opens(client, rep, lead, time_machine, committed):
    time_machine.move_to(at(MONDAY, 10))  # not moved later: the kept fields would expire
    last = services.submit_report(
        report=fill(services.open_report(author=rep, week_start=MONDAY - datetime.timedelta(days=7))), by=rep
    )
    review_services.return_for_revision(report=last, reviewer=lead, reason="请补充客户名称")
    last.refresh_from_db()
    client.force_login(rep)
    assert 'name="plan-0-item"' in section(form(client, last), "plan")
    with committed(execute=True):
        services.open_report(author=rep, week_start=MONDAY)
    plan = section(form(client, last), "plan")
    assert "Next week's report already answers this plan" in plan and 'name="plan-' not in plan
    assert WeeklyReport.objects.get(pk=last.pk).version == last.version  # nothing the author saved
