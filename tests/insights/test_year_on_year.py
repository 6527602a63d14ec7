"""Period-over-period (环比) and year-over-year (同比) on the team comparison, on the members'
rows of the dashboard and in the per-KPI export: the same figures as the dashboard totals, and a
dash, never a made-up 0 %, where the earlier period has nothing."""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from tests.insights.test_dashboard import NOVEMBER, board, report_week
from tests.insights.test_exports import export

NOV_2026 = datetime.date(2026, 11, 2)
OCT_2026 = datetime.date(2026, 10, 5)
NOV_2025 = datetime.date(2025, 11, 3)


def _history(rep, kpis):
    """300 this November, 200 in October (+50 % 环比), 150 a year before (+100 % 同比)."""
    report_week(rep, NOV_2026, kpis, 300)
    report_week(rep, OCT_2026, kpis, 200)
    report_week(rep, NOV_2025, kpis, 150)


def test_the_team_comparison_shows_the_change_on_last_period_and_last_year(
    client, director, rep, outsider, company, east, west, kpis
):
    _history(rep, kpis)
    report_week(outsider, NOV_2026, kpis, 100)  # the west has nothing earlier
    client.force_login(director)
    response = client.get(reverse("insights:compare", args=[company.pk]), NOVEMBER)
    columns = {column.team: column for column in response.context["columns"]}
    east_sales = next(c for c in columns[east].comparisons if c.kpi == kpis["sales"])
    west_sales = next(c for c in columns[west].comparisons if c.kpi == kpis["sales"])
    assert (east_sales.change, east_sales.change_on_year) == (Decimal("0.5"), Decimal(1))
    assert (west_sales.change, west_sales.change_on_year) == (None, None)
    page = response.content.decode()
    east_cell = page.split(f'<td class="text-end" data-team="{east.pk}">')[1].split("</td>")[0]
    west_cell = page.split(f'<td class="text-end" data-team="{west.pk}">')[1].split("</td>")[0]
    assert "+50%" in east_cell and "+100%" in east_cell
    assert "<span data-change>—</span>" in west_cell and "<span data-year-on-year>—</span>" in west_cell


def test_the_comparison_page_offers_the_year(client, director, rep, company, east, kpis):
    report_week(rep, datetime.date(2025, 3, 3), kpis, 100)
    report_week(rep, datetime.date(2026, 3, 2), kpis, 120)
    client.force_login(director)
    response = client.get(reverse("insights:compare", args=[company.pk]), {"period": "year", "day": "2026-05-01"})
    assert 'value="year"' in response.content.decode()
    column = next(c for c in response.context["columns"] if c.team == east)
    sales = next(c for c in column.comparisons if c.kpi == kpis["sales"])
    assert sales.change == sales.change_on_year == Decimal("0.2")


def test_each_members_row_compares_with_the_previous_period_and_a_year_before(client, lead, rep, other_rep, team, kpis):
    _history(rep, kpis)
    report_week(other_rep, NOV_2026, kpis, 80)  # new this month: nothing to compare with
    dashboard, response = board(client, lead, team)
    rows = {row.member: row for row in dashboard.members}
    sales_at = [t.kpi for t in dashboard.totals].index(kpis["sales"])
    mine, hers = rows[rep].cells[sales_at], rows[other_rep].cells[sales_at]
    assert (mine.change, mine.change_on_year) == (Decimal("0.5"), Decimal(1))
    assert (hers.change, hers.change_on_year) == (None, None)
    page = response.content.decode()
    her_row = page.split(f'data-member="{other_rep.pk}"')[1].split("</tr>")[0]
    assert "<span data-change>—</span>" in her_row and "<span data-year-on-year>—</span>" in her_row


def test_page_export_and_dashboard_agree_on_the_changes(
    client, director, rep, other_rep, company, east, kpis, django_capture_on_commit_callbacks
):
    _history(rep, kpis)
    report_week(other_rep, NOV_2026, kpis, 100)
    report_week(other_rep, OCT_2026, kpis, 300)
    dashboard, _ = board(client, director, east)
    totals = {t.kpi: t for t in dashboard.totals}
    client.force_login(director)
    columns = client.get(reverse("insights:compare", args=[company.pk]), NOVEMBER).context["columns"]
    column = {c.kpi: c for c in next(c for c in columns if c.team == east).comparisons}
    _, content = export(client, director, east, django_capture_on_commit_callbacks, file_format="xlsx", layout="kpis")
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    exported = {row[0]: row for row in rows[1:]}
    assert len(rows[0]) == 10
    for kpi, total in totals.items():
        on_page = column[kpi]
        assert (on_page.current.actual, on_page.previous.actual) == (total.current.actual, total.previous.actual)
        assert (on_page.change, on_page.change_on_year) == (total.change, total.change_on_year)
        row = exported[kpi.code]
        as_percent = [None if c is None else float(round(c * 100, 1)) for c in (total.change, total.change_on_year)]
        assert [row[7], row[9]] == as_percent
    sales = totals[kpis["sales"]]
    # 400 against 500 in October (-20 %), against 150 a year before (+166.7 %).
    assert (sales.change, exported["sales_amount"][7], exported["sales_amount"][9]) == (Decimal("-0.2"), -20.0, 166.7)
