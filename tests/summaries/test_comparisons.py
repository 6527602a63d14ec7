"""Year-over-year (同比) beside period-over-period (环比), and the year as a period."""

import datetime
from decimal import Decimal

from django.urls import reverse

from reports.models import KPI
from summaries.rollups import period_bounds, previous_period, year_before
from tests.planning.helpers import submitted_week

D = datetime.date


def test_a_year_compares_with_the_year_before_and_a_month_with_the_same_month():
    assert period_bounds("year", D(2025, 6, 15)) == (D(2025, 1, 1), D(2025, 12, 31))
    assert previous_period(D(2025, 1, 1), D(2025, 12, 31)) == (D(2024, 1, 1), D(2024, 12, 31))
    assert year_before(D(2025, 1, 1), D(2025, 12, 31)) == (D(2024, 1, 1), D(2024, 12, 31))
    assert previous_period(D(2025, 3, 1), D(2025, 3, 31)) == (D(2025, 2, 1), D(2025, 2, 28))
    assert year_before(D(2024, 2, 1), D(2024, 2, 29)) == (D(2023, 2, 1), D(2023, 2, 28))
    assert year_before(D(2025, 4, 1), D(2025, 6, 30)) == (D(2024, 4, 1), D(2024, 6, 30))


def test_a_yearly_summary_shows_the_change_on_the_year_before(client, lead, rep, team):
    sales = KPI.objects.get(code="sales_amount")
    submitted_week(rep, D(2024, 3, 4), sales, Decimal(100_000))
    submitted_week(rep, D(2025, 3, 3), sales, Decimal(150_000))
    client.force_login(lead)
    response = client.get(reverse("summaries:team_period", args=[team.pk]), {"period": "year", "day": "2025-05-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="comparisons"' in page
    # 150,000 against 100,000 the year before: +50 %, both as period-over-period and year-over-year.
    assert page.count("+50") == 2


def test_the_dashboard_offers_the_year_and_compares_it_with_the_year_before(client, lead, rep, team):
    sales = KPI.objects.get(code="sales_amount")
    submitted_week(rep, D(2024, 3, 4), sales, Decimal(100_000))
    submitted_week(rep, D(2025, 3, 3), sales, Decimal(120_000))
    client.force_login(lead)
    response = client.get(reverse("insights:dashboard", args=[team.pk]), {"period": "year", "day": "2025-05-01"})
    assert response.status_code == 200
    board = response.context["board"]
    total = next(t for t in board.totals if t.kpi == sales)
    assert total.change_on_year == Decimal("0.2") and total.change == Decimal("0.2")
    assert (board.year_ago_start, board.year_ago_end) == (D(2024, 1, 1), D(2024, 12, 31))
