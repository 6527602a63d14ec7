import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from notifications.models import Notification
from planning import selectors, services
from planning.models import Plan
from reports.models import KPI, Target
from summaries.rollups import kpi_series
from tests.planning.helpers import submitted_week


@pytest.fixture
def sales(db):
    return KPI.objects.get(code="sales_amount")


def approved_company_plan(director, company, sales, total=Decimal(1_200_000)):
    plan = services.start_plan(actor=director, team=company, kpi=sales, year=2025)
    services.save_plan(actor=director, plan=plan, values={(f"t{company.pk}", "year", 1): (total, total * 2)})
    services.split_plan(
        actor=director, plan=plan, people=services.PeopleSplit.EQUAL, time=services.TimeSplit.WORKING_DAYS
    )
    services.approve_plan(actor=director, plan=plan)
    return plan


def test_director_splits_the_annual_target_down_to_people(
    director, company, east, west, team, rep, other_rep, outsider, sales
):
    plan = approved_company_plan(director, company, sales)
    values = selectors.plan_values(plan)
    nodes = selectors.plan_tree(company)
    keys = [node.key for node in nodes]
    assert keys[0] == f"t{company.pk}" and f"m{rep.pk}" in keys and f"m{outsider.pk}" in keys
    # Every row's children add up exactly to it, and every row's months to its year.
    assert selectors.gaps(nodes, values, sales) == []
    # Two regions share the company's 1.2 M month by month (to the cent); East's only team has
    # two salespeople, who share the team's months.
    east_year, west_year = values[(f"t{east.pk}", "year", 1)], values[(f"t{west.pk}", "year", 1)]
    assert east_year[0] + west_year[0] == 1_200_000 and east_year[1] + west_year[1] == 2_400_000
    rep_year, other_year = values[(f"m{rep.pk}", "year", 1)], values[(f"m{other_rep.pk}", "year", 1)]
    assert rep_year[0] + other_year[0] == east_year[0]
    assert abs(rep_year[0] - 300_000) < 1
    assert sum(values[(f"m{rep.pk}", "month", m)][0] for m in range(1, 13)) == rep_year[0]
    assert values[(f"m{rep.pk}", "quarter", 1)][0] == sum(values[(f"m{rep.pk}", "month", m)][0] for m in (1, 2, 3))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED


def test_approval_writes_weekly_targets_by_working_days(director, company, team, rep, sales):
    plan = approved_company_plan(director, company, sales)
    february = selectors.plan_values(plan)[(f"m{rep.pk}", "month", 2)][0]
    weeks = dict(
        Target.objects.filter(member=rep, kpi=sales, week_start__month=2, week_start__year=2025).values_list(
            "week_start", "value"
        )
    )
    assert sum(weeks.values()) == february
    # The week of 3 Feb (Spring Festival, four working days) gets less than the week after.
    assert weeks[datetime.date(2025, 2, 3)] < weeks[datetime.date(2025, 2, 10)]
    assert Target.objects.filter(member=rep, kpi=sales, week_start__year=2025).count() >= 52


def test_manager_proposes_a_change_and_the_director_approves_it(
    director, lead, company, west, team, rep, other_rep, sales
):
    approved_company_plan(director, company, sales)
    proposal = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    # The new version starts from the figures in force.
    assert abs(selectors.plan_values(proposal)[(f"m{rep.pk}", "year", 1)][0] - 300_000) < 1
    services.save_plan(actor=lead, plan=proposal, values={(f"m{rep.pk}", "year", 1): (Decimal(400_000), None)})
    # The months no longer add up to the year: a warning, not a block.
    gaps = selectors.gaps(selectors.plan_tree(team), selectors.plan_values(proposal), sales)
    assert {(gap.node.key, gap.what) for gap in gaps} >= {(f"m{rep.pk}", "months"), (f"t{team.pk}", "children")}
    services.split_plan(
        actor=lead, plan=proposal, people=services.PeopleSplit.WEIGHTS, time=services.TimeSplit.WORKING_DAYS
    )
    services.propose_plan(actor=lead, plan=proposal, note="张伟接手华为")
    assert Notification.objects.filter(recipient=director, kind=Notification.Kind.PLAN).exists()
    services.approve_plan(actor=director, plan=proposal)
    in_force = selectors.approved_values(team, sales, 2025)
    # The team's 600 k (its own figure, unchanged) is split by the weights 400 k : 300 k.
    assert in_force[(f"m{rep.pk}", "year", 1)][0] > in_force[(f"m{other_rep.pk}", "year", 1)][0]
    assert (
        in_force[(f"m{rep.pk}", "year", 1)][0] + in_force[(f"m{other_rep.pk}", "year", 1)][0]
        == (in_force[(f"t{team.pk}", "year", 1)][0])
    )
    assert Notification.objects.filter(recipient=lead, kind=Notification.Kind.PLAN).exists()
    assert AuditEntry.objects.filter(target_id=proposal.pk, action=AuditEntry.Action.STATUS_CHANGED).count() == 2


def test_a_proposal_in_force_wins_over_the_company_plan(director, lead, company, team, rep, sales):
    approved_company_plan(director, company, sales)
    proposal = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    services.save_plan(actor=lead, plan=proposal, values={(f"m{rep.pk}", "month", 3): (Decimal(77_000), None)})
    services.propose_plan(actor=lead, plan=proposal)
    services.approve_plan(actor=director, plan=proposal)
    assert selectors.approved_values(company, sales, 2025)[(f"m{rep.pk}", "month", 3)][0] == 77_000
    march = Target.objects.filter(member=rep, kpi=sales, week_start__year=2025, week_start__month=3)
    assert sum(march.values_list("value", flat=True)) == 77_000


def test_sending_back_needs_a_comment(director, lead, team, sales):
    proposal = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    services.propose_plan(actor=lead, plan=proposal)
    with pytest.raises(ValidationError):
        services.return_plan(actor=director, plan=proposal, comment=" ")
    services.return_plan(actor=director, plan=proposal, comment="华东目标太低")
    proposal.refresh_from_db()
    assert proposal.status == Plan.Status.RETURNED and proposal.is_editable
    # The author revises the same version and proposes it again.
    assert services.start_plan(actor=lead, team=team, kpi=sales, year=2025) == proposal


def test_bad_figures_save_nothing(lead, team, rep, sales):
    plan = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    with pytest.raises(ValidationError) as error:
        services.save_plan(
            actor=lead,
            plan=plan,
            values={
                (f"t{team.pk}", "year", 1): (Decimal(100), Decimal(50)),
                (f"m{rep.pk}", "month", 1): (Decimal("1.555"), None),
            },
        )
    assert set(error.value.message_dict) == {f"t{team.pk}_year1_stretch", f"m{rep.pk}_month1_base"}
    assert selectors.plan_values(plan) == {}


def test_split_by_last_years_actuals(director, company, team, rep, other_rep, sales):
    submitted_week(rep, datetime.date(2024, 3, 4), sales, Decimal(30_000))
    submitted_week(other_rep, datetime.date(2024, 3, 4), sales, Decimal(10_000))
    plan = services.start_plan(actor=director, team=team, kpi=sales, year=2025)
    services.save_plan(actor=director, plan=plan, values={(f"t{team.pk}", "year", 1): (Decimal(100_000), None)})
    values = services.split_plan(
        actor=director, plan=plan, people=services.PeopleSplit.LAST_YEAR, time=services.TimeSplit.LAST_YEAR
    )
    assert values[(f"m{rep.pk}", "year", 1)][0] == 75_000
    assert values[(f"m{other_rep.pk}", "year", 1)][0] == 25_000
    # All of last year's sales were in March.
    assert values[(f"m{rep.pk}", "month", 3)][0] == 75_000


def test_plan_page_shows_the_gap_warning(client, lead, team, rep, sales):
    plan = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    services.save_plan(actor=lead, plan=plan, values={(f"t{team.pk}", "year", 1): (Decimal(100), None)})
    services.save_plan(actor=lead, plan=plan, values={(f"m{rep.pk}", "year", 1): (Decimal(60), None)})
    client.force_login(lead)
    response = client.get(reverse("planning:plan", args=[plan.pk]))
    assert response.status_code == 200
    assert "gap" in response.content.decode()


def test_invalid_cell_keeps_what_was_typed(client, lead, team, sales):
    plan = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    client.force_login(lead)
    name = f"t{team.pk}_year1_base"
    response = client.post(reverse("planning:save", args=[plan.pk]), {name: "12abc"})
    assert response.status_code == 200
    assert 'value="12abc"' in response.content.decode()
    assert selectors.plan_values(plan) == {}


def test_manager_cannot_approve_and_outsider_sees_nothing(client, lead, other_lead, team, sales):
    plan = services.start_plan(actor=lead, team=team, kpi=sales, year=2025)
    client.force_login(lead)
    assert client.post(reverse("planning:approve", args=[plan.pk])).status_code == 403
    client.force_login(other_lead)
    assert client.get(reverse("planning:plan", args=[plan.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_the_dashboards_month_target_is_the_plans_month(director, team, rep, other_rep, sales):
    # 2027: the cast joined their teams today (2026), and the roster counts targets from then on.
    plan = services.start_plan(actor=director, team=team, kpi=sales, year=2027)
    services.save_plan(actor=director, plan=plan, values={(f"t{team.pk}", "year", 1): (Decimal(1_000_000), None)})
    services.split_plan(
        actor=director, plan=plan, people=services.PeopleSplit.EQUAL, time=services.TimeSplit.WORKING_DAYS
    )
    services.approve_plan(actor=director, plan=plan)
    values = selectors.plan_values(plan)
    for month in (2, 10):  # Spring Festival and National Day months
        start, end = selectors.period_bounds("month", month, 2027)
        series = kpi_series(start=start, end=end, team=team)
        assert series.total(sales).target == values[(f"t{team.pk}", "month", month)][0]
