"""The demo's targets from the top down: the director has set next year's annual sales target for
the whole company, split it down to every region, team and salesperson by this year's actuals and
into months by working days, and approved it. Managers can then propose changes for their teams.
Running it again changes nothing."""

import datetime
from decimal import Decimal

from planning import selectors, services
from planning.models import Plan
from reports.models import KPI
from teams.models import Team, User

KPI_CODE = "sales_amount"
# About 20 % over what the demo's salespeople are asked for this year (24 people, ~140,000 a week).
ANNUAL_TARGET = Decimal(180_000_000)


def seed_plans(*, company: Team, director: User, today: datetime.date) -> Plan | None:
    """The approved plan of next year's sales for the company (None when the KPI is missing)."""
    kpi = KPI.objects.filter(code=KPI_CODE).first()
    if kpi is None:
        return None
    year = today.year + 1
    existing = Plan.objects.filter(team=company, kpi=kpi, year=year, status=Plan.Status.APPROVED).first()
    if existing is not None:
        return existing
    plan = services.start_plan(actor=director, team=company, kpi=kpi, year=year)
    services.save_plan(
        actor=director,
        plan=plan,
        values={(selectors.team_key(company.pk), "year", 1): (ANNUAL_TARGET, ANNUAL_TARGET * Decimal("1.2"))},
    )
    services.split_plan(
        actor=director, plan=plan, people=services.PeopleSplit.LAST_YEAR, time=services.TimeSplit.WORKING_DAYS
    )
    return services.approve_plan(
        actor=director, plan=plan, comment=f"{year}年度销售目标：按今年业绩分解到人，按工作日分解到月"
    )
