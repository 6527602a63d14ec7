"""On the demo company, the director sets next year's annual sales target and splits it down to
people; a manager proposes a change for their team, which the director approves."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from planning import selectors
from planning.models import Plan
from reports.models import KPI, Target
from teams.models import Team, User
from tests import demo_data
from tests.browser.test_report_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_sets_and_splits_the_annual_target_and_approves_a_managers_change(live_server, new_tab):
    demo_data.seed()
    year = timezone.localdate().year + 1
    company = Team.objects.get(name="星辰科技销售公司")
    shanghai = Team.objects.get(name="上海一组")
    zhangwei = User.objects.get(username="zhangwei")
    sales = KPI.objects.get(code="sales_amount")

    # The director starts a new version of the company's plan, sets the year and splits it down.
    director = new_tab()
    log_in(director, live_server, "zhaoming")
    director.click("#nav-planning")
    director.click(f"a[href='/planning/teams/{company.pk}/']")
    director.select_option("#id_kpi", str(sales.pk))
    director.fill("#id_year", str(year))
    director.click("#choose button[type=submit]")
    director.click("#start-plan")
    director.fill(f"#id_t{company.pk}_year1_base", "200,000,000")
    director.fill(f"#id_t{company.pk}_year1_stretch", "240000000")
    director.click("#save-plan")
    expect(director.locator(".alert-success")).to_be_visible()
    director.select_option("#id_people", "equal")
    director.select_option("#id_time", "working_days")
    director.click("#split-plan")
    expect(director.locator("#gaps")).to_have_count(0)
    director.click("#approve-plan")
    expect(director.locator("#plan-figures")).to_be_visible()
    company_plan = Plan.objects.filter(team=company, year=year).latest("number")
    assert company_plan.status == Plan.Status.APPROVED
    in_force = selectors.approved_values(company, sales, year)
    assert in_force[(f"t{company.pk}", "year", 1)][0] == 200_000_000
    first_year = in_force[(f"m{zhangwei.pk}", "year", 1)][0]
    assert Target.objects.filter(member=zhangwei, kpi=sales, week_start__year=year).count() >= 52

    # The manager of 上海一组 gives 张伟 more, sees the gap, shares it out again and proposes it.
    manager = new_tab()
    log_in(manager, live_server, "liqiang")
    manager.goto(f"{live_server.url}/planning/teams/{shanghai.pk}/?kpi={sales.pk}&year={year}")
    manager.click("#start-plan")
    manager.fill(f"#id_m{zhangwei.pk}_year1_base", str(int(first_year) * 2))
    manager.click("#save-plan")
    # A target above the stretch target is refused next to the cell, keeping what was typed.
    stretch = manager.locator(f"#id_m{zhangwei.pk}_year1_stretch")
    expect(stretch).to_have_class(re.compile("is-invalid"))
    expect(manager.locator(f"#id_m{zhangwei.pk}_year1_base")).to_have_value(str(int(first_year) * 2))
    stretch.fill(str(int(first_year) * 3))
    manager.click("#save-plan")
    expect(manager.locator("#gaps")).to_be_visible()
    manager.select_option("#id_people", "weights")
    manager.click("#split-plan")
    expect(manager.locator("#gaps")).to_have_count(0)
    manager.fill("#id_note", "张伟接手华为大客户")
    manager.click("#propose-plan")
    expect(manager.locator("#approve-plan")).to_have_count(0)
    proposal = Plan.objects.get(team=shanghai, year=year)
    assert proposal.status == Plan.Status.PROPOSED

    # The director finds it waiting and approves it: 张伟's weekly targets follow.
    director.click("#nav-planning")
    director.click(f"#waiting a[href='/planning/plans/{proposal.pk}/']")
    director.click("#approve-plan")
    expect(director.locator("#approve-plan")).to_have_count(0)
    proposal.refresh_from_db()
    assert proposal.status == Plan.Status.APPROVED
    new_year = selectors.approved_values(shanghai, sales, year)[(f"m{zhangwei.pk}", "year", 1)][0]
    assert new_year > first_year
    weekly = Target.objects.filter(member=zhangwei, kpi=sales, week_start__year=year).values_list("value", flat=True)
    assert abs(sum(weekly, Decimal(0)) - new_year) < new_year / 10  # weeks that start in the year
