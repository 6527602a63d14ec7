"""Dates from the address bar or a form, far outside the years that can hold data, on every view
that takes one: a clear answer or the nearest valid period, never a 500, and no document queued.

The supported range is reports.dates: 2000-01-01 to the end of next year. To cover a new view,
add a line to PAGES or DOCUMENT_REQUESTS.
"""

import pytest
import time_machine
from django.urls import reverse

from summaries.models import Document

BAD_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2028-01-01", "garbage", "2026-02-30", "-1", ""]

# (url name, takes the team's pk, query parameters for one bad date)
PAGES = [
    ("reviews:queue", False, lambda d: {"week": d}),
    ("reviews:overview", False, lambda d: {"week": d}),
    ("customers:log", False, lambda d: {"week": d}),
    ("summaries:team_week", True, lambda d: {"week": d}),
    ("summaries:team_period", True, lambda d: {"period": "month", "day": d}),
    ("summaries:team_period", True, lambda d: {"period": "quarter", "day": d}),
    ("insights:dashboard", True, lambda d: {"period": "week", "day": d}),
    ("insights:dashboard", True, lambda d: {"period": "month", "day": d}),
    ("insights:dashboard", True, lambda d: {"period": "custom", "start": d, "end": "2026-11-30"}),
    ("insights:dashboard", True, lambda d: {"period": "custom", "start": "2026-11-01", "end": d}),
    ("insights:compare", True, lambda d: {"period": "quarter", "day": d}),
    ("reports:targets", True, lambda d: {"week": d}),
]

DOCUMENT_REQUESTS = [
    ("summaries:team_week_pdf", lambda d: {"week": d}),
    ("summaries:team_period_pdf", lambda d: {"period": "month", "day": d}),
    ("insights:export", lambda d: {"start": d, "end": "2026-11-30", "file_format": "xlsx", "layout": "long"}),
    ("insights:export", lambda d: {"start": "2026-11-01", "end": d, "file_format": "csv", "layout": "wide"}),
]


@pytest.fixture
def manager(client, lead, rep):
    client.force_login(lead)
    return lead


@time_machine.travel("2026-12-03 10:00 +0800", tick=False)
@pytest.mark.parametrize("bad", BAD_DATES)
@pytest.mark.parametrize(("name", "takes_team", "params"), PAGES)
def test_a_page_asked_for_an_impossible_date_answers_without_a_server_error(
    client, manager, team, name, takes_team, params, bad
):
    url = reverse(name, args=[team.pk]) if takes_team else reverse(name)
    response = client.get(url, params(bad))
    assert response.status_code in (200, 400), response.status_code


@time_machine.travel("2026-12-03 10:00 +0800", tick=False)
@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31", "1999-12-31", "2028-01-01", "garbage"])
@pytest.mark.parametrize(("name", "params"), DOCUMENT_REQUESTS)
def test_a_document_asked_for_an_impossible_date_is_never_queued(client, manager, team, name, params, bad):
    response = client.post(reverse(name, args=[team.pk]), params(bad))
    assert response.status_code in (200, 302, 400)
    assert not Document.objects.exists()


@time_machine.travel("2026-12-03 10:00 +0800", tick=False)
def test_a_month_summary_from_year_one_says_which_dates_are_supported(client, manager, team):
    response = client.get(reverse("summaries:team_period", args=[team.pk]), {"period": "month", "day": "0001-01-01"})
    assert "2000-01-01" in response.content.decode()
