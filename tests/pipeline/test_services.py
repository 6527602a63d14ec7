import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from customers import services as customer_services
from pipeline import selectors, services
from pipeline.models import Forecast, Opportunity, Period, StageChange, period_bounds
from reports import services as report_services
from reports.models import KPI
from tests.pipeline.conftest import WEDNESDAY, stage
from tests.reports.test_services import MONDAY, at

SUNDAY = MONDAY + datetime.timedelta(days=6)


def test_default_stages_ship_with_the_database(db):
    assert [(s.name, s.probability, s.is_won, s.is_lost) for s in selectors.Stage.objects.all()] == [
        (name, p, won, lost) for name, p, won, lost in services.DEFAULT_STAGES
    ]


def test_a_new_opportunity_starts_its_history_and_the_audit_trail(rep, deal):
    change = StageChange.objects.get(opportunity=deal)
    assert change.from_stage is None and change.to_stage.name == "需求确认" and change.changed_by == rep
    assert AuditEntry.objects.filter(target_id=deal.pk, action=AuditEntry.Action.CREATED).exists()


def test_moving_a_stage_is_kept_with_who_and_when(rep, deal):
    services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    services.move_stage(actor=rep, opportunity=deal, stage=stage("赢单"))
    deal.refresh_from_db()
    assert deal.stage.name == "赢单" and deal.closed_on == WEDNESDAY and deal.cycle_days == 9
    moves = [(c.from_stage and c.from_stage.name, c.to_stage.name, c.changed_on) for c in deal.stage_changes.all()]
    assert moves[1:] == [("需求确认", "方案报价", WEDNESDAY), ("方案报价", "赢单", WEDNESDAY)]


def test_a_lost_opportunity_needs_a_reason_and_nothing_changes_without_one(rep, deal):
    with pytest.raises(ValidationError) as error:
        services.move_stage(actor=rep, opportunity=deal, stage=stage("输单"))
    assert "loss_reason" in error.value.message_dict
    deal.refresh_from_db()
    assert deal.stage.name == "需求确认" and deal.stage_changes.count() == 1


@pytest.mark.parametrize(
    ("field", "value"), [("name", "  "), ("amount", Decimal(-1)), ("amount", Decimal("1e12")), ("stage", None)]
)
def test_bad_input_is_refused_by_field(rep, huawei, field, value):
    data = {
        "name": "新项目",
        "amount": Decimal(100),
        "stage": stage("线索"),
        "expected_close_on": datetime.date(2026, 12, 1),
    }
    data[field] = value
    with pytest.raises(ValidationError) as error:
        services.create_opportunity(actor=rep, customer=huawei, **data)
    assert field in error.value.message_dict
    assert not Opportunity.objects.exists()


def test_the_weeks_changes_are_new_advanced_won_lost_and_slipped(rep, huawei, deal):
    services.update_opportunity(
        actor=rep, opportunity=deal, data={"stage": stage("方案报价"), "expected_close_on": datetime.date(2027, 1, 20)}
    )
    new = services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="数据中心",
        amount=Decimal(50000),
        stage=stage("线索"),
        expected_close_on=datetime.date(2026, 12, 31),
    )
    services.move_stage(actor=rep, opportunity=new, stage=stage("输单"), loss_reason="价格太高")
    changes = selectors.week_changes(owner_id=rep.pk, start=MONDAY, end=SUNDAY)
    assert [c.opportunity.name for c in changes["new"]] == ["数据中心"]
    assert [(c.from_stage.name, c.to_stage.name) for c in changes["advanced"]] == [("需求确认", "方案报价")]
    assert [c.opportunity.loss_reason for c in changes["lost"]] == ["价格太高"]
    assert changes["won"] == []
    assert [(c.from_on, c.to_on) for c in changes["slipped"]] == [
        (datetime.date(2026, 12, 15), datetime.date(2027, 1, 20))
    ]
    assert selectors.week_changes(owner_id=rep.pk, start=MONDAY - datetime.timedelta(days=7), end=MONDAY)["new"]


def test_funnel_conversion_win_rate_and_cycle_time_by_lead_source(rep, huawei, deal):
    quarter = period_bounds(Period.QUARTER, WEDNESDAY)
    other = services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="数据中心",
        amount=Decimal(50000),
        stage=stage("线索"),
        expected_close_on=datetime.date(2026, 12, 31),
    )
    services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    services.move_stage(actor=rep, opportunity=deal, stage=stage("赢单"))
    services.move_stage(actor=rep, opportunity=other, stage=stage("输单"), loss_reason="价格太高")
    funnel = selectors.funnel(owner_ids=[rep.pk], start=quarter[0], end=quarter[1])
    reached = {step.stage.name: step.reached for step in funnel.steps}
    assert reached == {"线索": 2, "需求确认": 1, "方案报价": 1, "商务谈判": 1, "赢单": 1}
    assert funnel.steps[1].conversion == Decimal("0.5")
    assert funnel.outcomes.won == 1 and funnel.outcomes.lost == 1 and funnel.outcomes.win_rate == Decimal("0.5")
    assert funnel.outcomes.cycle_days == Decimal("9.0")
    by_source = {name: outcomes.win_rate for name, _steps, outcomes in funnel.by_source}
    assert by_source == {"展会": Decimal(1), "": Decimal(0)}
    assert funnel.loss_reasons[0]["loss_reason"] == "价格太高"
    assert funnel.by_member[rep.pk].won_amount == Decimal(200000)


def test_churn_lists_customers_lost_in_the_period_with_their_reasons(rep, huawei):
    customer_services.update_customer(actor=rep, customer=huawei, data={"status": "lost", "lost_reason": "被竞品替代"})
    month = period_bounds(Period.MONTH, WEDNESDAY)
    assert [
        (c.name, c.lost_reason) for c in selectors.lost_customers(owner_ids=[rep.pk], start=month[0], end=month[1])
    ] == [("华为技术有限公司", "被竞品替代")]
    december = period_bounds(Period.MONTH, datetime.date(2026, 12, 1))
    assert selectors.lost_customers(owner_ids=[rep.pk], start=december[0], end=december[1]) == []


def test_forecast_is_won_plus_weighted_pipeline_against_the_sales_target(rep, lead, team, huawei, deal):
    sales = selectors.sales_kpi()
    assert sales is not None and sales.log_source == KPI.LogSource.CONTRACT_AMOUNT
    report_services.set_targets(actor=lead, member=rep, week_start=MONDAY, values={sales: Decimal(100000)})
    report_services.set_targets(
        actor=lead, member=rep, week_start=MONDAY + datetime.timedelta(days=7), values={sales: Decimal(100000)}
    )
    won = services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="维保",
        amount=Decimal(30000),
        stage=stage("赢单"),
        expected_close_on=WEDNESDAY,
    )
    services.set_forecast(
        actor=lead, member=rep, period=Period.QUARTER, day=WEDNESDAY, commit=Decimal(90000), best_case=Decimal(150000)
    )
    start, end = period_bounds(Period.QUARTER, WEDNESDAY)
    table = selectors.forecast_table(
        team=team, members=[rep], period=Period.QUARTER, start=start, end=end, today=WEDNESDAY
    )
    row = table.rows[0]
    assert (row.won, row.weighted, row.forecast) == (won.amount, Decimal("50000.00"), Decimal("80000.00"))
    assert row.target == Decimal(200000) and row.attainment == Decimal("0.4")
    assert (row.commit, row.best_case) == (Decimal(90000), Decimal(150000))
    assert table.total.forecast == row.forecast and not table.is_closed


def test_forecast_input_is_checked(rep, lead, wednesday):
    with pytest.raises(ValidationError) as error:
        services.set_forecast(
            actor=lead, member=rep, period=Period.MONTH, day=WEDNESDAY, commit=Decimal(10), best_case=Decimal(5)
        )
    assert "best_case" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.set_forecast(
            actor=lead,
            member=rep,
            period=Period.MONTH,
            day=datetime.date(2026, 10, 1),
            commit=Decimal(1),
            best_case=None,
        )
    assert not Forecast.objects.exists()


def test_after_the_period_closes_the_forecast_is_frozen_and_measured(rep, team, huawei, deal, time_machine):
    def add(name, amount, stage_name):
        return services.create_opportunity(
            actor=rep,
            customer=huawei,
            name=name,
            amount=Decimal(amount),
            stage=stage(stage_name),
            expected_close_on=datetime.date(2026, 11, 30),
        )

    add("维保", 10000, "赢单")
    late = add("扩容", 40000, "商务谈判")  # 75 %: 30,000 expected in November
    time_machine.move_to(at(datetime.date(2026, 12, 1), 2))
    assert services.freeze_closed_periods(today=datetime.date(2026, 12, 1)) >= 1
    assert services.freeze_closed_periods(today=datetime.date(2026, 12, 1)) == 0  # safe to run twice
    services.move_stage(actor=rep, opportunity=late, stage=stage("赢单"))  # won in December, too late
    forecast = Forecast.objects.get(member=rep, period=Period.MONTH)
    # The big deal closes in December: nothing of it was expected in November.
    assert forecast.frozen_forecast == Decimal(40000)
    start, end = period_bounds(Period.MONTH, WEDNESDAY)
    table = selectors.forecast_table(
        team=team, members=[rep], period=Period.MONTH, start=start, end=end, today=datetime.date(2026, 12, 1)
    )
    row = table.rows[0]
    assert table.is_closed and row.won == Decimal(10000) and row.frozen == Decimal(40000)
    assert row.accuracy == Decimal("0.25")
