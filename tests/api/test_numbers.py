"""A team's week numbers from the API are the dashboard's own: the same function, the same
figures (issue 15's rule: a number is computed once)."""

import datetime
from decimal import Decimal

import time_machine
from django.urls import reverse

from reports import services as report_services
from reports.models import KPI
from tests.reports.test_services import fill

# Thursday 3 December 2026, 10:00 in Shanghai.
THURSDAY = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)


@time_machine.travel(THURSDAY, tick=False)
def test_team_week_numbers_equal_the_dashboards(client, team, rep, other_rep, lead, api_as):
    last_week = datetime.date(2026, 11, 23)
    sales = KPI.objects.get(code="sales_amount")
    report_services.set_targets(actor=lead, member=rep, week_start=last_week, values={sales: Decimal(100)})
    report = report_services.open_report(author=rep, week_start=last_week)
    report_services.submit_report(report=fill(report), by=rep)  # other_rep's is missing

    answer = api_as(lead).get(f"/teams/{team.pk}/numbers", {"period": "week", "day": "2026-11-25"})
    client.force_login(lead)
    page = client.get(reverse("insights:dashboard", args=[team.pk]), {"period": "week", "day": "2026-11-25"})

    assert answer.status_code == 200
    board = page.context["board"]
    numbers = answer.json()
    assert (numbers["start"], numbers["end"]) == (board.start.isoformat(), board.end.isoformat())
    assert [(t["kpi"], t["actual"], t["target"]) for t in numbers["totals"]] == [
        (t.kpi.code, _json(t.current.actual), _json(t.current.target)) for t in board.totals
    ]
    sales_total = next(t for t in numbers["totals"] if t["kpi"] == "sales_amount")
    assert Decimal(sales_total["actual"]) == 5 and Decimal(sales_total["target"]) == 100
    discipline = board.discipline
    assert numbers["discipline"] == {
        "expected": discipline.expected,
        "on_time": discipline.on_time,
        "late": discipline.late,
        "not_yet_due": discipline.not_yet_due,
        "missing": discipline.missing,
        "on_leave": discipline.on_leave,
    }
    assert (numbers["discipline"]["expected"], numbers["discipline"]["missing"]) == (2, 1)


def _json(value):
    return None if value is None else str(value)


def test_numbers_outside_reach_are_404_and_a_bad_period_400(team, other_team, lead, api_as):
    api = api_as(lead)
    assert api.get(f"/teams/{other_team.pk}/numbers").status_code == 404
    response = api.get(f"/teams/{team.pk}/numbers", {"period": "custom", "start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 400 and "end" in response.json()["errors"]
